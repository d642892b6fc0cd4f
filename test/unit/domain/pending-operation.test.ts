import { resolvePolicy } from '../../../shared/domain/policy-resolution';
import {
  type PendingOperation,
  blocksNewVersion,
  cancelled,
  completed,
  failed,
  isIssuerDriven,
  isVisible,
  issuableFromFor,
  markedDeleted,
  secondsUntilIssuable,
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

  it('drops status details and errors on completion and cancellation, and sets them on failure (S3, S4)', () => {
    const done = completed(operation('Self'), 101);
    expect(done.status).toBe('completed');
    expect(done.statusDetails).toBeUndefined();
    expect(done.error).toBeUndefined();

    // As Key Vault's recordings show: an error here makes the JS SDK's getCertificateOperation throw.
    const gone = cancelled({ ...operation('Self'), cancellationRequested: true }, 101);
    expect(gone.status).toBe('cancelled');
    expect(gone.cancellationRequested).toBe(true);
    expect(gone).not.toHaveProperty('statusDetails');
    expect(gone).not.toHaveProperty('error');

    const broken = failed(operation('Self'), { code: 'CertificateIssuerError', message: 'CA said no' }, 101);
    expect(broken.status).toBe('failed');
    expect(broken.statusDetails).toBe('');
    expect(broken.error).toEqual({ code: 'CertificateIssuerError', message: 'CA said no' });
  });

  it('holds issuance back until the minimum issuance time has passed, never less', () => {
    expect(issuableFromFor(100_000, 0)).toBeUndefined();
    expect(issuableFromFor(100_000, 5)).toBe(105);
    // Rounded up to whole seconds: a create at 100.2 s is not issuable before 105.2 s.
    expect(issuableFromFor(100_200, 5)).toBe(106);

    const op = { ...operation('Self'), issuableFrom: 106 };
    expect(secondsUntilIssuable(op, 100_200)).toBe(6);
    expect(secondsUntilIssuable(op, 105_001)).toBe(1);
    expect(secondsUntilIssuable(op, 106_000)).toBe(0);
    expect(secondsUntilIssuable(op, 200_000)).toBe(0);
    expect(secondsUntilIssuable(operation('Self'), 0)).toBe(0);
  });

  it('hides a deleted operation (S9)', () => {
    expect(isVisible(markedDeleted(operation('Self'), 101))).toBe(false);
    expect(isVisible(operation('Self'))).toBe(true);
  });
});
