import { resolvePolicy } from '../../../shared/domain/policy-resolution';
import {
  type PendingOperation,
  blocksNewVersion,
  cancelled,
  completed,
  failed,
  isIssuerDriven,
  isVisible,
  markedDeleted,
  statusDetailsOnCreate,
} from '../../../shared/domain/pending-operation';

function operation(issuer: string): PendingOperation {
  return {
    name: 'cert1',
    requestId: 'r1',
    version: '0'.repeat(32),
    policy: resolvePolicy({ x509_props: { subject: 'CN=x' }, issuer: { name: issuer } }, 100),
    enabled: true,
    tags: {},
    preserveCertOrder: false,
    csr: 'MII',
    sealedPrivateKey: 'v1.x',
    publicKeySpki: 'MII',
    cancellationRequested: false,
    status: 'inProgress',
    statusDetails: statusDetailsOnCreate(issuer),
    deleted: false,
    created: 100,
    updated: 100,
    job: { attempts: 0 },
  };
}

describe('pending operation state', () => {
  it('blocks a new create only while in progress and not deleted (S5, S6)', () => {
    const op = operation('Self');
    expect(blocksNewVersion(undefined)).toBe(false);
    expect(blocksNewVersion(op)).toBe(true);
    expect(blocksNewVersion(completed(op, 101))).toBe(false);
    expect(blocksNewVersion(failed(op, { code: 'c', message: 'm' }, 101))).toBe(false);
    expect(blocksNewVersion(cancelled(op, 101))).toBe(false);
    expect(blocksNewVersion(markedDeleted(op, 101))).toBe(false);
  });

  it('asks for a merge when the issuer is Unknown (S10)', () => {
    expect(operation('Unknown').statusDetails).toBe('Pending certificate created. Please Perform Merge to complete the request.');
    expect(isIssuerDriven(operation('Unknown'))).toBe(false);
    expect(isIssuerDriven(operation('Self'))).toBe(true);
  });

  it('drops status details and errors on completion, and sets them on failure and cancellation (S3, S4)', () => {
    const done = completed(operation('Self'), 101);
    expect(done.status).toBe('completed');
    expect(done.statusDetails).toBeUndefined();
    expect(done.error).toBeUndefined();

    const gone = cancelled(operation('Self'), 101);
    expect(gone.status).toBe('cancelled');
    expect(gone.error?.code).toBe('RequestCancelled');

    const broken = failed(operation('Self'), { code: 'CertificateIssuerError', message: 'CA said no' }, 101);
    expect(broken.status).toBe('failed');
    expect(broken.error).toEqual({ code: 'CertificateIssuerError', message: 'CA said no' });
  });

  it('hides a deleted operation (S9)', () => {
    expect(isVisible(markedDeleted(operation('Self'), 101))).toBe(false);
    expect(isVisible(operation('Self'))).toBe(true);
  });
});
