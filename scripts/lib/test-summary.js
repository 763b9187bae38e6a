// Prints the closing line of a test run from Jest's --json output:
// "Tests: N passed, N failed, N skipped". Exits non-zero when a test failed or
// none ran, so a run that tested nothing never looks green.
const fs = require('node:fs');

const file = process.argv[2];
if (!fs.existsSync(file)) {
  console.log('Tests: 0 passed, 1 failed (no results: the test run crashed)');
  process.exit(1);
}
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
const failedSuites = r.testResults.filter(
  t => t.status === 'failed' && t.assertionResults.length === 0,
);
for (const suite of failedSuites) {
  console.log(`Suite failed to run: ${suite.name}`);
}
const passed = r.numPassedTests;
const failed = r.numFailedTests + failedSuites.length;
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
