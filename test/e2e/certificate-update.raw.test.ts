import { API_VERSION, type RawClient, rawClient } from '../helpers/raw-client';
import { readPemSecret, readPfxSecret } from '../helpers/secret-checks';
import { type ServiceUnderTest, eventually, startService } from '../helpers/service-under-test';

/**
 * PATCH /certificates/{name}/{version?} (contract §2.0 row 9, §2.7), what a disabled version's secret and key
 * answer (§5.3 "Disabled object"), and the secret's `outContentType` (§2.13), over raw HTTP: exact status,
 * code, inner code and message of each catalogue row this slice owns.
 */
let service: ServiceUnderTest;
let kv: RawClient;

beforeAll(async () => {
  service = await startService();
  kv = rawClient(service.url, () => service.token());
});
afterAll(() => service?.stop());

let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-upd-${Date.now().toString(36)}-${++counter}`;
const MISSING_VERSION = '0123456789abcdef0123456789abcdef';

const notFound = (id: string) => ({
  error: {
    code: 'CertificateNotFound',
    message: `A certificate with (name/id) ${id} was not found in this key vault. If you recently deleted this certificate you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  },
});

async function createIssued(name: string, policy: Record<string, unknown> = {}, tags?: Record<string, string>): Promise<string> {
  const created = await kv.request('POST', `/certificates/${name}/create`, {
    policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: `CN=${name}` }, issuer: { name: 'Self' }, ...policy },
    ...(tags ? { tags } : {}),
  });
  expect(created.status).toBe(202);
  await eventually(`${name} issued`, async () => ((await kv.request('GET', `/certificates/${name}/pending`)).body.status === 'completed' ? true : undefined));
  const latest = await kv.request('GET', `/certificates/${name}/`);
  return String(latest.body.id).split('/').pop() ?? '';
}

describe('PATCH /certificates/{name}/{version?}', () => {
  it('answers 404 CertificateNotFound, as GET does, for a missing name or version', async () => {
    const name = uniqueName('missing');
    for (const path of [`/certificates/${name}/`, `/certificates/${name}`]) {
      const r = await kv.request('PATCH', path, { attributes: { enabled: false } });
      expect([path, r.status, r.body]).toEqual([path, 404, notFound(name)]);
    }
    const r = await kv.request('PATCH', `/certificates/${name}/${MISSING_VERSION}`, { attributes: { enabled: false } });
    expect([r.status, r.body]).toEqual([404, notFound(`${name}/${MISSING_VERSION}`)]);

    const existing = uniqueName('exists');
    await createIssued(existing);
    const other = await kv.request('PATCH', `/certificates/${existing}/${MISSING_VERSION}`, { tags: {} });
    expect([other.status, other.body]).toEqual([404, notFound(`${existing}/${MISSING_VERSION}`)]);
  });

  it('changes enabled and tags of the latest, ignores nbf/exp as Key Vault does, and answers the bundle GET then shows', async () => {
    const name = uniqueName('latest');
    await createIssued(name, {}, { before: 'x' });
    const before = (await kv.request('GET', `/certificates/${name}/`)).body as { attributes: Record<string, unknown> };

    // The JS SDK's body for updateCertificateProperties(name, "", { enabled, notBefore, expiresOn, tags }) (§2.7).
    const r = await kv.request('PATCH', `/certificates/${name}/`, { attributes: { enabled: false, nbf: 1600000000, exp: 1700000000 }, tags: { k: 'v' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      ...before,
      attributes: { ...before.attributes, enabled: false, updated: expect.any(Number) },
      tags: { k: 'v' },
    });
    expect(r.body.policy).toBeDefined();
    expect((await kv.request('GET', `/certificates/${name}/`)).body).toEqual(r.body);
  });

  it('changes one version by id and answers it as GET by version does (no policy); the latest is untouched', async () => {
    const name = uniqueName('byversion');
    const first = await createIssued(name);
    const second = await createIssued(name);
    const latestBefore = (await kv.request('GET', `/certificates/${name}/`)).body;

    const r = await kv.request('PATCH', `/certificates/${name}/${first}`, { attributes: { enabled: false } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: `${service.url}/certificates/${name}/${first}`, attributes: { enabled: false } });
    expect(r.body).not.toHaveProperty('policy');
    expect((await kv.request('GET', `/certificates/${name}/${first}`)).body).toMatchObject({ attributes: { enabled: false } });
    expect((await kv.request('GET', `/certificates/${name}/`)).body).toEqual(latestBefore);
    expect(String(latestBefore.id)).toMatch(new RegExp(`/${second}$`));
  });

  it('takes tags on a version still being requested: 200 with the version disabled, no kid or cer, the tags shown at once', async () => {
    // Issuer Unknown: the operation stays inProgress until a merge, so "still being requested" needs no timing.
    const name = uniqueName('pending');
    expect((await kv.request('POST', `/certificates/${name}/create`, { policy: { x509_props: { subject: 'CN=p' }, issuer: { name: 'Unknown' } } })).status).toBe(202);
    const r = await kv.request('PATCH', `/certificates/${name}/`, { attributes: {}, tags: { customTag: 'value' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ attributes: { enabled: false }, tags: { customTag: 'value' }, pending: { id: `${service.url}/certificates/${name}/pending` } });
    expect(r.body).not.toHaveProperty('kid');
    expect(r.body).not.toHaveProperty('cer');
    expect((await kv.request('GET', `/certificates/${name}/`)).body).toEqual(r.body);
  });

  it('refuses a body of the wrong shape with 400 BadParameter saying where, and changes nothing', async () => {
    const name = uniqueName('badbody');
    await createIssued(name);
    const before = (await kv.request('GET', `/certificates/${name}/`)).body;
    const tooMany = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`t${i}`, 'v']));
    const cases: [unknown, string | RegExp][] = [
      [{ attributes: { enabled: 'no' } }, /^Property has invalid value: attributes\.enabled: /],
      [{ attributes: { exp: 'soon' } }, /^Property has invalid value: attributes\.exp: /],
      [{ tags: { a: 1 } }, /^Property has invalid value: tags\.a: /],
      [{ tags: tooMany }, 'Property has invalid value: tags: at most 15 tags are allowed'],
      ['{"attributes":', 'The request body is not valid JSON.'],
    ];
    for (const [body, message] of cases) {
      const r = await kv.request('PATCH', `/certificates/${name}/`, body);
      expect([r.status, r.body]).toEqual([400, { error: { code: 'BadParameter', message: expect.stringMatching(message) } }]);
    }
    expect((await kv.request('GET', `/certificates/${name}/`)).body).toEqual(before);
  });

  it("answers paths of other operations under PATCH with 405, not as a certificate named like them", async () => {
    const name = uniqueName('shadow');
    const cases: [string, string][] = [
      ['/certificates/contacts', 'DELETE, GET, PUT'],
      [`/certificates/${name}/versions`, 'GET'],
      [`/certificates/${name}/create`, 'POST'],
    ];
    for (const [path, allow] of cases) {
      const r = await kv.request('PATCH', path, { tags: {} });
      expect([path, r.status, r.body, r.headers.get('allow')]).toEqual([path, 405, { error: { code: 'MethodNotAllowed', message: 'HTTP PATCH not allowed' } }, allow]);
    }
  });
});

describe('a disabled version (§5.3 "Disabled object")', () => {
  it('refuses its secret with 403 Forbidden/SecretDisabled and its key operations with 403 Forbidden/KeyDisabled; its public key stays readable', async () => {
    const name = uniqueName('disabled');
    const version = await createIssued(name);
    expect((await kv.request('PATCH', `/certificates/${name}/${version}`, { attributes: { enabled: false } })).status).toBe(200);

    const secretDisabled = { error: { code: 'Forbidden', message: 'Operation get is not allowed on a disabled secret.', innererror: { code: 'SecretDisabled' } } };
    for (const path of [`/secrets/${name}/${version}`, `/secrets/${name}/`]) {
      const r = await kv.request('GET', path);
      expect([path, r.status, r.body]).toEqual([path, 403, secretDisabled]);
    }
    const digest = Buffer.alloc(32, 1).toString('base64url');
    const sign = await kv.request('POST', `/keys/${name}/${version}/sign`, { alg: 'ES256', value: digest });
    expect([sign.status, sign.body]).toEqual([
      403,
      { error: { code: 'Forbidden', message: 'Operation sign is not allowed on a disabled key.', innererror: { code: 'KeyDisabled' } } },
    ]);
    expect((await kv.request('GET', `/keys/${name}/${version}`)).status).toBe(200);

    // Enabled again, both answer.
    expect((await kv.request('PATCH', `/certificates/${name}/`, { attributes: { enabled: true } })).status).toBe(200);
    expect((await kv.request('GET', `/secrets/${name}/${version}`)).status).toBe(200);
    expect((await kv.request('POST', `/keys/${name}/${version}/sign`, { alg: 'ES256', value: digest })).status).toBe(200);
  });
});

describe('GET /secrets/{name}/{version}?outContentType', () => {
  const secretAs = (name: string, outContentType: string) =>
    kv.request('GET', `/secrets/${name}/`, undefined, { query: `api-version=${API_VERSION}&outContentType=${encodeURIComponent(outContentType)}` });

  it('turns a PKCS#12 secret into PEM (key and chain) and a PEM secret into PKCS#12 (empty password), keeping the key', async () => {
    const pfxName = uniqueName('pfx');
    await createIssued(pfxName);
    const asPem = await secretAs(pfxName, 'application/x-pem-file');
    expect([asPem.status, asPem.body.contentType]).toEqual([200, 'application/x-pem-file']);
    const pem = readPemSecret(String(asPem.body.value));
    expect([pem.hasPrivateKey, pem.keyMatchesLeaf, pem.certificates[0]?.subject]).toEqual([true, true, `CN=${pfxName}`]);

    const pemName = uniqueName('pem');
    await createIssued(pemName, { secret_props: { contentType: 'application/x-pem-file' } });
    const asPfx = await secretAs(pemName, 'application/x-pkcs12');
    expect([asPfx.status, asPfx.body.contentType]).toEqual([200, 'application/x-pkcs12']);
    const pfx = readPfxSecret(String(asPfx.body.value));
    expect([pfx.hasPrivateKey, pfx.keyMatchesLeaf, pfx.certificates[0]?.subject]).toEqual([true, true, `CN=${pemName}`]);
    // Without outContentType, each is served as its policy says.
    expect((await kv.request('GET', `/secrets/${pemName}/`)).body.contentType).toBe('application/x-pem-file');
  });

  it('refuses an unsupported outContentType with 400 BadParameter naming the supported ones', async () => {
    const name = uniqueName('badtype');
    await createIssued(name);
    const r = await secretAs(name, 'text/plain');
    expect([r.status, r.body]).toEqual([
      400,
      { error: { code: 'BadParameter', message: 'outContentType must be application/x-pkcs12 or application/x-pem-file, not "text/plain".' } },
    ]);
  });
});
