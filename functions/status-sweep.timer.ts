import { app, type InvocationContext, type Timer } from '@azure/functions';
import { SETTINGS } from '../shared/config';
import { getApp } from '../shared/composition';
import { sweepStatuses } from '../shared/services/status-sweep';

/**
 * Re-drives lost issuer jobs, times out operations older than the maximum age, and refreshes list rows that a
 * crashed change left stale, draining what is due within the run's budget (sweep-drain.ts).
 */
async function statusSweep(_timer: Timer, context: InvocationContext): Promise<void> {
  const { services } = await getApp();
  // Its default budgets (sweep-drain.ts): operations for three quarters of the run, list rows until its end.
  const report = await sweepStatuses(services, (message) => context.warn(message));
  if (report.due > 0 || report.reconciled > 0 || report.reconcileFailed > 0 || report.stoppedAtBudget) context.log(`Status sweep: ${JSON.stringify(report)}`);
}

app.timer('statusSweep', {
  // The schedule is an app setting, so tests and operators can change it without a build.
  schedule: `%${SETTINGS.statusSweepSchedule}%`,
  handler: statusSweep,
});
