import { errors } from '../../../shared/api/errors';
import { createCertificate } from '../../../shared/services/create-certificate';
import { deletePendingOperation, getPendingOperation, requestCancellation } from '../../../shared/services/pending-operations';
import type { ServiceContext } from '../../../shared/services/service-context';
import type { CertificateRepository } from '../../../shared/storage/repositories';
import { WriteConflictError } from '../../../shared/storage/storage-errors';
import { memoryServiceContext } from '../../helpers/service-context';

const manualBody = { policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: 'CN=manual' }, issuer: { name: 'Unknown' } } };

/**
 * A repository whose operation writes lose `losses` times, as when the issuer job writes the operation (its
 * claim, then the provider's answer) between a caller's read and its conditional write.
 */
function losingWrites(ctx: ServiceContext, losses: number): ServiceContext {
  let left = losses;
  const certificates = Object.assign(Object.create(ctx.certificates) as CertificateRepository, {
    putOperation(...args: Parameters<CertificateRepository['putOperation']>) {
      if (left-- > 0) return Promise.reject(new WriteConflictError('operation: another request changed it first'));
      return ctx.certificates.putOperation(...args);
    },
  });
  return { ...ctx, certificates };
}

describe('a caller changing the pending operation while the issuer job writes it', () => {
  it('cancels on the fresh state instead of answering 409 when the job wrote in between', async () => {
    const { ctx } = memoryServiceContext();
    await createCertificate(ctx, 'raced', manualBody);
    const op = await requestCancellation(losingWrites(ctx, 2), 'raced');
    expect(op.status).toBe('cancelled');
    expect((await getPendingOperation(ctx, 'raced')).status).toBe('cancelled');
  });

  it('deletes on the fresh state the same way', async () => {
    const { ctx } = memoryServiceContext();
    await createCertificate(ctx, 'raced-delete', manualBody);
    await deletePendingOperation(losingWrites(ctx, 2), 'raced-delete');
    await expect(getPendingOperation(ctx, 'raced-delete')).rejects.toEqual(errors.pendingNotFound('raced-delete'));
  });

  it('answers 409 only when it keeps losing, writing nothing', async () => {
    const { ctx } = memoryServiceContext();
    await createCertificate(ctx, 'contended', manualBody);
    await expect(requestCancellation(losingWrites(ctx, 5), 'contended')).rejects.toEqual(errors.concurrentUpdate());
    expect((await getPendingOperation(ctx, 'contended')).status).toBe('inProgress');
  });
});

describe('DELETE /pending of an operation its issuer drives', () => {
  it('takes the operation\'s status-sweep entry with it, so the sweep has nothing left to read for it', async () => {
    const { ctx } = memoryServiceContext();
    const issued = { policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: 'CN=driven' }, issuer: { name: 'Self' } } };
    await createCertificate(ctx, 'driven', issued);
    const far = Number.MAX_SAFE_INTEGER;
    expect((await ctx.dueIndex.due(far, 10)).map((entry) => entry.name)).toEqual(['driven']);
    await deletePendingOperation(ctx, 'driven');
    expect(await ctx.dueIndex.due(far, 10)).toEqual([]);
  });
});
