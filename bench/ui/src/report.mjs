/** The printed table: both pages side by side, p50 / p95 per metric. */
export function printUiReport(results) {
  const [a, b] = results.pages;
  const pair = (page, key) => `${page[key].p50} / ${page[key].p95}`;
  const rows = [
    ['time to interactive (ms)', 'interactiveMs'],
    ['time to apply the filter (ms)', 'filterMs'],
    ['page weight, transferred (kB)', 'loadKb'],
    ['requests per load', 'loadRequests'],
    ['API requests per load', 'loadApiRequests'],
    ['API requests for the filter', 'filterApiRequests'],
    ['transferred for the filter (kB)', 'filterKb'],
  ].map(([label, key]) => [label, pair(a, key), pair(b, key)]);
  const header = ['p50 / p95', a.name, b.name];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(r => r[i].length)),
  );
  const line = cells => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  const { models, versionsPerModel, loadsPerPage } = results.settings;
  console.log(
    `\n${models} models x ${versionsPerModel} versions, ${loadsPerPage} cold loads per page, ` +
      `load average ${results.loadAverage1m.min}-${results.loadAverage1m.max}`,
  );
  console.log(`${a.name}: ${a.url}, filter ${a.filter}`);
  console.log(`${b.name}: ${b.url}, filter ${b.filter}\n`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log('');
}
