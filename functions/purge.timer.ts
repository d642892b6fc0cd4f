import { app, type InvocationContext, type Timer } from '@azure/functions';
import { SETTINGS } from '../shared/config';
import { getApp } from '../shared/composition';
import { purgeDueCertificates } from '../shared/services/purge-certificates';

/** Purges soft-deleted certificates whose retention has run out. */
async function purgeDeleted(_timer: Timer, context: InvocationContext): Promise<void> {
  const { services } = await getApp();
  const report = await purgeDueCertificates(services, (message) => context.warn(message));
  if (report.due > 0) context.log(`Purge: ${JSON.stringify(report)}`);
}

app.timer('purgeDeleted', {
  // The schedule is an app setting, as the status sweep's is.
  schedule: `%${SETTINGS.purgeSchedule}%`,
  handler: purgeDeleted,
});
