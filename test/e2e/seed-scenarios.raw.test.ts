import { X509Certificate, createPublicKey } from 'node:crypto';
import { x509 as peculiarX509 } from '../../shared/crypto/x509';
import { type RawClient, type RawResponse, API_VERSION, rawClient } from '../helpers/raw-client';
import { readPemSecret, readPfxSecret } from '../helpers/secret-checks';
import { type ServiceUnderTest, eventually, startService } from '../helpers/service-under-test';
import { createTestCa } from '../helpers/test-ca';

/** @peculiar/x509 as the app loads it (reflect-metadata first, the P-256K-capable provider set). */
const x509 = peculiarX509();

/**
 * The seed article's scenarios S1–S11, over raw HTTP, against the app on the local host with Azurite: the
 * exact status codes, bodies and messages a caller without the SDK sees.
 */
let service: ServiceUnderTest;
let kv: RawClient;
let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-raw-${Date.now().toString(36)}-${++counter}`;

beforeAll(async () => {
  service = await startService();
  kv = rawClient(service.url, () => service.token());
  // An issuer whose provider never completes by itself (what the SDK's own tests expect of "Test").
  const issuer = await kv.request('PUT', '/certificates/issuers/never-done', { provider: 'Test', credentials: { account_id: 'acct', pwd: 'hunter2' } });
  expect(issuer.status).toBe(200);
  // An issuer whose provider this deployment cannot reach.
  expect((await kv.request('PUT', '/certificates/issuers/digicert', { provider: 'DigiCert' })).status).toBe(200);
});

afterAll(async () => {
  await service?.stop();
});

const create = (name: string, policy: Record<string, unknown>) => kv.request('POST', `/certificates/${name}/create`, { policy });
/**
 * EC P-256 keys: these scenarios are about the operation's lifecycle, not the key, and each RSA-2048 key costs
 * about 0.2 s of CPU to generate. S1 requests the default (RSA-2048) key once.
 */
const ecKey = { kty: 'EC', crv: 'P-256' };
const selfPolicy = { key_props: ecKey, x509_props: { subject: 'CN=seed.example' }, issuer: { name: 'Self' } };
const testIssuerPolicy = { key_props: ecKey, x509_props: { subject: 'CN=seed.example' }, issuer: { name: 'never-done' } };
const manualPolicy = { key_props: ecKey, x509_props: { subject: 'CN=manual.example' }, issuer: { name: 'Unknown' } };

async function pendingOf(name: string, query = ''): Promise<RawResponse> {
  return kv.request('GET', `/certificates/${name}/pending${query}`);
}

async function waitForStatus(name: string, status: string): Promise<RawResponse> {
  return eventually(`${name} to be ${status}`, async () => {
    const r = await pendingOf(name);
    return r.body.status === status ? r : undefined;
  });
}

describe('S1: request a certificate with a supported issuer', () => {
  it('answers 202 with Location and the pending operation, CSR made from a key the service generated', async () => {
    const name = uniqueName('s1');
    const { key_props: _default, ...withDefaultKey } = testIssuerPolicy;
    const r = await create(name, withDefaultKey);
    expect(r.status).toBe(202);
    const requestId = r.body.request_id as string;
    expect(requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(r.headers.get('location')).toBe(`${service.url}/certificates/${name}/pending?api-version=${API_VERSION}&request_id=${requestId}`);
    expect(r.body).toMatchObject({
      id: `${service.url}/certificates/${name}/pending`,
      issuer: { name: 'never-done' },
      cancellation_requested: false,
      status: 'inProgress',
      status_details:
        'Pending certificate created. Certificate request is in progress. This may take some time based on the issuer provider. Please check again later.',
    });
    const csr = new x509.Pkcs10CertificateRequest(new Uint8Array(Buffer.from(r.body.csr as string, 'base64')));
    expect(csr.subject).toBe('CN=seed.example');
    expect(await csr.verify()).toBe(true);
    // Key Vault's default key: RSA 2048.
    const key = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
    expect([key.asymmetricKeyType, key.asymmetricKeyDetails?.modulusLength]).toEqual(['rsa', 2048]);
  });
});

describe('S2: get pending, in progress', () => {
  it('answers 200 with the same operation; request_id acts as a filter', async () => {
    const name = uniqueName('s2');
    const created = await create(name, testIssuerPolicy);
    const r = await pendingOf(name);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: created.body.id, status: 'inProgress', request_id: created.body.request_id, csr: created.body.csr });
    expect((await pendingOf(name, `?request_id=${created.body.request_id as string}`)).status).toBe(200);
    const other = await pendingOf(name, '?request_id=0123456789abcdef0123456789abcdef');
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ error: { code: 'PendingCertificateNotFound', message: `Pending certificate not found: ${name}` } });
  });
});

describe('S3: get pending, completed', () => {
  it('shows completed with target once the Self issuer job has run, and the certificate matches the CSR key', async () => {
    const name = uniqueName('s3');
    const created = await create(name, selfPolicy);
    expect(created.status).toBe(202);
    expect(created.body.status).toBe('inProgress');
    // Self is issued by its job, as any issuer is, a moment after the 202.
    const done = await waitForStatus(name, 'completed');
    expect(done.body.target).toBe(`${service.url}/certificates/${name}`);
    expect(done.body).not.toHaveProperty('error');
    expect(done.body).not.toHaveProperty('status_details');

    const cert = await kv.request('GET', `/certificates/${name}/`);
    expect(cert.status).toBe(200);
    const leaf = new X509Certificate(Buffer.from(cert.body.cer as string, 'base64'));
    expect(leaf.subject).toBe('CN=seed.example');
    const csr = new x509.Pkcs10CertificateRequest(new Uint8Array(Buffer.from(created.body.csr as string, 'base64')));
    expect(Buffer.from(leaf.publicKey.export({ type: 'spki', format: 'der' }))).toEqual(Buffer.from(csr.publicKey.rawData));
  });
});

describe('S4: get pending, cancelled or failed', () => {
  it('shows cancelled after a cancellation, with neither error nor status_details, as Key Vault does', async () => {
    const name = uniqueName('s4c');
    await create(name, testIssuerPolicy);
    expect((await kv.request('PATCH', `/certificates/${name}/pending`, { cancellation_requested: true })).status).toBe(200);
    const r = await waitForStatus(name, 'cancelled');
    expect(r.body).toMatchObject({ status: 'cancelled', cancellation_requested: true, issuer: { name: 'never-done' } });
    expect(r.body).not.toHaveProperty('error');
    expect(r.body).not.toHaveProperty('status_details');
    expect(r.body).not.toHaveProperty('target');
  });

  it('shows failed with an issuer error when the provider cannot be reached', async () => {
    const name = uniqueName('s4f');
    await create(name, { x509_props: { subject: 'CN=x' }, issuer: { name: 'digicert' } });
    const r = await waitForStatus(name, 'failed');
    expect(r.body.status_details).toBe('');
    expect(r.body.error).toEqual({
      code: 'CertificateIssuerError',
      message: "The issuer provider 'DigiCert' of issuer 'digicert' is not available in this deployment.",
    });
  });
});

describe('S5: get pending, deleted or overwritten', () => {
  it('answers 404 PendingCertificateNotFound once deleted', async () => {
    const name = uniqueName('s5d');
    await create(name, testIssuerPolicy);
    expect((await kv.request('DELETE', `/certificates/${name}/pending`)).status).toBe(200);
    const r = await pendingOf(name);
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: { code: 'PendingCertificateNotFound', message: `Pending certificate not found: ${name}` } });
  });

  it('lets a new create overwrite an operation that is no longer in progress; the old request id is gone', async () => {
    const name = uniqueName('s5o');
    const first = await create(name, selfPolicy);
    await waitForStatus(name, 'completed');
    const second = await create(name, testIssuerPolicy);
    expect(second.status).toBe(202);
    expect(second.body.request_id).not.toBe(first.body.request_id);
    expect((await pendingOf(name, `?request_id=${first.body.request_id as string}`)).status).toBe(404);
    expect((await pendingOf(name)).body.request_id).toBe(second.body.request_id);
  });
});

describe('S6: create or import while a pending object is in progress', () => {
  it('answers 409 with Key Vault message', async () => {
    const name = uniqueName('s6');
    await create(name, testIssuerPolicy);
    const r = await create(name, selfPolicy);
    expect(r.status).toBe(409);
    expect(r.body).toEqual({
      error: {
        code: 'Forbidden',
        message: "A new key vault certificate can not be created or imported while a pending key vault certificate's status is inProgress.",
      },
    });
  });

  it('lets exactly one of two concurrent creates win', async () => {
    const name = uniqueName('s6c');
    const results = await Promise.all([create(name, testIssuerPolicy), create(name, testIssuerPolicy)]);
    expect(results.map((r) => r.status).sort()).toEqual([202, 409]);
  });
});

describe('S7: merge while an issuer-backed pending object is in progress', () => {
  it('answers 403, and after a cancellation a chain obtained out of band completes the certificate', async () => {
    const name = uniqueName('s7');
    const ca = await createTestCa();
    const created = await create(name, testIssuerPolicy);
    const leaf = await ca.sign(created.body.csr as string);
    const x5c = [leaf.toString('base64'), ca.certificateDer.toString('base64')];

    const refused = await kv.request('POST', `/certificates/${name}/pending/merge`, { x5c });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      error: { code: 'Forbidden', message: 'Merge is forbidden on pending object created with issuer : never-done while it is in progess.' },
    });

    await kv.request('PATCH', `/certificates/${name}/pending`, { cancellation_requested: true });
    await waitForStatus(name, 'cancelled');
    const merged = await kv.request('POST', `/certificates/${name}/pending/merge`, { x5c });
    expect(merged.status).toBe(201);
    expect((await pendingOf(name)).body.status).toBe('completed');
  });
});

describe('S8: request cancellation', () => {
  it('records cancellation_requested, then the job ends the operation as cancelled; not in progress is 400', async () => {
    const name = uniqueName('s8');
    await create(name, testIssuerPolicy);
    const r = await kv.request('PATCH', `/certificates/${name}/pending`, { cancellation_requested: true });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ cancellation_requested: true, status: 'inProgress' });
    await waitForStatus(name, 'cancelled');
    const again = await kv.request('PATCH', `/certificates/${name}/pending`, { cancellation_requested: true });
    expect(again.status).toBe(400);
    expect((again.body.error as { code: string }).code).toBe('BadParameter');
  });

  it('cancels a manual (Unknown) request at once, since there is no issuer to ask', async () => {
    const name = uniqueName('s8m');
    await create(name, manualPolicy);
    const r = await kv.request('PATCH', `/certificates/${name}/pending`, { cancellation_requested: true });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ cancellation_requested: true, status: 'cancelled', issuer: { name: 'Unknown' } });
    expect(r.body).not.toHaveProperty('error');
    expect(r.body).not.toHaveProperty('status_details');
    const read = await pendingOf(name);
    expect(read.body).toMatchObject({ cancellation_requested: true, status: 'cancelled' });
    expect(read.body).not.toHaveProperty('error');
    expect((await kv.request('PATCH', `/certificates/${name}/pending`, { cancellation_requested: true })).status).toBe(400);
  });

  it('refuses a body other than {"cancellation_requested": true}', async () => {
    const name = uniqueName('s8b');
    await create(name, testIssuerPolicy);
    const r = await kv.request('PATCH', `/certificates/${name}/pending`, { cancellation_requested: false });
    expect(r.status).toBe(400);
    expect((await pendingOf(name)).body.cancellation_requested).toBe(false);
  });
});

describe('S9: delete a pending object', () => {
  it('answers 200 with the object as it was; the version it started stays, disabled, without pending', async () => {
    const name = uniqueName('s9');
    const created = await create(name, testIssuerPolicy);
    const r = await kv.request('DELETE', `/certificates/${name}/pending`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: created.body.id, status: 'inProgress', request_id: created.body.request_id });
    const cert = await kv.request('GET', `/certificates/${name}/`);
    expect(cert.status).toBe(200);
    expect(cert.body.attributes).toMatchObject({ enabled: false });
    expect(cert.body.pending).toBeUndefined();
    expect(cert.body.cer).toBeUndefined();
  });
});

describe('S10: create manually', () => {
  it('answers 202 asking for a merge, with issuer Unknown or with no issuer', async () => {
    for (const policy of [manualPolicy, { x509_props: { subject: 'CN=manual.example' } }]) {
      const name = uniqueName('s10');
      const r = await create(name, policy);
      expect(r.status).toBe(202);
      expect(r.body).toMatchObject({
        issuer: { name: 'Unknown' },
        status: 'inProgress',
        status_details: 'Pending certificate created. Please Perform Merge to complete the request.',
      });
      // Nothing drives a manual request: it is still waiting a moment later.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await pendingOf(name)).body.status).toBe('inProgress');
    }
  });

  it('serves the pending version on GET /certificates/{name}/, disabled and without cer', async () => {
    const name = uniqueName('s10v');
    await create(name, manualPolicy);
    const r = await kv.request('GET', `/certificates/${name}/`);
    expect(r.status).toBe(200);
    expect(r.body.id).toMatch(new RegExp(`^${service.url}/certificates/${name}/[0-9a-f]{32}$`));
    expect(r.body).toMatchObject({ attributes: { enabled: false }, pending: { id: `${service.url}/certificates/${name}/pending` } });
    expect(r.body.cer).toBeUndefined();
    expect(r.body.kid).toBeUndefined();
  });
});

describe('S11: merge a manual request', () => {
  it('answers 201 with Location and the bundle; the secret holds the pending key with the merged chain', async () => {
    const name = uniqueName('s11');
    const ca = await createTestCa();
    const created = await create(name, { ...manualPolicy, secret_props: { contentType: 'application/x-pem-file' } });
    const leaf = await ca.sign(created.body.csr as string);
    const r = await kv.request('POST', `/certificates/${name}/pending/merge`, { x5c: [leaf.toString('base64'), ca.certificateDer.toString('base64')] });
    expect(r.status).toBe(201);
    const version = (r.body.id as string).split('/').pop() as string;
    expect(version).toMatch(/^[0-9a-f]{32}$/);
    expect(r.headers.get('location')).toBe(`${service.url}/certificates/${name}?api-version=${API_VERSION}`);
    expect(r.body).toMatchObject({
      kid: `${service.url}/keys/${name}/${version}`,
      sid: `${service.url}/secrets/${name}/${version}`,
      cer: leaf.toString('base64'),
      attributes: { enabled: true },
      pending: { id: `${service.url}/certificates/${name}/pending` },
      policy: { issuer: { name: 'Unknown' }, x509_props: { subject: 'CN=manual.example' } },
    });
    expect(r.body.x5t).toBe(Buffer.from(new X509Certificate(leaf).fingerprint.replace(/:/g, ''), 'hex').toString('base64url'));

    const secret = await kv.request('GET', `/secrets/${name}/${version}`);
    expect(secret.status).toBe(200);
    expect(secret.body).toMatchObject({ contentType: 'application/x-pem-file', kid: `${service.url}/keys/${name}/${version}`, managed: true });
    const contents = readPemSecret(secret.body.value as string);
    expect(contents.keyMatchesLeaf).toBe(true);
    expect(contents.certificates.map((c) => c.raw.toString('base64'))).toEqual([leaf.toString('base64'), ca.certificateDer.toString('base64')]);
  });

  it('refuses a chain whose leaf is not for the pending key, an empty chain and garbage, with clear messages', async () => {
    const name = uniqueName('s11x');
    const ca = await createTestCa();
    await create(name, manualPolicy);
    const stranger = await create(uniqueName('s11s'), manualPolicy);
    const wrongLeaf = await ca.sign(stranger.body.csr as string);

    const wrong = await kv.request('POST', `/certificates/${name}/pending/merge`, { x5c: [wrongLeaf.toString('base64')] });
    expect(wrong.status).toBe(400);
    expect((wrong.body.error as { message: string }).message).toMatch(/public key/);

    const empty = await kv.request('POST', `/certificates/${name}/pending/merge`, { x5c: [] });
    expect(empty.status).toBe(400);
    expect((empty.body.error as { message: string }).message).toMatch(/at least one certificate/);

    const garbage = await kv.request('POST', `/certificates/${name}/pending/merge`, { x5c: ['bm90IGEgY2VydA=='] });
    expect(garbage.status).toBe(400);
    expect((garbage.body.error as { message: string }).message).toMatch(/x5c\[0\]/);

    // Nothing was lost: the request is still waiting for the right chain.
    expect((await pendingOf(name)).body.status).toBe('inProgress');
  });
});

describe('the managed secret of a Self certificate', () => {
  it('is a PFX with an empty password holding the private key that matches the certificate', async () => {
    const name = uniqueName('pfx');
    await create(name, { ...selfPolicy, key_props: { kty: 'EC', crv: 'P-384' } });
    await waitForStatus(name, 'completed');
    const secret = await kv.request('GET', `/secrets/${name}/`);
    expect(secret.status).toBe(200);
    expect(secret.body.contentType).toBe('application/x-pkcs12');
    const contents = readPfxSecret(secret.body.value as string);
    expect(contents.hasPrivateKey).toBe(true);
    expect(contents.keyMatchesLeaf).toBe(true);
    expect(contents.certificates[0]?.subject).toBe('CN=seed.example');
  });

  it('leaves the private key out when the key is not exportable', async () => {
    const name = uniqueName('nox');
    await create(name, { ...selfPolicy, key_props: { exportable: false } });
    await waitForStatus(name, 'completed');
    const secret = await kv.request('GET', `/secrets/${name}/`, undefined, { query: `api-version=${API_VERSION}&outContentType=application%2Fx-pem-file` });
    expect(secret.status).toBe(200);
    const contents = readPemSecret(secret.body.value as string);
    expect(contents.hasPrivateKey).toBe(false);
    expect(contents.certificates).toHaveLength(1);
  });
});
