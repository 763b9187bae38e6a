const ms = s => `${s.p50Ms} / ${s.p99Ms} ms`;
const perCall = s => String(s.perCall);

/** Prints the side-by-side table the README quotes. */
export function printReport(r) {
  const rows = [
    ['', 'p50 / p99', 'apiserver req/call', 'MLflow req/call'],
    ...[
      ['GET /api/ml-platform/models', r.listModels],
      ['GET /api/ml-platform/models/{name}', r.getModel],
      [
        'POST /api/kubernetes/services/{entity} (reference)',
        r.kubernetesPluginReference,
      ],
    ].map(([name, s]) => [
      name,
      ms(s),
      perCall(s.servers.apiserver),
      perCall(s.servers.mlflow),
    ]),
  ];
  const widths = rows[0].map((_, c) =>
    Math.max(...rows.map(row => row[c].length)),
  );
  const line = row =>
    `| ${row.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  const out = [
    `${r.settings.models} models x ${r.settings.versionsPerModel} versions, ${r.settings.requests} requests per endpoint (${r.settings.kubeRequests} for the reference), ${r.machine.cpus} CPUs`,
    '',
    line(rows[0]),
    line(widths.map(w => '-'.repeat(w))),
    ...rows.slice(1).map(line),
    '',
    'GET /models by query (p50 / p99):',
    ...Object.entries(r.listModels.byQuery).map(
      ([q, s]) => `  ?${q}: ${ms(s)}`,
    ),
    '',
    `cold first read: ${r.coldRefresh.seconds} s, ${
      r.coldRefresh.mlflowRequests
    } MLflow requests (floor ${r.coldRefresh.floor}): ${JSON.stringify(
      r.coldRefresh.byPath,
    )}, MLflow busy ms: ${JSON.stringify(r.coldRefresh.msByPath)}`,
    ...r.warmRefresh.map(
      (x, i) =>
        `warm refresh ${i + 1}: ${(x.ms / 1000).toFixed(1)} s, ${
          x.mlflow.total
        } MLflow requests: ${JSON.stringify(
          x.mlflow.byPath,
        )}, MLflow busy ms: ${JSON.stringify(x.mlflow.msByPath)}; apiserver ${
          x.apiserver.total
        }`,
    ),
    `backend memory (after a full GC): RSS ${r.memoryAfterWarmUp.rssMb} MB (heap used ${r.memoryAfterWarmUp.heapUsedMb} of ${r.memoryAfterWarmUp.heapTotalMb} MB) after warm-up, RSS ${r.memoryAfterRefresh.rssMb} MB (heap used ${r.memoryAfterRefresh.heapUsedMb} of ${r.memoryAfterRefresh.heapTotalMb} MB) after refreshes; peak RSS ${r.memoryAfterRefresh.peakRssMb} MB`,
    `backend startup: ${(r.backendStartupMs / 1000).toFixed(1)} s, ${
      r.startup.apiserverRequests
    } apiserver requests (list + watch): ${JSON.stringify(
      r.startup.apiserverByPath,
    )}`,
    `seeding: MLflow ${r.seeding.mlflow?.seconds} s, Kubernetes ${r.seeding.kubernetes?.seconds} s (${r.seeding.kubernetes?.objects} objects)`,
  ];
  console.log(out.join('\n'));
}
