/**
 * Ends the run with one plain line, "N passed, N failed, N skipped", that tools which do not know jest's
 * own summary can read. It is written as the process exits, so that it comes after jest's summary.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped\n`;
    process.once('exit', () => process.stderr.write(line));
  }
}

module.exports = SummaryReporter;
