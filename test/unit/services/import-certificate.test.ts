import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyVaultError } from '../../../shared/api/key-vault-error';
import { getLatestCertificate } from '../../../shared/services/certificate-reads';
import { getCertificateSecret } from '../../../shared/services/certificate-secret';
import { createCertificate } from '../../../shared/services/create-certificate';
import { importCertificate } from '../../../shared/services/import-certificate';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { getPendingOperation } from '../../../shared/services/pending-operations';
import { memoryServiceContext } from '../../helpers/service-context';

const fixture = (file: string): Buffer => readFileSync(join(__dirname, '../../fixtures/import', file));
const rsaPfx = { value: fixture('rsa-aes.pfx').toString('base64'), pwd: 's3cret' };
const rsaCertificate = new X509Certificate(fixture('rsa.crt'));

async function keyVaultError(promise: Promise<unknown>): Promise<KeyVaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof KeyVaultError)) throw new Error(`expected a KeyVaultError, got ${String(error)}`);
  return error;
}

describe('importCertificate', () => {
  it('makes a completed, enabled version with the policy read from the certificate (issuer Unknown)', async () => {
    const { ctx } = memoryServiceContext();
    const version = await importCertificate(ctx, 'Imported', { ...rsaPfx, tags: { team: 'edge' } });

    expect(version).toMatchObject({ name: 'Imported', enabled: true, tags: { team: 'edge' }, exportable: true, secretContentType: 'application/x-pkcs12' });
    expect(Buffer.from(version.chain[0] ?? '', 'base64').equals(rsaCertificate.raw)).toBe(true);
    expect(version.notBefore).toBe(Math.floor(new Date(rsaCertificate.validFrom).getTime() / 1000));
    expect(version.expires).toBe(Math.floor(new Date(rsaCertificate.validTo).getTime() / 1000));
    expect(version.policy).toMatchObject({
      key: { kty: 'RSA', keySize: 2048, exportable: true, reuseKey: false },
      subject: 'CN=import.example, O=Import Test',
      sans: { dnsNames: ['import.example', 'www.import.example'], emails: ['ops@import.example'] },
      ekus: ['1.3.6.1.5.5.7.3.1'],
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      validityMonths: 13,
      issuer: { name: 'Unknown' },
      lifetimeActions: [{ trigger: { lifetimePercentage: 80 }, action: 'EmailContacts' }],
    });

    const latest = await getLatestCertificate(ctx, 'imported');
    expect(latest).toMatchObject({ kind: 'issued', pendingVisible: false, version: { version: version.version } });
    // Imports have no pending request to show.
    await expect(getPendingOperation(ctx, 'imported')).rejects.toMatchObject({ status: 404, code: 'PendingCertificateNotFound' });
  });

  it('seals the key at rest and serves it back through the secret', async () => {
    const { ctx, storage } = memoryServiceContext();
    const version = await importCertificate(ctx, 'sealed', { value: fixture('ec.pem').toString('utf8') });
    const stored = await storage.certificates.getVersion('sealed', version.version);
    expect(stored?.sealedPrivateKey).toMatch(/^v1\./);
    // Sealed, not encoded: neither the key's DER (in any base64 spelling) nor its PEM body appears in what is stored.
    const keyDer = createPrivateKey(fixture('ec.pem').toString('utf8')).export({ type: 'pkcs8', format: 'der' });
    const sealed = stored?.sealedPrivateKey ?? '';
    for (const spelling of [keyDer.toString('base64'), keyDer.toString('base64url')]) expect(sealed).not.toContain(spelling.slice(8, 40));
    expect(Buffer.from(sealed.split('.').slice(1).join(''), 'base64url').includes(keyDer.subarray(8, 40))).toBe(false);

    const secret = await getCertificateSecret(ctx, 'sealed', undefined, undefined);
    expect(secret.contentType).toBe('application/x-pem-file');
    const key = createPublicKey(secret.value).export({ type: 'spki', format: 'der' });
    expect(key.equals(new X509Certificate(fixture('ec.crt')).publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    expect(version.policy.key).toMatchObject({ kty: 'EC', curve: 'P-384' });
  });

  it('honours what a caller may choose: content type, exportable, enabled, lifetime action', async () => {
    const { ctx } = memoryServiceContext();
    const version = await importCertificate(ctx, 'chosen', {
      ...rsaPfx,
      attributes: { enabled: false },
      policy: {
        key_props: { exportable: false, kty: 'EC' },
        secret_props: { contentType: 'application/x-pem-file' },
        x509_props: { subject: 'CN=ignored', validity_months: 6 },
        lifetime_actions: [{ trigger: { days_before_expiry: 30 }, action: { action_type: 'EmailContacts' } }],
      },
    });
    expect(version).toMatchObject({ enabled: false, exportable: false, secretContentType: 'application/x-pem-file' });
    // The key and the names are the certificate's own, whatever the policy says.
    expect(version.policy).toMatchObject({ key: { kty: 'RSA', keySize: 2048 }, subject: 'CN=import.example, O=Import Test', validityMonths: 6 });
    expect(version.policy.lifetimeActions).toEqual([{ trigger: { daysBeforeExpiry: 30 }, action: 'EmailContacts' }]);
  });

  it('adds a new version on top of a created one, and a later create replaces it in turn', async () => {
    const setup = memoryServiceContext();
    const created = await createCertificate(setup.ctx, 'layered', { policy: { x509_props: { subject: 'CN=made' }, issuer: { name: 'Self' } } });
    for (const job of await setup.takeJobs()) expect(await runIssuerJob(setup.ctx, job)).toBe('issued');
    const imported = await importCertificate(setup.ctx, 'layered', rsaPfx);
    expect(imported.version).not.toBe(created.version);
    expect((await setup.storage.certificates.listVersions('layered', 25)).versions.map((v) => v.version).sort()).toEqual(
      [created.version, imported.version].sort(),
    );
    const renewed = await createCertificate(setup.ctx, 'layered', { policy: { x509_props: { subject: 'CN=again' }, issuer: { name: 'Self' } } });
    expect(renewed.status).toBe('inProgress');
  });

  it('is refused with the seed 409 while an operation is in progress', async () => {
    const { ctx } = memoryServiceContext();
    await createCertificate(ctx, 'busy', { policy: { x509_props: { subject: 'CN=busy' }, issuer: { name: 'Unknown' } } });
    const error = await keyVaultError(importCertificate(ctx, 'busy', rsaPfx));
    expect({ status: error.status, message: error.message }).toEqual({
      status: 409,
      message: "A new key vault certificate can not be created or imported while a pending key vault certificate's status is inProgress.",
    });
  });

  it.each([
    ['a wrong password', { ...rsaPfx, pwd: 'nope' }, /password/],
    ['an unreadable PFX', { value: Buffer.from('garbage').toString('base64') }, /not a valid PKCS#12 file/],
    ['a key that does not match the certificate', { value: fixture('mismatch.pem').toString('utf8') }, /does not match the certificate/],
    ['an issuer that does not exist', { ...rsaPfx, policy: { issuer: { name: 'nobody' } } }, /issuer 'nobody'/],
  ])('answers %s with 400 BadParameter, writing nothing', async (_label, body, message) => {
    const { ctx, storage } = memoryServiceContext();
    const error = await keyVaultError(importCertificate(ctx, 'refused', body));
    expect({ status: error.status, code: error.code }).toEqual({ status: 400, code: 'BadParameter' });
    expect(error.message).toMatch(message);
    expect(await storage.certificates.getHead('refused')).toBeUndefined();
  });
});
