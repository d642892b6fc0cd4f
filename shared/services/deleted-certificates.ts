import { errors } from '../api/errors';
import { unixSeconds } from '../domain/clock';
import { deletionUnderWay } from '../domain/soft-delete';
import { WriteConflictError } from '../storage/storage-errors';
import { type CertificateView, latestOf } from './certificate-reads';
import { changeListedCertificate } from './listing-reconciliation';
import { scheduleLifetimeOf } from './lifetime-entries';
import type { DeletedCertificate } from './delete-certificate';
import type { ServiceContext } from './service-context';

const MAX_ATTEMPTS = 3;

/**
 * GET /deletedcertificates/{name}: the certificate as it was when deleted, with its deletion's dates. Read
 * from the head and the operation (read together: one request), as GET of the live certificate is.
 */
export async function getDeletedCertificate(ctx: ServiceContext, name: string): Promise<DeletedCertificate> {
  const { operation, head: stored } = await ctx.certificates.getOperationAndHead(name);
  const head = stored?.value;
  if (!head?.deletion || deletionUnderWay(head.deletion, unixSeconds(ctx.clock), ctx.deletionMinSeconds)) throw errors.deletedCertificateNotFound(name);
  return { certificate: await latestOf(ctx, name, head, operation?.value), deletion: head.deletion };
}

/**
 * POST /deletedcertificates/{name}/recover: the head is live again, in one batch with the operation (rule 3),
 * and the purge entry goes after it (a crash in between leaves an entry the timer drops, since the head is
 * no longer deleted). Refused while a purge runs: the certificate is already partly gone.
 */
export async function recoverDeletedCertificate(ctx: ServiceContext, name: string): Promise<CertificateView> {
  for (let attempt = 1; ; attempt++) {
    const { operation, head: stored } = await ctx.certificates.getOperationAndHead(name);
    const deletion = stored?.value.deletion;
    if (!stored || !deletion) throw errors.deletedCertificateNotFound(name);
    if (deletion.purging || deletionUnderWay(deletion, unixSeconds(ctx.clock), ctx.deletionMinSeconds)) throw errors.certificateBeingDeleted();
    if (!operation) throw new Error(`Certificate ${name} has a head but no operation row`);

    const { deletion: _deletion, ...live } = stored.value;
    // A recovered certificate's lifetime action is due again (its entry was dropped while it was deleted).
    await scheduleLifetimeOf(ctx, live);
    try {
      await changeListedCertificate(ctx, name, () => ctx.certificates.replaceOperationAndWriteHead(operation, live, stored.etag));
    } catch (error) {
      if (!(error instanceof WriteConflictError)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw errors.concurrentUpdate();
      continue;
    }
    await ctx.purgeSchedule.remove({ name: live.name, scheduledPurgeDate: deletion.scheduledPurgeDate });
    return latestOf(ctx, name, live, operation.value);
  }
}
