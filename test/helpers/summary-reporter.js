/**
 * Ends the run with one plain line, "N passed, N failed, N skipped", that tools which do not know jest's
 * own summary can read.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    process.stderr.write(`\n${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped\n`);
  }
}

module.exports = SummaryReporter;
