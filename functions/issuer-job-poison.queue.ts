import { app, type InvocationContext } from '@azure/functions';
import { getApp } from '../shared/composition';
import { QUEUES, STORAGE_CONNECTION } from '../shared/names';
import { failPoisonedJob } from '../shared/services/issuer-job';
import { issuerJobMessage } from './issuer-job.queue';

/**
 * A job that failed on every delivery fails its operation with the reason, instead of hanging in progress.
 * The count it reports is the operation's own: this message's dequeueCount is always 1 (it is a new message
 * on the poison queue).
 */
async function issuerJobPoison(message: unknown, context: InvocationContext): Promise<void> {
  const parsed = issuerJobMessage.safeParse(message);
  if (!parsed.success) {
    context.warn('Dropped a malformed poison issuer job message.');
    return;
  }
  const { services } = await getApp();
  const failedIt = await failPoisonedJob(services, parsed.data);
  context.log(`Poisoned issuer job for ${parsed.data.name}: ${failedIt ? 'operation failed' : 'nothing left to fail'}`);
}

app.storageQueue('issuerJobPoison', {
  queueName: QUEUES.issuerJobsPoison,
  connection: STORAGE_CONNECTION,
  handler: issuerJobPoison,
});
