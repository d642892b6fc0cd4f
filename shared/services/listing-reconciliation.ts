import { randomBytes } from 'node:crypto';
import { unixSeconds } from '../domain/clock';
import type { ReconcileEntry } from '../storage/repositories';
import { WriteConflictError } from '../storage/storage-errors';
import { type WrittenState, refreshListing } from './certificate-listing';
import type { ServiceContext } from './service-context';
import { type SweepBudget, drainDue, sweepBudget } from './sweep-drain';

/**
 * How long a change has to refresh its own list row before the sweep does it. Longer than any request takes,
 * so the sweep does not re-derive a row under a change still in flight (doing so would be harmless, since a
 * refresh converges, only wasted).
 */
export const RECONCILE_GRACE_SECONDS = 60;

/** What a listed change needs: the certificates, the index, and the schedule that covers the gap between them. */
export type ReconcileContext = Pick<ServiceContext, 'certificates' | 'listings' | 'reconcileSchedule' | 'clock'>;

/**
 * Runs `change`, a change of one certificate that its list row shows (its one batch, storage-design rule 2),
 * and brings the row up to date, under a reconcile entry (rule 4): the entry is written before the change and
 * removed after the refresh, so a crash or a storage error in between leaves the entry, and the sweep
 * refreshes the row once it is due. Two more requests per change, one before and one after.
 *
 * A change that throws a WriteConflictError lost its conditional write, so it committed nothing: its entry
 * goes at once. Any other failure may have come after the commit: the entry stays for the sweep, which finds
 * the row already right if the change never happened.
 *
 * `written`: what the change writes, when its caller knows it, which spares the refresh a read (see
 * WrittenState in certificate-listing.ts).
 */
export async function changeListedCertificate<T>(ctx: ReconcileContext, name: string, change: () => Promise<T>, written?: WrittenState): Promise<T> {
  const entry: ReconcileEntry = { name, dueAt: unixSeconds(ctx.clock) + RECONCILE_GRACE_SECONDS, changeId: randomBytes(6).toString('hex') };
  await ctx.reconcileSchedule.schedule(entry);
  let result: T;
  try {
    result = await change();
  } catch (error) {
    if (error instanceof WriteConflictError) await ctx.reconcileSchedule.remove(entry);
    throw error;
  }
  await refreshListing(ctx, name, written);
  await ctx.reconcileSchedule.remove(entry);
  return result;
}

export interface ReconcileReport {
  reconciled: number;
  /** Refreshes that failed this time; their entries stay due for the next run. */
  failed: number;
  /** The budget ran out with entries still due: the next run takes them. */
  stoppedAtBudget?: true;
}

/**
 * The sweep's second duty: refreshes the list row of every name whose change did not finish its own refresh,
 * reading only the reconcile entries that are due (key ranges, batch after batch within the budget:
 * sweep-drain.ts), so its cost grows with what is due.
 */
export async function reconcileDueListings(ctx: ReconcileContext, budget: SweepBudget = sweepBudget(ctx.clock)): Promise<ReconcileReport> {
  const now = unixSeconds(ctx.clock);
  const report: ReconcileReport = { reconciled: 0, failed: 0 };
  const drained = await drainDue(ctx.clock, budget, {
    due: (limit) => ctx.reconcileSchedule.due(now, limit),
    idOf: (entry) => `${entry.name.toLowerCase()}/${entry.changeId}/${entry.dueAt}`,
    certificateOf: (entry) => entry.name,
    handle: async (entry) => {
      try {
        await refreshListing(ctx, entry.name);
        await ctx.reconcileSchedule.remove(entry);
        report.reconciled += 1;
      } catch {
        // One name that cannot be refreshed now must not hold back the others.
        report.failed += 1;
      }
    },
  });
  if (drained.stoppedAtBudget) report.stoppedAtBudget = true;
  return report;
}
