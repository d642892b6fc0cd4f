import { errors } from '../api/errors';
import { unixSeconds } from '../domain/clock';
import { certificatePolicyOf, markedDeleted } from '../domain/pending-operation';
import { deletionAt } from '../domain/soft-delete';
import type { CertificateDeletion, CertificateHead } from '../storage/repositories';
import { WriteConflictError } from '../storage/storage-errors';
import { type CertificateView, isDeleted, latestOf, unissued } from './certificate-reads';
import { changeListedCertificate } from './listing-reconciliation';
import type { ServiceContext } from './service-context';

/** A soft-deleted certificate: what it showed when it was deleted, and the dates of its deletion. */
export interface DeletedCertificate {
  certificate: CertificateView;
  deletion: CertificateDeletion;
}

/** A lost race is retried on fresh state; only a name changed this often by others in the same instant answers 409. */
const MAX_ATTEMPTS = 3;

/**
 * DELETE /certificates/{name}: soft delete. Every row stays where it is; one batch marks the head deleted
 * and rewrites the operation (docs/storage-design.md, rule 3), so a create that read the name before loses
 * its conditional write and then learns that the name is deleted. The operation is also taken out of view,
 * as DELETE /pending does: a request still in progress stops (its job and the sweep drop it) and /pending
 * answers 404 from now on, recovery included.
 *
 * A certificate whose only version is still being requested has no head yet: the delete writes one (its
 * policy, and the version being requested as latest, with no issued copy), so that every certificate, live or
 * deleted, is told by its head.
 *
 * The purge entry is written before the batch and removed if the batch loses: a crash between leaves an
 * entry whose head is not deleted at that date, which the purge timer drops. The batch runs under a
 * reconcile entry (changeListedCertificate), so the list row follows it even if this request stops after it.
 */
export async function deleteCertificate(ctx: ServiceContext, name: string): Promise<DeletedCertificate> {
  for (let attempt = 1; ; attempt++) {
    const { operation, head: stored } = await ctx.certificates.getOperationAndHead(name);
    const op = operation?.value;
    if (isDeleted(stored?.value) || (!stored && !unissued(op))) throw errors.certificateNotFound(name);
    // Every head is written in one batch with its operation: the operation row always exists beside it.
    if (!operation || !op) throw new Error(`Certificate ${name} has a head but no operation row`);

    const now = unixSeconds(ctx.clock);
    const deletion = deletionAt(now, ctx.softDeleteRetentionDays);
    const head: CertificateHead = stored
      ? { ...stored.value, deletion }
      : { name: op.name, policy: certificatePolicyOf(op), latestVersion: op.version, deletion };
    const hidden = op.deleted ? op : markedDeleted(op, now);
    const entry = { name: head.name, scheduledPurgeDate: deletion.scheduledPurgeDate };

    await ctx.purgeSchedule.schedule(entry);
    try {
      await changeListedCertificate(ctx, name, () => ctx.certificates.replaceOperationAndWriteHead({ value: hidden, etag: operation.etag }, head, stored?.etag));
    } catch (error) {
      // Any other failure may have come after the batch committed: the entry stays (the timer drops it if
      // the head is not deleted at that date).
      if (!(error instanceof WriteConflictError)) throw error;
      await ctx.purgeSchedule.remove(entry);
      if (attempt >= MAX_ATTEMPTS) throw errors.concurrentUpdate();
      continue;
    }
    return { certificate: await latestOf(ctx, name, head, hidden), deletion };
  }
}
