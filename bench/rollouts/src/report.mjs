const ms = s => `${s.p50Ms} / ${s.p99Ms}`;

/** "5 (3 GET, 1 PATCH, 1 LIST)": the spread over the runs, and what the last one sent. */
function requestsOf(counted) {
  if (!counted) return 'not counted';
  const spread =
    counted.min === counted.max ? counted.min : `${counted.min}-${counted.max}`;
  const byMethod = {};
  for (const [request, n] of Object.entries(counted.last)) {
    const method = request.split(' ')[0];
    byMethod[method] = (byMethod[method] ?? 0) + n;
  }
  const parts = Object.entries(byMethod).map(([m, n]) => `${n} ${m}`);
  return `${spread} (${parts.join(', ')})`;
}

function table(rows) {
  const widths = rows[0].map((_, c) =>
    Math.max(...rows.map(row => String(row[c]).length)),
  );
  const line = row =>
    `| ${row.map((cell, c) => String(cell).padEnd(widths[c])).join(' | ')} |`;
  return [
    line(rows[0]),
    line(widths.map(w => '-'.repeat(w))),
    ...rows.slice(1).map(line),
  ];
}

/** The tables the README quotes. */
export function printRolloutReport(r) {
  const out = [
    `${r.settings.models} models x 2 versions, ${
      r.settings.sequential
    } sequential rollouts per router, ${
      r.machine.cpus
    } CPUs, load average ${r.machine.loadAverageAtStart.join(
      ' ',
    )} at start, ${r.loadAverageAtEnd?.join(' ')} at end`,
    '',
    ...table([
      [
        'router',
        'API answer p50 / p99 (ms)',
        'call -> watched change p50 / p99 (ms)',
        'apiserver requests per rollout',
      ],
      ...Object.entries(r.latency).map(([kind, l]) => [
        kind,
        ms(l.api),
        ms(l.watched),
        requestsOf(l.apiserverRequests),
      ]),
    ]),
    '',
    ...table([
      [
        'concurrency',
        'succeeded',
        'total (ms)',
        'rollouts/s',
        'API p50 / p99 (ms)',
        'objects right',
        'one audit row',
      ],
      ...r.throughput.map(t => [
        t.concurrency,
        `${t.succeeded}/${t.rollouts}`,
        t.totalMs,
        t.rolloutsPerSecond,
        ms(t.api),
        `${t.objectsMatching}/${t.rollouts}`,
        `${t.auditOneSucceeded}/${t.rollouts}`,
      ]),
    ]),
    '',
    `contention: ${r.contention.contenders} rollouts on one HTTPRoute from one resourceVersion: ${r.contention.succeeded} succeeded, ${r.contention.conflicts} got 409, object = winner: ${r.contention.objectEqualsWinner}`,
  ];
  console.log(out.join('\n'));
}
