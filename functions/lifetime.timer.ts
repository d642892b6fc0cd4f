import { app, type InvocationContext, type Timer } from '@azure/functions';
import { SETTINGS } from '../shared/config';
import { getApp } from '../shared/composition';
import { runDueLifetimeActions } from '../shared/services/lifetime-sweep';

/**
 * Takes the lifetime actions that are due (AutoRenew starts a new version, EmailContacts tells the events) and
 * tells the expiries that have come (CertificateExpired).
 */
async function lifetimeSweep(_timer: Timer, context: InvocationContext): Promise<void> {
  const { services } = await getApp();
  const report = await runDueLifetimeActions(services, (message) => context.warn(message));
  if (report.due > 0) context.log(`Lifetime sweep: ${JSON.stringify(report)}`);
}

app.timer('lifetimeSweep', {
  // The schedule is an app setting, as the other timers' are.
  schedule: `%${SETTINGS.lifetimeSchedule}%`,
  handler: lifetimeSweep,
});
