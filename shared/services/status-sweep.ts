import { unixSeconds } from '../domain/clock';
import { OPERATION_ERROR_CODES, type PendingOperation, failed, isIssuerDriven, isVisible } from '../domain/pending-operation';
import type { DueEntry } from '../storage/repositories';
import { WriteConflictError } from '../storage/storage-errors';
import { changeListedCertificate, reconcileDueListings } from './listing-reconciliation';
import { tellRenewalEnded } from './renewal-outcome';
import type { ServiceContext } from './service-context';

export interface SweepReport {
  due: number;
  redriven: number;
  timedOut: number;
  settled: number;
  /** List rows refreshed for changes that did not finish their own refresh (listing-reconciliation.ts). */
  reconciled: number;
  /** Such refreshes that failed this time; they stay due. */
  reconcileFailed: number;
}

/**
 * The entry a new issuer-driven operation is scheduled with (startIssuedVersion writes it before the
 * operation): due one re-drive interval after the operation was created. Derived here from the operation
 * alone, so the job that ends the operation can remove it without reading the index.
 */
export function firstStatusEntryOf(ctx: Pick<ServiceContext, 'jobRedriveAfterSeconds'>, op: PendingOperation): DueEntry {
  return { name: op.name, requestId: op.requestId, dueAt: op.created + ctx.jobRedriveAfterSeconds };
}

/**
 * An issuer job that has committed its operation's end (issued, failed, cancelled) removes the operation's
 * first entry, which the sweep would otherwise read, find settled and delete (a point read and a delete on
 * the timer, for one delete here). Only called after that end is committed: until then the entry is what
 * re-drives a job that dies, and from then on the sweep would have nothing to do with it. Skipped once the
 * entry has come due: the sweep may have moved it to a later one already (which it still settles), and a
 * delete then would only find nothing. A crash before the delete, or an entry keyed under another re-drive
 * interval, leaves it to the sweep, as before.
 */
export async function removeFirstStatusEntry(ctx: ServiceContext, ended: PendingOperation): Promise<void> {
  const entry = firstStatusEntryOf(ctx, ended);
  if (unixSeconds(ctx.clock) < entry.dueAt) await ctx.dueIndex.remove(entry);
}

/** At most this many due operations per run; the next run takes the rest. */
const BATCH = 200;

/**
 * The status sweep: for each operation that came due, drop the entry if the operation has moved on, fail
 * it if it is older than the maximum age, or else enqueue its job again (a lost job is re-driven; a live
 * one just polls its issuer once more, which is harmless because jobs are idempotent). Then it refreshes
 * the list rows of changes that crashed before refreshing them (docs/storage-design.md, rule 4): another
 * key range of the same table, read on the same timer.
 */
export async function sweepStatuses(ctx: ServiceContext): Promise<SweepReport> {
  const now = unixSeconds(ctx.clock);
  const entries = await ctx.dueIndex.due(now, BATCH);
  const report: SweepReport = { due: entries.length, redriven: 0, timedOut: 0, settled: 0, reconciled: 0, reconcileFailed: 0 };
  for (const entry of entries) {
    const outcome = await sweepOne(ctx, entry, now);
    report[outcome] += 1;
  }
  const reconcile = await reconcileDueListings(ctx);
  report.reconciled = reconcile.reconciled;
  report.reconcileFailed = reconcile.failed;
  return report;
}

async function sweepOne(ctx: ServiceContext, entry: DueEntry, now: number): Promise<'redriven' | 'timedOut' | 'settled'> {
  const stored = await ctx.certificates.getOperation(entry.name);
  const op = stored?.value;
  const live = stored && isVisible(op) && op.requestId === entry.requestId && op.status === 'inProgress' && isIssuerDriven(op);
  if (!live) {
    await ctx.dueIndex.remove(entry);
    return 'settled';
  }
  if (now - op.created >= ctx.operationMaxAgeSeconds) {
    const error = {
      code: OPERATION_ERROR_CODES.timedOut,
      message: `The certificate request did not complete within ${ctx.operationMaxAgeSeconds} seconds and was abandoned.`,
    };
    const ended = failed(op, error, now);
    try {
      await changeListedCertificate(ctx, op.name, () => ctx.certificates.putOperation(ended, stored.etag));
    } catch (e) {
      // The job moved it on meanwhile; the next sweep sees the new state.
      if (!(e instanceof WriteConflictError)) throw e;
      return 'settled';
    }
    await tellRenewalEnded(ctx, ended);
    await ctx.dueIndex.remove(entry);
    return 'timedOut';
  }
  // Next due first, then the old entry goes: a crash in between leaves a duplicate, never a lost operation.
  await ctx.dueIndex.schedule({ ...entry, dueAt: now + ctx.jobRedriveAfterSeconds });
  await ctx.dueIndex.remove(entry);
  await ctx.jobs.enqueue({ name: op.name, requestId: op.requestId });
  return 'redriven';
}
