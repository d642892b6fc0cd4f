import type { PendingOperation } from '../../shared/domain/pending-operation';

/**
 * A stored pending operation with placeholder key material, for tests of storage and of services that only
 * move operations around (nothing here is ever opened or signed).
 */
export function operationFixture(fields: Pick<PendingOperation, 'name' | 'requestId' | 'version' | 'policy' | 'created'> & Partial<PendingOperation>): PendingOperation {
  return {
    enabled: true,
    tags: {},
    preserveCertOrder: false,
    csr: 'Y3Ny',
    sealedPrivateKey: 'c2VhbGVk',
    publicKeySpki: 'c3BraQ',
    cancellationRequested: false,
    status: 'inProgress',
    statusDetails: 'Pending certificate created.',
    deleted: false,
    updated: fields.created,
    job: { attempts: 0 },
    ...fields,
  };
}
