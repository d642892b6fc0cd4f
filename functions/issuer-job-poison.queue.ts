import { app, type InvocationContext } from '@azure/functions';
import { getApp } from '../shared/composition';
import { QUEUES, STORAGE_CONNECTION } from '../shared/names';
import { failPoisonedJob } from '../shared/services/issuer-job';
import { issuerJobMessage } from './issuer-job.queue';

/** A job that failed on every attempt fails its operation with the reason, instead of hanging in progress. */
async function issuerJobPoison(message: unknown, context: InvocationContext): Promise<void> {
  const parsed = issuerJobMessage.safeParse(message);
  if (!parsed.success) {
    context.warn('Dropped a malformed poison issuer job message.');
    return;
  }
  const { services } = await getApp();
  const attempts = Number(context.triggerMetadata?.dequeueCount ?? 0) || undefined;
  const failedIt = await failPoisonedJob(services, parsed.data, attempts ?? 5);
  context.log(`Poisoned issuer job for ${parsed.data.name}: ${failedIt ? 'operation failed' : 'nothing left to fail'}`);
}

app.storageQueue('issuerJobPoison', {
  queueName: QUEUES.issuerJobsPoison,
  connection: STORAGE_CONNECTION,
  handler: issuerJobPoison,
});
