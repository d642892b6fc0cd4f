import { unixSeconds } from '../domain/clock';
import type { OperationError, PendingOperation } from '../domain/pending-operation';
import { type RenewalOrigin, renewalStatusOfEnded } from '../domain/renewal-status';
import type { ServiceContext } from './service-context';

/**
 * Keeps each certificate's last renewal outcome (shared/domain/renewal-status.ts) as the lifetime sweep and
 * the renewal's operation make it, and tells a renewal whose operation failed as CertificateRenewalFailed.
 * The status is for reading only: failing to write it is reported to operators, never allowed to change what
 * the sweep or the job does (the retry entry, not the status, is what brings the next attempt).
 */

type Context = Pick<ServiceContext, 'renewalStatus' | 'certificates' | 'lifetimeEvents' | 'clock' | 'warn'>;

async function reported(ctx: Context, name: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    ctx.warn(`The renewal status of ${name} was not recorded: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The sweep started attempt `origin.attempt` as operation `requestId`. */
export async function recordRenewalStarted(ctx: Context, name: string, requestId: string, origin: RenewalOrigin): Promise<void> {
  const status = { name, fromVersion: origin.fromVersion, attempt: origin.attempt, outcome: 'started' as const, at: unixSeconds(ctx.clock), requestId, nextRetryAt: origin.retryAt };
  await reported(ctx, name, () => ctx.renewalStatus.putStarted(status));
}

/**
 * The sweep found another version being made. When that is an earlier renewal still under way, its status
 * stays and only the retry time moves; otherwise the attempt could not start.
 */
export async function recordRenewalBusy(ctx: Context, name: string, error: OperationError, origin: RenewalOrigin): Promise<void> {
  await reported(ctx, name, async () => {
    const stored = await ctx.renewalStatus.get(name);
    if (stored?.outcome === 'started') await ctx.renewalStatus.put({ ...stored, nextRetryAt: origin.retryAt });
    else await ctx.renewalStatus.put({ name, fromVersion: origin.fromVersion, attempt: origin.attempt, outcome: 'couldNotStart', at: unixSeconds(ctx.clock), error, nextRetryAt: origin.retryAt });
  });
}

/** The sweep could not start the attempt (told to the owner as `error`). */
export async function recordRenewalNotStarted(ctx: Context, name: string, error: OperationError, origin: RenewalOrigin): Promise<void> {
  const status = { name, fromVersion: origin.fromVersion, attempt: origin.attempt, outcome: 'couldNotStart' as const, at: unixSeconds(ctx.clock), error, nextRetryAt: origin.retryAt };
  await reported(ctx, name, () => ctx.renewalStatus.put(status));
}

/**
 * A renewal's operation ended (its final write has landed): its outcome, and for a failure the
 * CertificateRenewalFailed event about the version still in service, with the attempt and request id as its
 * occurrence. Like CertificateNewVersionCreated, the event is at-most-once here: the operation's end stands
 * whatever happens to the telling, and a failed write of it is reported, not thrown. Nothing for an operation
 * the sweep did not start.
 */
export async function tellRenewalEnded(ctx: Context, op: PendingOperation): Promise<void> {
  const ended = renewalStatusOfEnded(op, unixSeconds(ctx.clock));
  if (!ended) return;
  await reported(ctx, op.name, async () => {
    // A later sweep run that found this operation still under way moved the retry time on (recordRenewalBusy).
    const stored = await ctx.renewalStatus.get(op.name);
    const movedRetry = stored?.requestId === op.requestId ? stored.nextRetryAt : undefined;
    const status = ended.nextRetryAt !== undefined && movedRetry !== undefined ? { ...ended, nextRetryAt: Math.max(ended.nextRetryAt, movedRetry) } : ended;
    await ctx.renewalStatus.put(status);
    if (status.outcome !== 'failed' || status.nextRetryAt === undefined) return;
    const head = await ctx.certificates.getHead(op.name);
    if (!head?.latest || head.deletion) return;
    await ctx.lifetimeEvents.renewalFailed({
      name: head.name,
      version: head.latestVersion,
      notBefore: head.latest.notBefore,
      expires: head.latest.expires,
      error: status.error ?? { code: 'RenewalFailed', message: 'The renewal failed.' },
      attempt: status.attempt,
      retryAt: status.nextRetryAt,
      requestId: op.requestId,
    });
  });
}
