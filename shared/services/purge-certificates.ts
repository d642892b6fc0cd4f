import { errors } from '../api/errors';
import { unixSeconds } from '../domain/clock';
import { deletionUnderWay } from '../domain/soft-delete';
import { type CertificateDeletion, type CertificateHead, MAX_ROWS_PER_BATCH, type PurgeEntry } from '../storage/repositories';
import type { PendingOperation } from '../domain/pending-operation';
import { WriteConflictError } from '../storage/storage-errors';
import { changeListedCertificate } from './listing-reconciliation';
import type { ServiceContext } from './service-context';
import { type SweepBudget, drainDue, sweepBudget } from './sweep-drain';

const MAX_ATTEMPTS = 3;

/** 'stale': the name is not deleted (any more), or not by the deletion the caller meant; nothing was done. */
type PurgeOutcome = 'purged' | 'stale';

/** What the purge steps start from: the head marked purging, and the operation row beside it. */
interface Purging {
  head: CertificateHead;
  deletion: CertificateDeletion;
  operation: PendingOperation | undefined;
}

/**
 * Step 1: one batch marks the head purging (rule 3: with the operation), after which nothing else may change
 * the certificate (create, import and recover answer 409 ObjectIsBeingDeleted). A head already purging is a
 * purge that crashed or runs elsewhere: the steps continue it. With `scheduledPurgeDate`, only that deletion
 * is purged (a due entry left by an earlier delete of a name since recovered and deleted again is stale).
 */
async function markPurging(ctx: ServiceContext, name: string, scheduledPurgeDate: number | undefined): Promise<Purging | undefined> {
  for (let attempt = 1; ; attempt++) {
    const { operation, head: stored } = await ctx.certificates.getOperationAndHead(name);
    const deletion = stored?.value.deletion;
    if (!stored || !deletion) return undefined;
    if (scheduledPurgeDate !== undefined && deletion.scheduledPurgeDate !== scheduledPurgeDate) return undefined;
    if (deletion.purging) return { head: stored.value, deletion, operation: operation?.value };
    if (!operation) throw new Error(`Certificate ${name} has a head but no operation row`);
    const purging = { ...deletion, purging: true };
    const head = { ...stored.value, deletion: purging };
    try {
      await ctx.certificates.replaceOperationAndWriteHead(operation, head, stored.etag);
      return { head, deletion: purging, operation: operation.value };
    } catch (error) {
      if (!(error instanceof WriteConflictError)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw errors.concurrentUpdate();
    }
  }
}

/**
 * The purge (docs/storage-design.md, "Purge: a due index, not a scan"): head marked purging, then the version
 * rows in batches of at most 100, then the renewal status, then head and operation together, then the list index and the due entry.
 * A crash anywhere leaves the head, so the name still answers 409 and the entry is still due: the next run,
 * or another purge call, continues from where this one stopped. Cost: O(versions / 100) batches.
 */
async function purge(ctx: ServiceContext, name: string, scheduledPurgeDate?: number): Promise<PurgeOutcome> {
  const purging = await markPurging(ctx, name, scheduledPurgeDate);
  if (!purging) return 'stale';
  for (;;) {
    const page = await ctx.certificates.listVersions(name, MAX_ROWS_PER_BATCH);
    if (page.versions.length === 0) break;
    try {
      await ctx.certificates.deleteVersions(name, page.versions.map((v) => v.version));
    } catch (error) {
      // Another purge of the same name removed some of them first: read what is left.
      if (!(error instanceof WriteConflictError)) throw error;
    }
  }
  // The renewal status before the head: a crash in between leaves a purging head, which the next run finishes;
  // a status outliving its head would show on a new certificate of the same name.
  await ctx.renewalStatus.remove(name);
  // Once head and operation are gone the purge entry is stale, so the list row has its own entry.
  await changeListedCertificate(ctx, name, () => deleteHeadAndOperation(ctx, purging));
  await ctx.purgeSchedule.remove({ name: purging.head.name, scheduledPurgeDate: purging.deletion.scheduledPurgeDate });
  return 'purged';
}

async function deleteHeadAndOperation(ctx: ServiceContext, purging: Purging): Promise<void> {
  try {
    await ctx.certificates.deleteHeadAndOperation(purging.head, purging.operation);
  } catch (error) {
    // Another purge got there first; what it leaves is what this one would.
    if (!(error instanceof WriteConflictError) || (await ctx.certificates.getHead(purging.head.name))) throw error;
  }
}

/** DELETE /deletedcertificates/{name}: the purge's steps, at once, whenever the certificate is deleted. */
export async function purgeDeletedCertificate(ctx: ServiceContext, name: string): Promise<void> {
  if (ctx.deletionMinSeconds > 0) {
    // Purging a deletion still under way is Key Vault's 409; only a deployment that slows deletions pays this read.
    const deletion = (await ctx.certificates.getHead(name))?.deletion;
    if (deletion && !deletion.purging && deletionUnderWay(deletion, unixSeconds(ctx.clock), ctx.deletionMinSeconds)) throw errors.certificateBeingDeleted();
  }
  if ((await purge(ctx, name)) === 'stale') throw errors.deletedCertificateNotFound(name);
}

export interface PurgeReport {
  due: number;
  purged: number;
  /** Entries whose certificate was recovered, or deleted again since (the newer deletion has its own entry). */
  dropped: number;
  /** Purges that failed this time; their entries stay due for the next run. */
  failed: number;
  /** The run's time budget ran out with purges still due: the next run takes them. */
  stoppedAtBudget?: true;
}

/**
 * The purge timer: reads only the purge entries that are due (key ranges of the due index, batch after batch
 * within the run's budget: sweep-drain.ts), and purges them a few names at a time. Cost grows with what is
 * due, never with how many certificates are stored or deleted.
 */
export async function purgeDueCertificates(
  ctx: ServiceContext,
  log: (message: string) => void = () => undefined,
  budget: SweepBudget = sweepBudget(ctx.clock),
): Promise<PurgeReport> {
  const now = unixSeconds(ctx.clock);
  const report: PurgeReport = { due: 0, purged: 0, dropped: 0, failed: 0 };
  const drained = await drainDue(ctx.clock, budget, {
    due: (limit) => ctx.purgeSchedule.due(now, limit),
    idOf: (entry) => `${entry.name.toLowerCase()}/${entry.scheduledPurgeDate}`,
    certificateOf: (entry) => entry.name,
    handle: async (entry) => {
      report[await purgeOne(ctx, entry, log)] += 1;
    },
  });
  report.due = drained.taken;
  if (drained.stoppedAtBudget) report.stoppedAtBudget = true;
  return report;
}

async function purgeOne(ctx: ServiceContext, entry: PurgeEntry, log: (message: string) => void): Promise<'purged' | 'dropped' | 'failed'> {
  try {
    if ((await purge(ctx, entry.name, entry.scheduledPurgeDate)) === 'purged') return 'purged';
    await ctx.purgeSchedule.remove(entry);
    return 'dropped';
  } catch (error) {
    // One certificate that cannot be purged now must not hold back the others.
    log(`Purge of ${entry.name} failed, will retry: ${error instanceof Error ? error.message : String(error)}`);
    return 'failed';
  }
}
