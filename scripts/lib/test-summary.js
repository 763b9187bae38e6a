// Prints the closing line of a test run from Jest --json and Playwright JSON outputs:
// "Tests: N passed, N failed, N skipped". Exits non-zero when a test failed or
// none ran, so a run that tested nothing never looks green.
const fs = require('node:fs');

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!fs.existsSync(file)) {
    console.log(`No results in ${file}: that test run crashed`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (r.stats && r.suites) {
    // Playwright: a test that passed on retry counts as passed (flaky).
    for (const error of r.errors ?? []) {
      console.log(`Playwright run failed: ${error.message}`);
      failed += 1;
    }
    passed += r.stats.expected + r.stats.flaky;
    failed += r.stats.unexpected;
    skipped += r.stats.skipped;
    continue;
  }
  // A suite that fails to load reports no assertions: count it as a failure.
  for (const suite of r.testResults) {
    if (suite.status === 'failed' && suite.assertionResults.length === 0) {
      console.log(`Suite failed to run: ${suite.name}`);
      failed += 1;
    }
  }
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
}
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
