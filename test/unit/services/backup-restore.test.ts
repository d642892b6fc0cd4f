import { X509Certificate, createHash, createPrivateKey, createPublicKey, randomBytes, verify } from 'node:crypto';
import { KeyVaultError } from '../../../shared/api/key-vault-error';
import { sealBackup } from '../../../shared/crypto/backup-envelope';
import { resolvePolicy } from '../../../shared/domain/policy-resolution';
import type { CertificateVersion } from '../../../shared/domain/certificate-version';
import { completed } from '../../../shared/domain/pending-operation';
import { MAX_BACKUP_VERSIONS, backupCertificate } from '../../../shared/services/backup-certificate';
import { getLatestCertificate } from '../../../shared/services/certificate-reads';
import { getCertificateSecret } from '../../../shared/services/certificate-secret';
import { createCertificate } from '../../../shared/services/create-certificate';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { signWithKey } from '../../../shared/services/key-operations';
import { getPendingOperation } from '../../../shared/services/pending-operations';
import { restoreCertificateBackup } from '../../../shared/services/restore-certificate';
import { updateCertificatePolicy } from '../../../shared/services/certificate-policy';
import type { CertificateHead } from '../../../shared/storage/repositories';
import { operationFixture } from '../../helpers/operation-fixture';
import { memoryServiceContext } from '../../helpers/service-context';

const VAULT = 'https://vault.test';
const CORRUPT = { status: 400, code: 'BadParameter', message: 'Backup blob contains invalid or corrupt version.' };

async function keyVaultError(promise: Promise<unknown>): Promise<KeyVaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof KeyVaultError)) throw new Error(`expected a KeyVaultError, got ${String(error)}`);
  return error;
}

type Setup = ReturnType<typeof memoryServiceContext>;

const EC_KEY = { kty: 'EC', crv: 'P-256' } as const;

/**
 * Creates and issues one Self-signed version of `name` (the default issuer is Unknown), as POST /create and the issuer
 * job do; with an EC key unless the body names one (an RSA key costs a tenth of a second or more to make).
 */
async function issue(setup: Setup, name: string, body: Parameters<typeof createCertificate>[2]): Promise<string> {
  const op = await createCertificate(setup.ctx, name, { ...body, policy: { key_props: EC_KEY, x509_props: { subject: `CN=${name}` }, ...body.policy, issuer: { name: 'Self' } } });
  for (const job of await setup.takeJobs()) expect(await runIssuerJob(setup.ctx, job)).toBe('issued');
  return op.version;
}

/** A certificate with two issued versions (RSA, then EC), tags on each and a policy changed after both. */
async function twoVersions(setup: Setup, name: string) {
  const first = await issue(setup, name, { policy: { key_props: { kty: 'RSA', key_size: 2048 }, x509_props: { subject: 'CN=first' } }, tags: { gen: '1' } });
  const second = await issue(setup, name, {
    policy: { key_props: EC_KEY, x509_props: { subject: 'CN=second' } },
    tags: { gen: '2', team: 'edge' },
    attributes: { enabled: true },
  });
  await updateCertificatePolicy(setup.ctx, name, { lifetime_actions: [{ trigger: { days_before_expiry: 30 }, action: { action_type: 'EmailContacts' } }] });
  return { first, second };
}

/** The private key of a secret's PEM matches its certificate's public key. */
function keyMatchesCertificate(pem: string): boolean {
  const key = createPrivateKey(pem);
  const certificate = new X509Certificate(pem.slice(pem.indexOf('-----BEGIN CERTIFICATE-----')));
  return createPublicKey(key).export({ type: 'spki', format: 'der' }).equals(certificate.publicKey.export({ type: 'spki', format: 'der' }));
}

describe('backup and restore', () => {
  it('brings a certificate back whole after its rows are gone: every version, tags, policy, and keys that work', async () => {
    const setup = memoryServiceContext();
    const { first, second } = await twoVersions(setup, 'Web');
    const before = await Promise.all([first, second].map((v) => setup.storage.certificates.getVersion('web', v)));
    const policyBefore = (await setup.storage.certificates.getHead('web'))?.policy;
    const blob = await backupCertificate(setup.ctx, 'web');
    expect(blob).toMatch(/^[A-Za-z0-9_-]+$/);

    setup.storage.certificates.forget('web');
    await expect(keyVaultError(getLatestCertificate(setup.ctx, 'web'))).resolves.toMatchObject({ status: 404 });

    const restored = await restoreCertificateBackup(setup.ctx, blob, VAULT);
    expect(restored.latest).toMatchObject({ name: 'Web', version: second, tags: { gen: '2', team: 'edge' } });
    expect(restored.policy).toEqual(policyBefore);
    expect(restored.policy.lifetimeActions).toEqual([{ trigger: { daysBeforeExpiry: 30 }, action: 'EmailContacts' }]);

    const listed = await setup.ctx.certificates.listVersions('web', 25);
    expect(listed.versions.map((v) => v.version).sort()).toEqual([first, second].sort());
    for (const original of before) {
      const back = await setup.ctx.certificates.getVersion('web', original?.version ?? '');
      // Everything but the sealed key is as it was; the key is sealed anew (fresh IV), to the same version.
      const { sealedPrivateKey: keyBefore, ...rest } = original as CertificateVersion;
      expect(back).toMatchObject(rest);
      expect(back?.sealedPrivateKey).toMatch(/^v1\./);
      expect(back?.sealedPrivateKey).not.toBe(keyBefore);
    }
    const latest = await getLatestCertificate(setup.ctx, 'web');
    expect(latest).toMatchObject({ kind: 'issued', version: { version: second }, policy: policyBefore, pendingVisible: false });
    await expect(keyVaultError(getPendingOperation(setup.ctx, 'web'))).resolves.toMatchObject({ status: 404, code: 'PendingCertificateNotFound' });

    for (const version of [first, second]) {
      const secret = await getCertificateSecret(setup.ctx, 'web', version, 'application/x-pem-file');
      expect(keyMatchesCertificate(secret.value)).toBe(true);
    }
    // The managed key signs with the restored private key: the certificate's own public key verifies it.
    const message = randomBytes(64);
    const signature = await signWithKey(setup.ctx, 'web', second, 'ES256', createHash('sha256').update(message).digest());
    const certificate = new X509Certificate(Buffer.from(restored.latest.chain[0] ?? '', 'base64'));
    expect(verify('sha256', message, { key: certificate.publicKey, dsaEncoding: 'ieee-p1363' }, signature.value)).toBe(true);
  });

  it('restores into another deployment that shares the key-encryption key, and a new version can follow', async () => {
    const source = memoryServiceContext();
    const { second } = await twoVersions(source, 'moved');
    const blob = await backupCertificate(source.ctx, 'moved');

    const target = memoryServiceContext({ keyEncryptionKey: source.ctx.keyEncryptionKey });
    await restoreCertificateBackup(target.ctx, blob, VAULT);
    const secret = await getCertificateSecret(target.ctx, 'moved', undefined, 'application/x-pem-file');
    expect(secret.version.version).toBe(second);
    expect(keyMatchesCertificate(secret.value)).toBe(true);

    // The restored operation row is completed, so a create proceeds and becomes the latest.
    const third = await issue(target, 'moved', { policy: { x509_props: { subject: 'CN=third' } } });
    expect(await getLatestCertificate(target.ctx, 'moved')).toMatchObject({ kind: 'issued', version: { version: third } });
    expect((await target.ctx.certificates.listVersions('moved', 25)).versions).toHaveLength(3);
  });

  it('refuses a blob made under another key-encryption key, altered, cut short, or not base64url', async () => {
    const source = memoryServiceContext();
    await issue(source, 'c', {});
    const blob = await backupCertificate(source.ctx, 'c');
    const elsewhere = memoryServiceContext();
    await expect(keyVaultError(restoreCertificateBackup(elsewhere.ctx, blob, VAULT))).resolves.toMatchObject(CORRUPT);

    const target = memoryServiceContext({ keyEncryptionKey: source.ctx.keyEncryptionKey });
    const bytes = Buffer.from(blob, 'base64url');
    const flipped = Buffer.from(bytes);
    const middle = Math.floor(bytes.length / 2);
    flipped[middle] = (flipped[middle] ?? 0) ^ 0x40;
    for (const bad of [flipped.toString('base64url'), bytes.subarray(0, bytes.length - 1).toString('base64url'), blob.slice(0, 40), `${blob}!`, 'not a blob', 'AAAA']) {
      await expect(keyVaultError(restoreCertificateBackup(target.ctx, bad, VAULT))).resolves.toMatchObject(CORRUPT);
    }
    // An authentic envelope whose contents are not a backup is refused the same way.
    const notABackup = sealBackup(source.ctx.keyEncryptionKey, Buffer.from('{"v":1,"name":"c"}')).toString('base64url');
    await expect(keyVaultError(restoreCertificateBackup(target.ctx, notABackup, VAULT))).resolves.toMatchObject(CORRUPT);
    expect(await target.ctx.certificates.getHead('c')).toBeUndefined();
  });

  it('refuses to restore over a certificate that exists, leaving it as it was', async () => {
    const setup = memoryServiceContext();
    const { second } = await twoVersions(setup, 'taken');
    const blob = await backupCertificate(setup.ctx, 'taken');
    const newer = await issue(setup, 'taken', {});

    const error = await keyVaultError(restoreCertificateBackup(setup.ctx, blob, VAULT));
    expect(error).toMatchObject({
      status: 409,
      code: 'Conflict',
      message: `Conflict while restoring certificate ${VAULT}/certificates/taken/${second} - certificate already exists or concurrent access`,
    });
    expect(await getLatestCertificate(setup.ctx, 'taken')).toMatchObject({ version: { version: newer } });
  });

  it('refuses to restore over a name whose first version is still being requested', async () => {
    const setup = memoryServiceContext();
    await issue(setup, 'busy', {});
    const blob = await backupCertificate(setup.ctx, 'busy');
    setup.storage.certificates.forget('busy');
    await createCertificate(setup.ctx, 'busy', { policy: { key_props: EC_KEY, x509_props: { subject: 'CN=busy' } } });
    await expect(keyVaultError(restoreCertificateBackup(setup.ctx, blob, VAULT))).resolves.toMatchObject({ status: 409, code: 'Conflict' });
  });

  it('refuses to restore over a soft-deleted name (409 ObjectIsDeletedButRecoverable), or one being purged', async () => {
    const setup = memoryServiceContext();
    await issue(setup, 'gone', {});
    const blob = await backupCertificate(setup.ctx, 'gone');
    await markDeleted(setup, 'gone', false);
    expect(await keyVaultError(restoreCertificateBackup(setup.ctx, blob, VAULT))).toMatchObject({
      status: 409,
      code: 'Conflict',
      innerCode: 'ObjectIsDeletedButRecoverable',
      message: 'Certificate gone is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the certificate can only be recovered or purged.',
    });
    await markDeleted(setup, 'gone', true);
    expect(await keyVaultError(restoreCertificateBackup(setup.ctx, blob, VAULT))).toMatchObject({
      status: 409,
      code: 'Conflict',
      innerCode: 'ObjectIsBeingDeleted',
      message: 'Certificate is currently being deleted.',
    });
  });

  it('does not back up what it cannot find: an unknown name, a soft-deleted one, one with no issued version', async () => {
    const setup = memoryServiceContext();
    await expect(keyVaultError(backupCertificate(setup.ctx, 'nothing'))).resolves.toMatchObject({ status: 404, code: 'CertificateNotFound' });
    await issue(setup, 'deleted', {});
    await markDeleted(setup, 'deleted', false);
    await expect(keyVaultError(backupCertificate(setup.ctx, 'deleted'))).resolves.toMatchObject({ status: 404, code: 'CertificateNotFound' });
    await createCertificate(setup.ctx, 'pendingOnly', { policy: { key_props: EC_KEY, x509_props: { subject: 'CN=p' } } });
    await expect(keyVaultError(backupCertificate(setup.ctx, 'pendingOnly'))).resolves.toMatchObject({ status: 404, code: 'CertificateNotFound' });
  });

  it('backs up and restores 500 versions, and refuses a certificate with 501 as Key Vault does', async () => {
    const setup = memoryServiceContext();
    const ids = await seedVersions(setup, 'many', MAX_BACKUP_VERSIONS);
    const blob = await backupCertificate(setup.ctx, 'many');
    setup.storage.certificates.forget('many');
    const restored = await restoreCertificateBackup(setup.ctx, blob, VAULT);
    expect(restored.latest.version).toBe(ids.at(-1));
    const listed: string[] = [];
    let after: string | undefined;
    do {
      const page = await setup.ctx.certificates.listVersions('many', 25, after);
      listed.push(...page.versions.map((v) => v.version));
      after = page.continueAfter;
    } while (after);
    expect(listed).toEqual(ids);

    await seedVersions(setup, 'toomany', MAX_BACKUP_VERSIONS + 1);
    expect(await keyVaultError(backupCertificate(setup.ctx, 'toomany'))).toMatchObject({
      status: 400,
      code: 'BadParameter',
      message: 'Certificate toomany has more than 500 versions; a backup can hold at most 500 versions of a certificate.',
    });
  });
});

/** Records a soft delete on the head as the delete route will (CertificateHead.deletion). */
async function markDeleted(setup: Setup, name: string, purging: boolean): Promise<void> {
  const { certificates } = setup.storage;
  const [operation, head] = await Promise.all([certificates.getOperation(name), certificates.getStoredHead(name)]);
  if (!operation || !head) throw new Error(`${name} has no head`);
  const deleted: CertificateHead = { ...head.value, deletion: { deletedDate: 1, scheduledPurgeDate: 2, ...(purging ? { purging } : {}) } };
  await certificates.replaceOperationAndHead(operation, { value: deleted, etag: head.etag });
}

/** `count` issued versions with placeholder material (backup opens no key that is absent), in id order. */
async function seedVersions(setup: Setup, name: string, count: number): Promise<string[]> {
  const policy = resolvePolicy({ x509_props: { subject: `CN=${name}` } }, 0);
  const ids = Array.from({ length: count }, (_, i) => (i + 1).toString(16).padStart(32, '0'));
  const { certificates } = setup.storage;
  for (const version of ids) {
    const op = operationFixture({ name, requestId: `r${version}`, version, policy, created: 0 });
    const stored = await certificates.getOperation(name);
    const issued: CertificateVersion = {
      name, version, enabled: true, notBefore: 0, expires: 1, created: 0, updated: 0, tags: { n: version.slice(-3) },
      chain: ['bGVhZg'], x5t: 'eDV0', keySpec: policy.key, exportable: true, publicKeySpki: 'c3BraQ',
      secretContentType: policy.secretContentType, policy, preserveCertOrder: false,
    };
    await certificates.completeOperation(completed(op, 0), stored?.etag, issued, { name, policy, latestVersion: version });
  }
  return ids;
}
