import { errors } from '../api/errors';
import { unixSeconds } from '../domain/clock';
import {
  type PendingOperation,
  cancelled,
  isIssuerDriven,
  isVisible,
  markedDeleted,
  withCancellationRequested,
} from '../domain/pending-operation';
import type { Stored } from '../storage/repositories';
import { WriteConflictError } from '../storage/storage-errors';
import { changeListedCertificate } from './listing-reconciliation';
import type { ServiceContext } from './service-context';
import { removeFirstStatusEntry } from './status-sweep';

/**
 * The visible pending operation of a certificate, or 404. A `request_id` filter that names another request
 * is a 404 too, as the seed article describes.
 */
export async function requirePendingOperation(
  ctx: ServiceContext,
  name: string,
  requestId?: string | null,
): Promise<Stored<PendingOperation>> {
  const stored = await ctx.certificates.getOperation(name);
  if (!stored || !isVisible(stored.value)) throw errors.pendingNotFound(name);
  if (requestId && requestId !== stored.value.requestId) throw errors.pendingNotFound(name);
  return stored;
}

export async function getPendingOperation(ctx: ServiceContext, name: string, requestId?: string | null): Promise<PendingOperation> {
  return (await requirePendingOperation(ctx, name, requestId)).value;
}

/**
 * PATCH /pending {"cancellation_requested":true}: records the request and wakes the job, which stops the
 * issuer where it can and marks the operation cancelled. A manual (Unknown) request has no issuer to ask,
 * so it is cancelled at once; a merge can still complete it, as after an issuer's cancellation (S7).
 */
export async function requestCancellation(ctx: ServiceContext, name: string, requestId?: string | null): Promise<PendingOperation> {
  return onFreshOperation(ctx, name, requestId, async ({ value: op, etag }) => {
    if (op.status !== 'inProgress') throw errors.cancelNotInProgress(op.status);
    const now = unixSeconds(ctx.clock);
    const requested = withCancellationRequested(op, now);
    const updated = isIssuerDriven(requested) ? requested : cancelled(requested, now);
    await changeListedCertificate(ctx, name, () => ctx.certificates.putOperation(updated, etag));
    if (isIssuerDriven(updated)) await ctx.jobs.enqueue({ name: updated.name, requestId: updated.requestId });
    return updated;
  });
}

/**
 * DELETE /pending: the operation disappears from /pending (404 from now on) and answers as it was. The
 * version it started stays visible, disabled, as on Key Vault. A job still queued for it is dropped. An
 * issuer-driven operation's first status-sweep entry goes with it, as when its job ends it, so the sweep does
 * not read it again only to delete the entry.
 */
export async function deletePendingOperation(ctx: ServiceContext, name: string, requestId?: string | null): Promise<PendingOperation> {
  return onFreshOperation(ctx, name, requestId, async ({ value: op, etag }) => {
    const deleted = markedDeleted(op, unixSeconds(ctx.clock));
    await changeListedCertificate(ctx, name, () => ctx.certificates.putOperation(deleted, etag));
    if (isIssuerDriven(op)) await removeFirstStatusEntry(ctx, deleted);
    return op;
  });
}

/** A caller's change loses only to other callers, not to the issuer job's bookkeeping: that many rounds. */
const CHANGE_ROUNDS = 5;

/**
 * Applies a caller's change to the operation as it is now. The issuer job writes the operation on every step
 * (its claim, then the provider's answer), so a cancel or delete that read it just before loses the conditional
 * write; it is decided again on the fresh state (which may now say the operation is finished) instead of
 * answering a spurious 409.
 */
export async function onFreshOperation<T>(
  ctx: ServiceContext,
  name: string,
  requestId: string | null | undefined,
  change: (stored: Stored<PendingOperation>) => Promise<T>,
): Promise<T> {
  for (let round = 1; ; round++) {
    try {
      return await change(await requirePendingOperation(ctx, name, requestId));
    } catch (error) {
      if (!(error instanceof WriteConflictError)) throw error;
      if (round >= CHANGE_ROUNDS) throw errors.concurrentUpdate();
    }
  }
}
