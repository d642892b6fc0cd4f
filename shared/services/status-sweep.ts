import { unixSeconds } from '../domain/clock';
import { OPERATION_ERROR_CODES, type PendingOperation, failed, isIssuerDriven, isVisible } from '../domain/pending-operation';
import type { DueEntry } from '../storage/repositories';
import { WriteConflictError } from '../storage/storage-errors';
import { changeListedCertificate, reconcileDueListings } from './listing-reconciliation';
import { tellRenewalEnded } from './renewal-outcome';
import type { ServiceContext } from './service-context';
import { type SweepBudget, drainDue, sweepBudget } from './sweep-drain';

export interface SweepReport {
  due: number;
  redriven: number;
  timedOut: number;
  settled: number;
  /** List rows refreshed for changes that did not finish their own refresh (listing-reconciliation.ts). */
  reconciled: number;
  /** Such refreshes that failed this time; they stay due. */
  reconcileFailed: number;
  /** Entries that could not be handled this time (storage failing); they stay due for the next run. */
  failed: number;
  /** The run's time budget ran out with entries still due: the next run takes them. */
  stoppedAtBudget?: true;
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

/**
 * The status sweep: for each operation that came due, drop the entry if the operation has moved on, fail
 * it if it is older than the maximum age, or else enqueue its job again (a lost job is re-driven; a live
 * one just polls its issuer once more, which is harmless because jobs are idempotent). Then it refreshes
 * the list rows of changes that crashed before refreshing them (docs/storage-design.md, rule 4): another
 * key range of the same table, read on the same timer. Both drain what is due within the run's budgets, a
 * few certificates at a time (sweep-drain.ts): the operations until `budget`, the list rows until
 * `reconcileBudget` (the rest of the run: an operations backlog does not starve them).
 */
export async function sweepStatuses(
  ctx: ServiceContext,
  log: (message: string) => void = () => undefined,
  budget: SweepBudget = sweepBudget(ctx.clock, 0.75),
  reconcileBudget: SweepBudget = sweepBudget(ctx.clock),
): Promise<SweepReport> {
  const now = unixSeconds(ctx.clock);
  const report: SweepReport = { due: 0, redriven: 0, timedOut: 0, settled: 0, reconciled: 0, reconcileFailed: 0, failed: 0 };
  const drained = await drainDue(ctx.clock, budget, {
    due: (limit) => ctx.dueIndex.due(now, limit),
    idOf: (entry) => `${entry.name.toLowerCase()}/${entry.requestId}/${entry.dueAt}`,
    certificateOf: (entry) => entry.name,
    handle: async (entry) => {
      try {
        report[await sweepOne(ctx, entry, now)] += 1;
      } catch (error) {
        // One operation that cannot be handled now must not hold back the others; its entry stays due.
        log(`Status sweep of ${entry.name} failed, will retry: ${error instanceof Error ? error.message : String(error)}`);
        report.failed += 1;
      }
    },
  });
  report.due = drained.taken;
  const reconcile = await reconcileDueListings(ctx, reconcileBudget);
  report.reconciled = reconcile.reconciled;
  report.reconcileFailed = reconcile.failed;
  if (drained.stoppedAtBudget || reconcile.stoppedAtBudget) report.stoppedAtBudget = true;
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
