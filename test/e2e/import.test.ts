import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CertificateClient } from '@azure/keyvault-certificates';
import { SecretClient } from '@azure/keyvault-secrets';
import { type RawClient, rawClient } from '../helpers/raw-client';
import { readPemSecret, readPfxSecret } from '../helpers/secret-checks';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/**
 * POST /certificates/{name}/import with files made by the OpenSSL CLI (test/fixtures/import): over raw
 * HTTP for each answer the route gives, and through the JS SDK's importCertificate, then read back with
 * getCertificate and the secrets SDK's getSecret (whose key must be the imported one).
 */
let service: ServiceUnderTest;
let kv: RawClient;
let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

const fixture = (file: string): Buffer => readFileSync(join(__dirname, '../fixtures/import', file));
const rsaCertificate = new X509Certificate(fixture('rsa.crt'));
const ecCertificate = new X509Certificate(fixture('ec.crt'));

beforeAll(async () => {
  service = await startService();
  kv = rawClient(service.url, () => service.token());
});
afterAll(() => service?.stop());

describe('import over raw HTTP', () => {
  it('answers 200 with the certificate bundle and the policy read from the certificate', async () => {
    const name = uniqueName('raw-import');
    const response = await kv.request('POST', `/certificates/${name}/import`, {
      value: fixture('rsa-aes.pfx').toString('base64'),
      pwd: 's3cret',
      tags: { t: '1' },
      preserveCertOrder: false,
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      cer: rsaCertificate.raw.toString('base64'),
      x5t: Buffer.from(rsaCertificate.fingerprint.replace(/:/g, ''), 'hex').toString('base64url'),
      contentType: 'application/x-pkcs12',
      tags: { t: '1' },
      attributes: { enabled: true, nbf: Math.floor(Date.parse(rsaCertificate.validFrom) / 1000) },
      policy: {
        key_props: { exportable: true, kty: 'RSA', key_size: 2048, reuse_key: false },
        secret_props: { contentType: 'application/x-pkcs12' },
        x509_props: { subject: 'CN=import.example, O=Import Test', ekus: ['1.3.6.1.5.5.7.3.1'], validity_months: 13 },
        lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'EmailContacts' } }],
        issuer: { name: 'Unknown' },
      },
    });
    expect(response.body.id).toMatch(new RegExp(`/certificates/${name}/[0-9a-f]{32}$`));
    expect(response.body).not.toHaveProperty('pending');
    expect((await kv.request('GET', `/certificates/${name}/pending`)).status).toBe(404);
    const latest = await kv.request('GET', `/certificates/${name}/`);
    expect(latest.body.id).toBe(response.body.id);
  });

  it.each([
    ['a wrong password', () => ({ value: fixture('rsa-aes.pfx').toString('base64'), pwd: 'wrong' }), /password/],
    ['an unreadable PFX', () => ({ value: Buffer.from('not a pfx at all').toString('base64') }), /not a valid PKCS#12 file/],
    ['a key that does not match the certificate', () => ({ value: fixture('mismatch.pem').toString('utf8') }), /does not match the certificate/],
    ['a body without value', () => ({ pwd: 'x' }), /value/],
  ])('answers %s with 400 BadParameter', async (_label, body, message) => {
    const name = uniqueName('raw-refused');
    const response = await kv.request('POST', `/certificates/${name}/import`, body());
    expect(response.status).toBe(400);
    expect((response.body.error as { code: string }).code).toBe('BadParameter');
    expect((response.body.error as { message: string }).message).toMatch(message);
    expect((await kv.request('GET', `/certificates/${name}/`)).status).toBe(404);
  });

  it('answers 409 while an operation is in progress, with the message a create gets', async () => {
    const name = uniqueName('raw-busy');
    const created = await kv.request('POST', `/certificates/${name}/create`, { policy: { x509_props: { subject: 'CN=busy' }, issuer: { name: 'Unknown' } } });
    expect(created.status).toBe(202);
    const response = await kv.request('POST', `/certificates/${name}/import`, { value: fixture('rsa.pem').toString('utf8') });
    expect(response.status).toBe(409);
    expect(response.body.error).toEqual({
      code: 'Forbidden',
      message: "A new key vault certificate can not be created or imported while a pending key vault certificate's status is inProgress.",
    });
  });
});

describe('importCertificate through the JS SDK', () => {
  const certificates = () => new CertificateClient(service.httpsUrl, service.credential, service.sdkOptions);
  const secrets = () => new SecretClient(service.httpsUrl, service.credential, service.sdkOptions);

  it.each([
    ['a PFX with a password', 'rsa-aes.pfx', 's3cret'],
    ['a PFX without a password', 'rsa-nopass.pfx', undefined],
  ])('imports %s; getCertificate and getSecret give it back with its key', async (_label, file, password) => {
    const name = uniqueName('sdk-pfx');
    const imported = await certificates().importCertificate(name, fixture(file), password !== undefined ? { password } : {});
    expect(Buffer.from(imported.cer ?? []).equals(rsaCertificate.raw)).toBe(true);

    const got = await certificates().getCertificate(name);
    expect(got.properties.version).toBe(imported.properties.version);
    expect(got.policy).toMatchObject({ issuerName: 'Unknown', subject: 'CN=import.example, O=Import Test', keyType: 'RSA', keySize: 2048 });

    const secret = await secrets().getSecret(name);
    expect(secret.properties.contentType).toBe('application/x-pkcs12');
    const contents = readPfxSecret(secret.value ?? '');
    expect(contents.certificates[0]?.raw.equals(rsaCertificate.raw)).toBe(true);
    expect(contents).toMatchObject({ hasPrivateKey: true, keyMatchesLeaf: true });
  });

  it('imports PEM (key and certificate as text); the secret is PEM with the same key', async () => {
    const name = uniqueName('sdk-pem');
    const imported = await certificates().importCertificate(name, fixture('ec.pem'), { policy: { contentType: 'application/x-pem-file' } });
    expect(Buffer.from(imported.cer ?? []).equals(ecCertificate.raw)).toBe(true);

    const got = await certificates().getCertificate(name);
    expect(got.policy).toMatchObject({ keyType: 'EC', keyCurveName: 'P-384', contentType: 'application/x-pem-file' });
    const secret = await secrets().getSecret(name);
    expect(secret.properties.contentType).toBe('application/x-pem-file');
    const contents = readPemSecret(secret.value ?? '');
    expect(contents.certificates[0]?.raw.equals(ecCertificate.raw)).toBe(true);
    expect(contents).toMatchObject({ hasPrivateKey: true, keyMatchesLeaf: true });
  });
});
