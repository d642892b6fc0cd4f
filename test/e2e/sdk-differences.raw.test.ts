import { type ServiceUnderTest, eventually, startService } from '../helpers/service-under-test';

/**
 * What the .NET and Python SDKs send that JS does not, over raw HTTP against the running app: the .NET
 * default api-version, .NET's `crlSign`, paths without the trailing slash, and a TLS-terminating front end
 * (Azure's sets X-Forwarded-Proto) in front of a service that itself speaks plain HTTP.
 */
let service: ServiceUnderTest;
let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;
const DOTNET_API_VERSION = '2026-04-01';

beforeAll(async () => {
  service = await startService();
});

afterAll(async () => {
  await service?.stop();
});

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function send(method: string, path: string, options: { body?: unknown; apiVersion?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const response = await fetch(`${service.url}${path}?api-version=${options.apiVersion ?? DOTNET_API_VERSION}`, {
    method,
    headers: {
      Authorization: `Bearer ${await service.token()}`,
      ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Creates a Self-signed certificate and waits until its latest version is readable. */
async function selfSigned(name: string, policy: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Answer> {
  const created = await send('POST', `/certificates/${name}/create`, {
    body: { policy: { x509_props: { subject: `CN=${name}` }, issuer: { name: 'Self' }, ...policy } },
    headers,
  });
  expect(created.status).toBe(202);
  await eventually(`${name} to be issued`, async () => ((await send('GET', `/certificates/${name}/pending`)).body.status === 'completed' ? true : undefined));
  return created;
}

describe('what .NET sends', () => {
  it('creates with api-version 2026-04-01 and key usage crlSign, and shows cRLSign back', async () => {
    const name = uniqueName('net-crl');
    const created = await selfSigned(name, {
      key_props: { kty: 'RSA', key_size: 2048, reuse_key: false, exportable: true },
      x509_props: { subject: 'CN=net', key_usage: ['crlSign', 'digitalSignature', 'keyCertSign'] },
    });
    expect((created.body.csr as string).length).toBeGreaterThan(0);
    const latest = await send('GET', `/certificates/${name}`);
    expect(latest.status).toBe(200);
    expect((latest.body.policy as { x509_props: { key_usage: string[] } }).x509_props.key_usage).toEqual(['cRLSign', 'digitalSignature', 'keyCertSign']);
  });

  it('reads the latest version at /certificates/{name} without the trailing slash, the same as with it', async () => {
    const name = uniqueName('net-noslash');
    await selfSigned(name);
    const withoutSlash = await send('GET', `/certificates/${name}`);
    const withSlash = await send('GET', `/certificates/${name}/`, { apiVersion: '2025-07-01' });
    expect(withoutSlash.status).toBe(200);
    expect(withoutSlash.body.id).toMatch(new RegExp(`^${service.url}/certificates/${name}/[0-9a-f]{32}$`));
    expect(withoutSlash.body).toEqual(withSlash.body);
  });

  it('answers /certificates/issuers and /certificates/contacts for what they are, never as a certificate of that name', async () => {
    for (const path of ['/certificates/issuers', '/certificates/issuers/']) {
      const r = await send('GET', path);
      expect(r.status).toBe(200);
      expect(r.body).toHaveProperty('value');
      expect(r.body.value).toEqual(expect.any(Array));
    }
    const contacts = { id: `${service.url}/certificates/contacts`, contacts: [{ email: 'ops@contoso.com' }] };
    for (const method of ['PUT', 'GET', 'DELETE']) {
      const body = method === 'PUT' ? { contacts: [{ email: 'ops@contoso.com' }] } : undefined;
      const r = await send(method, '/certificates/contacts', { ...(body ? { body } : {}) });
      expect([method, r.status, r.body]).toEqual([method, 200, contacts]);
    }
  });
});

describe('enumerations in any case', () => {
  it('keeps Self and Unknown reserved in every spelling, so no issuer object can shadow them', async () => {
    for (const name of ['self', 'UNKNOWN']) {
      const r = await send('PUT', `/certificates/issuers/${name}`, { body: { provider: 'Test' } });
      expect([r.status, r.body]).toEqual([400, { error: { code: 'BadParameter', message: `'${name}' is a reserved issuer name and cannot be set.` } }]);
    }
  });
});

describe('what Python sends', () => {
  it('is served at its default api-version 7.3 and the oldest it can be pinned to, 2016-10-01', async () => {
    const name = uniqueName('py');
    await selfSigned(name);
    for (const apiVersion of ['7.3', '2016-10-01']) {
      const r = await send('GET', `/certificates/${name}/`, { apiVersion });
      expect(r.status).toBe(200);
    }
  });
});

describe('behind a TLS-terminating front end', () => {
  const tls = { 'X-Forwarded-Proto': 'https' };

  it('builds ids, Location and target on https when the front end says the caller came over TLS', async () => {
    const name = uniqueName('tls');
    const httpsVault = service.url.replace(/^http:/, 'https:');
    const created = await selfSigned(name, {}, tls);
    expect(created.body.id).toBe(`${httpsVault}/certificates/${name}/pending`);
    expect(created.headers.get('location')).toMatch(new RegExp(`^${httpsVault}/certificates/${name}/pending\\?`));

    const pending = await send('GET', `/certificates/${name}/pending`, { headers: tls });
    expect(pending.body.target).toBe(`${httpsVault}/certificates/${name}`);
    const latest = await send('GET', `/certificates/${name}`, { headers: tls });
    for (const id of [latest.body.id, latest.body.kid, latest.body.sid, (latest.body.policy as { id: string }).id]) {
      expect(id).toMatch(new RegExp(`^${httpsVault}/`));
    }
  });

  it('keeps http ids for a caller that reached the service over plain HTTP', async () => {
    expect(service.url).toMatch(/^http:/);
    const name = uniqueName('plain');
    await selfSigned(name);
    const latest = await send('GET', `/certificates/${name}`);
    expect(latest.body.sid).toMatch(new RegExp(`^${service.url}/secrets/${name}/`));
  });
});
