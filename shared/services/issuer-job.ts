import { openPrivateKey } from '../crypto/key-encryption';
import { ChainError, type ParsedCertificate, findLeafForKey, orderLeafFirst, parseCertificate } from '../crypto/certificate-chain';
import { unixSeconds } from '../domain/clock';
import {
  type OperationError,
  type PendingOperation,
  OPERATION_ERROR_CODES,
  cancelled,
  failed,
  isDueForAttempt,
  isIssuerDriven,
  isVisible,
  secondsUntilIssuable,
  withAttemptFailed,
  withProviderCallUnderWay,
  withProviderPending,
} from '../domain/pending-operation';
import { retryDelaySeconds } from '../domain/retry-backoff';
import type { CancellationStep, IssuanceRequest, IssuanceStep, IssuerProvider, ProviderState } from '../issuers/issuer-provider';
import type { IssuerJob, Stored } from '../storage/repositories';
import { WriteConflictError } from '../storage/storage-errors';
import { finishOperation } from './finish-operation';
import { resolveIssuer } from './issuer-resolution';
import { removeFirstStatusEntry } from './status-sweep';
import { tellRenewalEnded } from './renewal-outcome';
import { changeListedCertificate } from './listing-reconciliation';
import { keyBinding } from './new-version';
import { openProviderState, sealProviderState } from './provider-state';
import type { ServiceContext } from './service-context';

/**
 * What a job run did; the queue function logs it. 'dropped': the operation finished, was replaced or deleted.
 * 'notDue': its next attempt is later (this message is a duplicate or the sweep's re-drive, and another is
 * scheduled). 'deferred': it is younger than the minimum issuance time, and the job put itself back on the
 * queue until then. 'retrying': the issuer failed transiently, and the job comes back after a backoff.
 */
export type JobOutcome = 'dropped' | 'notDue' | 'deferred' | 'issued' | 'pending' | 'retrying' | 'failed' | 'cancelled';

/** Where the job reports what the caller must not see: a provider's own error (for operators' logs). */
export type JobDiagnostics = (message: string) => void;

/** The longest a provider may be asked to wait for, which is the longest a queue message can stay invisible. */
const MAX_DELAY_SECONDS = 7 * 24 * 3600;

/** Conditional writes lost to a concurrent change are retried on fresh state this many times in all. */
const WRITE_ROUNDS = 3;

/** The message is for an operation that no longer exists in that form: nothing to do, ever. */
function isStale(stored: Stored<PendingOperation> | undefined, job: IssuerJob): boolean {
  return !stored || !isVisible(stored.value) || stored.value.requestId !== job.requestId || stored.value.status !== 'inProgress' || !isIssuerDriven(stored.value);
}

/**
 * Drives one operation by one call to its provider (docs/issuers.md). Safe to run twice: a finished, replaced
 * or deleted operation makes the run a no-op, a message that comes before the operation's next attempt finds
 * nothing to do, and the run takes the operation with a conditional write before calling the provider, so
 * of two concurrent runs only one calls it. The provider's answer decides what comes next: the certificate,
 * a failure, or a delayed message to itself (a poll later, or a retry with backoff); the job never sleeps.
 * What it throws (storage errors) goes back to the queue, whose fixed visibility timeout (host.json) brings
 * the message back a few times before it lands on the poison queue (issuer-job-poison).
 */
export async function runIssuerJob(ctx: ServiceContext, job: IssuerJob, diagnostics: JobDiagnostics = () => undefined): Promise<JobOutcome> {
  for (let round = 1; ; round++) {
    const stored = await ctx.certificates.getOperation(job.name);
    if (!stored || isStale(stored, job)) return 'dropped';
    const op = stored.value;
    const now = unixSeconds(ctx.clock);
    if (!isDueForAttempt(op, now)) return 'notDue';

    if (!op.cancellationRequested) {
      // Never sleep in a job: a message that comes back when the operation is old enough costs nothing meanwhile.
      const wait = secondsUntilIssuable(op, ctx.clock().getTime());
      if (wait > 0) {
        await ctx.jobs.enqueue(job, { delaySeconds: wait });
        return 'deferred';
      }
    }

    let taken: Stored<PendingOperation>;
    try {
      const underWay = withProviderCallUnderWay(op, now + ctx.jobLeaseSeconds);
      taken = { value: underWay, etag: await ctx.certificates.putOperation(underWay, stored.etag) };
    } catch (error) {
      // Another run took it, or the caller changed it (a cancellation, a policy update): look again.
      if (error instanceof WriteConflictError && round < WRITE_ROUNDS) continue;
      throw error;
    }
    return advance(ctx, job, taken, diagnostics);
  }
}

async function advance(ctx: ServiceContext, job: IssuerJob, taken: Stored<PendingOperation>, diagnostics: JobDiagnostics): Promise<JobOutcome> {
  const op = taken.value;
  const resolved = await resolveIssuer(ctx, op.policy.issuer.name);
  if ('unavailable' in resolved) {
    if (op.cancellationRequested) return endCancelled(ctx, job, taken);
    return endFailed(ctx, job, taken, { code: OPERATION_ERROR_CODES.issuerError, message: resolved.unavailable });
  }
  const { provider } = resolved;
  const request = issuanceRequest(ctx, op, resolved);
  const state = op.providerState ? openProviderState(ctx.keyEncryptionKey, op, op.providerState) : undefined;

  if (op.cancellationRequested) {
    // A provider that never started has nothing to stop.
    if (!state) return endCancelled(ctx, job, taken);
    const step = await calling(provider, request, diagnostics, () => provider.cancel(request, state));
    return afterCancel(ctx, job, taken, step);
  }
  const step = await calling(provider, request, diagnostics, () => (state ? provider.poll(request, state) : provider.start(request)));
  return afterIssuanceStep(ctx, job, taken, step);
}

function issuanceRequest(ctx: ServiceContext, op: PendingOperation, resolved: { issuer?: IssuanceRequest['issuer'] }): IssuanceRequest {
  return {
    name: op.name,
    requestId: op.requestId,
    version: op.version,
    issuerName: op.policy.issuer.name,
    ...(resolved.issuer ? { issuer: resolved.issuer } : {}),
    csrDer: Buffer.from(op.csr, 'base64'),
    policy: op.policy,
    tags: op.tags,
    privateKeyPkcs8: () => openPrivateKey(ctx.keyEncryptionKey, op.sealedPrivateKey, keyBinding(op.name, op.version)),
    publicKeySpki: Buffer.from(op.publicKeySpki, 'base64'),
    now: ctx.clock(),
    ...(op.replaces ? { replaces: op.replaces } : {}),
  };
}

/**
 * Calls the provider; a provider that throws failed transiently, as if it had answered `retry`. What it
 * threw is for operators (it may be anything, internal detail included); the caller reads a plain sentence.
 */
async function calling<T extends IssuanceStep | CancellationStep>(
  provider: IssuerProvider,
  request: IssuanceRequest,
  diagnostics: JobDiagnostics,
  call: () => Promise<T>,
): Promise<T | { kind: 'retry'; message: string }> {
  try {
    return await call();
  } catch (error) {
    diagnostics(`Issuer provider ${provider.name} threw for ${request.name} (${request.requestId}): ${error instanceof Error ? error.message : String(error)}`);
    return { kind: 'retry', message: `The issuer '${request.issuerName}' could not be reached or failed unexpectedly; the request will be retried.` };
  }
}

async function afterIssuanceStep(ctx: ServiceContext, job: IssuerJob, taken: Stored<PendingOperation>, step: IssuanceStep): Promise<JobOutcome> {
  switch (step.kind) {
    case 'issued': {
      const chain = chainFromIssuer(step.parsedChain ?? step.chainDer, Buffer.from(taken.value.publicKeySpki, 'base64'));
      if ('error' in chain) return endFailed(ctx, job, taken, chain.error);
      const written = await writeLive(ctx, job, taken, (current) => finishOperation(ctx, current, chain.certificates));
      if (!written) return 'dropped';
      await removeFirstStatusEntry(ctx, written);
      return 'issued';
    }
    case 'pending':
      return schedulePoll(ctx, job, taken, step.state, step.retryAfterSeconds);
    case 'failed':
      return endFailed(ctx, job, taken, { code: step.code, message: step.message });
    case 'retry':
      return retryOrGiveUp(ctx, job, taken, step, 'fail');
  }
}

async function afterCancel(ctx: ServiceContext, job: IssuerJob, taken: Stored<PendingOperation>, step: CancellationStep): Promise<JobOutcome> {
  switch (step.kind) {
    case 'cancelled':
      return endCancelled(ctx, job, taken);
    case 'pending':
      return schedulePoll(ctx, job, taken, step.state, step.retryAfterSeconds);
    case 'retry':
      // The caller asked for the request to stop: when the issuer cannot be told, it stops here all the same.
      return retryOrGiveUp(ctx, job, taken, step, 'cancel');
  }
}

async function schedulePoll(ctx: ServiceContext, job: IssuerJob, taken: Stored<PendingOperation>, state: ProviderState, retryAfterSeconds: number): Promise<JobOutcome> {
  const delay = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(Number.isFinite(retryAfterSeconds) ? retryAfterSeconds : 1)));
  const now = unixSeconds(ctx.clock);
  const sealed = sealProviderState(ctx.keyEncryptionKey, taken.value, state);
  // The state first, then the message: a crash in between leaves the state for the sweep's re-drive to use.
  // `updated` does not move (nothing a caller sees changed), so the list entry needs no refresh.
  const written = await writeLive(ctx, job, taken, async (current) => {
    await ctx.certificates.putOperation(withProviderPending(current.value, sealed, now, now + delay), current.etag);
  });
  if (!written) return 'dropped';
  await ctx.jobs.enqueue(job, { delaySeconds: cancelledMeanwhile(taken, written) ? 0 : delay });
  return 'pending';
}

/**
 * A cancellation that arrived while this run was calling the provider waited for the call to end (see
 * isDueForAttempt): it is taken up at once, with the state the provider just answered (an order it placed).
 */
function cancelledMeanwhile(taken: Stored<PendingOperation>, written: PendingOperation): boolean {
  return !taken.value.cancellationRequested && written.cancellationRequested;
}

async function retryOrGiveUp(
  ctx: ServiceContext,
  job: IssuerJob,
  taken: Stored<PendingOperation>,
  step: { message: string; state?: ProviderState },
  whenExhausted: 'fail' | 'cancel',
): Promise<JobOutcome> {
  const now = unixSeconds(ctx.clock);
  const { maxAttempts } = ctx.issuerRetry;
  const attempts = taken.value.job.attempts + 1;
  const state = step.state ? sealProviderState(ctx.keyEncryptionKey, taken.value, step.state) : undefined;
  if (attempts >= maxAttempts) {
    const recorded = (op: PendingOperation) => withAttemptFailed(op, now, { lastError: step.message, maxAttempts, ...(state ? { state } : {}) });
    if (whenExhausted === 'cancel') return endCancelled(ctx, job, taken, recorded);
    const error = { code: OPERATION_ERROR_CODES.issuerError, message: `Issuance was abandoned after ${attempts} failed attempts. The last one: ${step.message}` };
    return endFailed(ctx, job, taken, error, recorded);
  }
  const delay = retryDelaySeconds(ctx.issuerRetry, attempts, ctx.random);
  const retried = (op: PendingOperation) =>
    withAttemptFailed(op, now, { lastError: step.message, maxAttempts, nextAttemptOn: now + delay, ...(state ? { state } : {}) });
  const written = await writeLive(ctx, job, taken, (current) =>
    // The failure moves the operation's `updated`, which a pending-only certificate's list entry shows.
    changeListedCertificate(ctx, job.name, () => ctx.certificates.putOperation(retried(current.value), current.etag)),
  );
  if (!written) return 'dropped';
  await ctx.jobs.enqueue(job, { delaySeconds: cancelledMeanwhile(taken, written) ? 0 : delay });
  return 'retrying';
}

async function endFailed(
  ctx: ServiceContext,
  job: IssuerJob,
  taken: Stored<PendingOperation>,
  error: OperationError,
  recorded: (op: PendingOperation) => PendingOperation = (op) => op,
): Promise<JobOutcome> {
  const now = unixSeconds(ctx.clock);
  const written = await writeLive(ctx, job, taken, (current) =>
    changeListedCertificate(ctx, job.name, () => ctx.certificates.putOperation(failed(recorded(current.value), error, now), current.etag)),
  );
  if (!written) return 'dropped';
  // A renewal's failure is told to its owner; the sweep's retry entry tries again later.
  await tellRenewalEnded(ctx, failed(recorded(written), error, now));
  await removeFirstStatusEntry(ctx, written);
  return 'failed';
}

async function endCancelled(
  ctx: ServiceContext,
  job: IssuerJob,
  taken: Stored<PendingOperation>,
  recorded: (op: PendingOperation) => PendingOperation = (op) => op,
): Promise<JobOutcome> {
  const now = unixSeconds(ctx.clock);
  const written = await writeLive(ctx, job, taken, (current) =>
    changeListedCertificate(ctx, job.name, () => ctx.certificates.putOperation(cancelled(recorded(current.value), now), current.etag)),
  );
  if (!written) return 'dropped';
  await tellRenewalEnded(ctx, cancelled(recorded(written), now));
  await removeFirstStatusEntry(ctx, written);
  return 'cancelled';
}

/**
 * Writes what the provider answered onto the operation, which a caller may have changed meanwhile (a policy
 * update, a cancellation request): a lost conditional write is applied again to what is there now, so the
 * answer (an ACME order, say) is never lost to an unrelated change. False when the operation has finished,
 * been replaced or been deleted meanwhile: then the answer belongs to nothing.
 */
async function writeLive(
  ctx: ServiceContext,
  job: IssuerJob,
  taken: Stored<PendingOperation>,
  write: (current: Stored<PendingOperation>) => Promise<unknown>,
): Promise<PendingOperation | undefined> {
  let current = taken;
  for (let round = 1; ; round++) {
    try {
      await write(current);
      return current.value;
    } catch (error) {
      if (!(error instanceof WriteConflictError) || round >= WRITE_ROUNDS) throw error;
    }
    const fresh = await ctx.certificates.getOperation(job.name);
    if (!fresh || isStale(fresh, job)) return undefined;
    current = fresh;
  }
}

/** An issuer's chain must hold a certificate for the pending key; anything else fails the operation. */
function chainFromIssuer(chain: Buffer[] | ParsedCertificate[], publicKeySpki: Buffer): { certificates: ParsedCertificate[] } | { error: OperationError } {
  try {
    const certificates = orderLeafFirst(chain.map((c) => (Buffer.isBuffer(c) ? parseCertificate(c) : c)));
    const leaf = findLeafForKey(certificates, publicKeySpki);
    if (!leaf) throw new ChainError("The issuer returned a certificate for a different key than the request's.");
    return { certificates: [leaf, ...certificates.filter((c) => c !== leaf)] };
  } catch (error) {
    const message = error instanceof ChainError ? error.message : 'The issuer returned an unreadable certificate chain.';
    return { error: { code: OPERATION_ERROR_CODES.issuerError, message } };
  }
}

/** What the caller reads while the job's own failure (not the issuer's) is retried by the queue. */
export const JOB_ERROR_FOR_CALLERS = 'The service failed while handling this request (an internal error, not the issuer); it will try again.';

/**
 * Records a run that threw (the queue function calls this before handing the message back to the queue):
 * one more failed attempt, with a message for the caller, and no next attempt pending, so the queue's
 * redelivery is due at once.
 */
export async function recordJobFailure(ctx: ServiceContext, job: IssuerJob): Promise<void> {
  const stored = await ctx.certificates.getOperation(job.name);
  if (!stored || isStale(stored, job)) return;
  const now = unixSeconds(ctx.clock);
  const recorded = withAttemptFailed(stored.value, now, { lastError: JOB_ERROR_FOR_CALLERS, maxAttempts: ctx.issuerRetry.maxAttempts });
  await changeListedCertificate(ctx, job.name, () => ctx.certificates.putOperation(recorded, stored.etag));
}

/**
 * A job whose message failed on every delivery (it reached the poison queue) fails its operation, with the
 * number of failed attempts the operation itself recorded: the poison message's own dequeue count is always
 * 1, since it is a new message on another queue.
 */
export async function failPoisonedJob(ctx: ServiceContext, job: IssuerJob): Promise<boolean> {
  const stored = await ctx.certificates.getOperation(job.name);
  if (!stored || isStale(stored, job)) return false;
  const op = stored.value;
  const attempts = op.job.attempts;
  const last = op.job.lastError ? ` The last one: ${op.job.lastError}` : '';
  const error = {
    code: OPERATION_ERROR_CODES.issuerError,
    message: attempts > 0 ? `Issuance was abandoned after ${attempts} failed attempts.${last}` : `Issuance was abandoned after repeated failures of the issuer job.${last}`,
  };
  const ended = failed(op, error, unixSeconds(ctx.clock));
  await changeListedCertificate(ctx, op.name, () => ctx.certificates.putOperation(ended, stored.etag));
  await tellRenewalEnded(ctx, ended);
  return true;
}
