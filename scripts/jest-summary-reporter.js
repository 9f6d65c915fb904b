// Jest's own summary, then the plain `N passed, N failed` line that CI reads, as the very last line.
// Skipped and todo tests are not "passed": they are counted as skipped, so a run that skips cannot
// pass itself off as green.
'use strict';
const { SummaryReporter } = require('@jest/reporters');

class PlainSummaryReporter extends SummaryReporter {
  onRunComplete(contexts, results) {
    super.onRunComplete(contexts, results);
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : '');
    process.stdout.write(`\n${line}\n`);
  }
}
module.exports = PlainSummaryReporter;
