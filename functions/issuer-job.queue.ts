import { app, type InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { getApp } from '../shared/composition';
import { QUEUES, STORAGE_CONNECTION } from '../shared/names';
import { type JobOutcome, recordJobFailure, runIssuerJob } from '../shared/services/issuer-job';
import { log } from './logging/log';

export const issuerJobMessage = z.object({ name: z.string().min(1), requestId: z.string().min(1) });

/** What each outcome is called in the log; the quiet ones are the normal end of a message with nothing to do. */
const OUTCOME_WORDS: Record<JobOutcome, string> = {
  dropped: 'nothing to do (the operation already finished or was replaced)',
  notDue: 'nothing to do yet (its next attempt is later, and scheduled)',
  deferred: 'deferred until the minimum issuance time',
  issued: 'issued',
  pending: 'pending (the issuer is asked again later)',
  retrying: 'retrying after a transient issuer failure',
  failed: 'failed',
  cancelled: 'cancelled',
};
const QUIET: ReadonlySet<JobOutcome> = new Set(['dropped', 'notDue', 'deferred', 'pending']);

/**
 * Drives one pending operation by one call to its issuer; retries of the issuer's transient failures are
 * scheduled by the job itself, with backoff (shared/services/issuer-job.ts). Throwing (the job's own
 * failure, such as storage) hands the message back to the host, which makes it visible again after the
 * fixed visibilityTimeout of host.json (no backoff) and, after maxDequeueCount deliveries, moves it to the
 * poison queue (see issuer-job-poison).
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
    const outcome = await runIssuerJob(services, parsed.data, (message) => log(context, 'warn', message));
    log(context, QUIET.has(outcome) ? 'debug' : 'info', `Issuer job for ${parsed.data.name} (${parsed.data.requestId}): ${OUTCOME_WORDS[outcome]}`);
  } catch (error) {
    // The caller sees that the service failed and will try again; what failed is for the log only.
    await recordJobFailure(services, parsed.data).catch(() => undefined);
    throw error;
  }
}

app.storageQueue('issuerJob', {
  queueName: QUEUES.issuerJobs,
  connection: STORAGE_CONNECTION,
  handler: issuerJob,
});
