import { app, type InvocationContext, type Timer } from '@azure/functions';
import { SETTINGS } from '../shared/config';
import { getApp } from '../shared/composition';
import { runDueLifetimeActions } from '../shared/services/lifetime-sweep';
import { runDueRenewalInfoChecks } from '../shared/services/renewal-info-checks';
import { sweepBudget } from '../shared/services/sweep-drain';

/**
 * Takes the lifetime actions that are due (AutoRenew starts a new version, EmailContacts tells the events) and
 * tells the expiries that have come (CertificateExpired). Each drains what is due within the run's budget
 * (sweep-drain.ts): the lifetime actions until three quarters of it, the CA's checks until its end, so a
 * backlog of one never starves the other.
 */
async function lifetimeSweep(_timer: Timer, context: InvocationContext): Promise<void> {
  const { services } = await getApp();
  const actionsBudget = sweepBudget(services.clock, 0.75);
  const checksBudget = sweepBudget(services.clock);
  const report = await runDueLifetimeActions(services, (message) => context.warn(message), actionsBudget);
  if (report.due > 0) context.log(`Lifetime sweep: ${JSON.stringify(report)}`);
  // The CA's renewal windows (ACME ARI), which can bring a renewal before the policy's trigger.
  const checks = await runDueRenewalInfoChecks(services, (message) => context.warn(message), checksBudget);
  if (checks.due > 0) context.log(`Renewal information checks: ${JSON.stringify(checks)}`);
}

app.timer('lifetimeSweep', {
  // The schedule is an app setting, as the other timers' are.
  schedule: `%${SETTINGS.lifetimeSchedule}%`,
  handler: lifetimeSweep,
});
