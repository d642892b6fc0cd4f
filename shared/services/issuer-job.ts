import { openPrivateKey } from '../crypto/key-encryption';
import { ChainError, type ParsedCertificate, findLeafForKey, orderLeafFirst, parseCertificate } from '../crypto/certificate-chain';
import { SELF_ISSUER } from '../domain/certificate-policy';
import { unixSeconds } from '../domain/clock';
import {
  type OperationError,
  OPERATION_ERROR_CODES,
  cancelled,
  failed,
  isIssuerDriven,
  isVisible,
  secondsUntilIssuable,
  withJobAttempt,
} from '../domain/pending-operation';
import type { IssuerJob, Stored } from '../storage/repositories';
import type { PendingOperation } from '../domain/pending-operation';
import { keyBinding } from './new-version';
import { changeListedCertificate } from './listing-reconciliation';
import { finishOperation } from './finish-operation';
import type { ServiceContext } from './service-context';

/**
 * What a job run did; the queue function logs it. 'deferred': the operation is younger than the minimum
 * issuance time, and the job put itself back on the queue, invisible until then.
 */
export type JobOutcome = 'dropped' | 'deferred' | 'issued' | 'pending' | 'failed' | 'cancelled';

/** The message is for an operation that no longer exists in that form: nothing to do, ever. */
function isStale(stored: Stored<PendingOperation> | undefined, job: IssuerJob): boolean {
  return !stored || !isVisible(stored.value) || stored.value.requestId !== job.requestId || stored.value.status !== 'inProgress' || !isIssuerDriven(stored.value);
}

/**
 * Drives one operation by one step with its issuer. Safe to run twice: a finished, replaced or deleted
 * operation makes the job a no-op, and every change is a conditional write (a lost race throws, and the
 * queue retries against the new state). Transient failures throw so the host retries with back-off.
 */
export async function runIssuerJob(ctx: ServiceContext, job: IssuerJob): Promise<JobOutcome> {
  const stored = await ctx.certificates.getOperation(job.name);
  if (!stored || isStale(stored, job)) return 'dropped';
  const op = stored.value;
  const now = unixSeconds(ctx.clock);

  if (op.cancellationRequested) {
    await changeListedCertificate(ctx, op.name, () => ctx.certificates.putOperation(cancelled(op, now), stored.etag));
    return 'cancelled';
  }

  // Never sleep in a job: a message that comes back when the operation is old enough costs nothing meanwhile.
  const wait = secondsUntilIssuable(op, ctx.clock().getTime());
  if (wait > 0) {
    await ctx.jobs.enqueue(job, { delaySeconds: wait });
    return 'deferred';
  }

  // Stale (and so manual) operations were dropped above: only Self has no issuer object.
  const issuer = op.policy.issuer.name !== SELF_ISSUER ? await ctx.issuers.get(op.policy.issuer.name) : undefined;
  const provider = ctx.providers(op.policy.issuer.name, issuer);
  const step = await provider.advance({
    name: op.name,
    requestId: op.requestId,
    csrDer: Buffer.from(op.csr, 'base64'),
    policy: op.policy,
    privateKeyPkcs8: () => openPrivateKey(ctx.keyEncryptionKey, op.sealedPrivateKey, keyBinding(op.name, op.version)),
    publicKeySpki: Buffer.from(op.publicKeySpki, 'base64'),
    ...(issuer ? { issuer } : {}),
    now: ctx.clock(),
  });

  switch (step.kind) {
    case 'pending':
      return 'pending';
    case 'failed':
      await changeListedCertificate(ctx, op.name, () => ctx.certificates.putOperation(failed(op, { code: step.code, message: step.message }, now), stored.etag));
      return 'failed';
    case 'issued': {
      const chain = chainFromIssuer(step.chainDer, Buffer.from(op.publicKeySpki, 'base64'));
      if ('error' in chain) {
        await changeListedCertificate(ctx, op.name, () => ctx.certificates.putOperation(failed(op, chain.error, now), stored.etag));
        return 'failed';
      }
      await finishOperation(ctx, stored, chain.certificates);
      return 'issued';
    }
  }
}

/** An issuer's chain must hold a certificate for the pending key; anything else fails the operation. */
function chainFromIssuer(chainDer: Buffer[], publicKeySpki: Buffer): { certificates: ParsedCertificate[] } | { error: OperationError } {
  try {
    const certificates = orderLeafFirst(chainDer.map((der) => parseCertificate(der)));
    const leaf = findLeafForKey(certificates, publicKeySpki);
    if (!leaf) throw new ChainError("The issuer returned a certificate for a different key than the request's.");
    return { certificates: [leaf, ...certificates.filter((c) => c !== leaf)] };
  } catch (error) {
    const message = error instanceof ChainError ? error.message : 'The issuer returned an unreadable certificate chain.';
    return { error: { code: OPERATION_ERROR_CODES.issuerError, message } };
  }
}

/** Records a failed attempt on the operation (visible through the `job` property) before the host retries. */
export async function recordJobAttempt(ctx: ServiceContext, job: IssuerJob, lastError: string): Promise<void> {
  const stored = await ctx.certificates.getOperation(job.name);
  if (!stored || isStale(stored, job)) return;
  // The attempt moves the operation's `updated`, which a pending-only certificate's list entry shows.
  await changeListedCertificate(ctx, job.name, () => ctx.certificates.putOperation(withJobAttempt(stored.value, unixSeconds(ctx.clock), lastError), stored.etag));
}

/** A job that failed on every attempt (its message reached the poison queue) fails its operation. */
export async function failPoisonedJob(ctx: ServiceContext, job: IssuerJob, attempts: number): Promise<boolean> {
  const stored = await ctx.certificates.getOperation(job.name);
  if (!stored || isStale(stored, job)) return false;
  const op = stored.value;
  const reason = op.job.lastError ? `: ${op.job.lastError}` : '';
  const error = {
    code: OPERATION_ERROR_CODES.issuerError,
    message: `The issuer job failed ${attempts} times and was abandoned${reason}`,
  };
  await changeListedCertificate(ctx, op.name, () => ctx.certificates.putOperation(failed(op, error, unixSeconds(ctx.clock)), stored.etag));
  return true;
}
