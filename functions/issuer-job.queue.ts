import { app, type InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { getApp } from '../shared/composition';
import { QUEUES, STORAGE_CONNECTION } from '../shared/names';
import { recordJobAttempt, runIssuerJob } from '../shared/services/issuer-job';
import { log } from './logging/log';

export const issuerJobMessage = z.object({ name: z.string().min(1), requestId: z.string().min(1) });

/**
 * Drives one pending operation with its issuer. Throwing hands the message back to the host, which retries
 * it and, after maxDequeueCount attempts, moves it to the poison queue (see issuer-job-poison).
 */
async function issuerJob(message: unknown, context: InvocationContext): Promise<void> {
  const parsed = issuerJobMessage.safeParse(message);
  if (!parsed.success) {
    // It can never succeed: say so once and drop it rather than burn retries.
    context.warn(`Dropped a malformed issuer job message: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    return;
  }
  const { services } = await getApp();
  try {
    const outcome = await runIssuerJob(services, parsed.data);
    // 'dropped' is the normal end of a job whose operation already finished or was replaced, and 'deferred'
    // of one that came before the minimum issuance time: nothing for an operator to look at.
    const what = outcome === 'dropped' ? 'nothing to do (the operation already finished or was replaced)' : outcome === 'deferred' ? 'deferred until the minimum issuance time' : outcome;
    const quiet = outcome === 'dropped' || outcome === 'deferred';
    log(context, quiet ? 'debug' : 'info', `Issuer job for ${parsed.data.name} (${parsed.data.requestId}): ${what}`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await recordJobAttempt(services, parsed.data, reason).catch(() => undefined);
    throw error;
  }
}

app.storageQueue('issuerJob', {
  queueName: QUEUES.issuerJobs,
  connection: STORAGE_CONNECTION,
  handler: issuerJob,
});
