import { type RawClient, API_VERSION, rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/**
 * Issuer PATCH, DELETE and list over raw HTTP: every status each answers, and the list's nextLink followed
 * verbatim as the SDKs do. This file has a storage account of its own, so lists hold only its issuers.
 */
let service: ServiceUnderTest;
let kv: RawClient;

beforeAll(async () => {
  service = await startService();
  kv = rawClient(service.url, () => service.token());
});
afterAll(() => service?.stop());

const notFound = { error: { code: 'CertificateIssuerNotFound', message: 'Issuer not found' } };
const created = {
  provider: 'Test',
  credentials: { account_id: 'keyvaultuser', pwd: 'hunter2' },
  org_details: { id: 'org1', admin_details: [{ first_name: 'John', last_name: 'Doe', email: 'admin@contoso.com', phone: '4255555555' }] },
  attributes: { enabled: true },
};

/** GETs a nextLink exactly as given (the SDKs do not rebuild it). */
async function follow(nextLink: string): Promise<{ status: number; body: { value: { id: string; provider: string }[]; nextLink: string | null } }> {
  const response = await fetch(nextLink, { headers: { Authorization: `Bearer ${await service.token()}` } });
  return { status: response.status, body: (await response.json()) as { value: { id: string; provider: string }[]; nextLink: string | null } };
}

describe('GET /certificates/issuers', () => {
  it('answers an empty vault with an empty value and a null nextLink, with and without the trailing slash', async () => {
    for (const path of ['/certificates/issuers', '/certificates/issuers/']) {
      const r = await kv.request('GET', path);
      expect([r.status, r.body]).toEqual([200, { value: [], nextLink: null }]);
    }
  });

  it('pages by maxresults, each issuer once as {id, provider}, following nextLink verbatim until it is null', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `raw-${String(i).padStart(2, '0')}`);
    for (const name of names) expect((await kv.request('PUT', `/certificates/issuers/${name}`, created)).status).toBe(200);

    const first = await kv.request('GET', '/certificates/issuers', undefined, { query: `api%2Dversion=${API_VERSION}&maxresults=5` });
    expect(first.status).toBe(200);
    const pages = [first.body as { value: { id: string; provider: string }[]; nextLink: string | null }];
    while (pages.at(-1)?.nextLink) {
      const link = pages.at(-1)?.nextLink ?? '';
      expect(link).toMatch(new RegExp(`^${service.url}/certificates/issuers\\?api-version=${API_VERSION}&\\$skiptoken=[A-Za-z0-9_-]+&maxresults=5$`));
      const next = await follow(link);
      expect(next.status).toBe(200);
      pages.push(next.body);
    }
    expect(pages.map((p) => p.value.length)).toEqual([5, 5, 2]);
    expect(pages.flatMap((p) => p.value)).toEqual(names.map((name) => ({ id: `${service.url}/certificates/issuers/${name}`, provider: 'Test' })));
    expect(JSON.stringify(pages)).not.toContain('hunter2');
  });

  it('refuses maxresults outside 1–25 and a $skiptoken it did not issue with 400 BadParameter', async () => {
    for (const maxresults of ['0', '26', 'x']) {
      const r = await kv.request('GET', '/certificates/issuers', undefined, { query: `api-version=${API_VERSION}&maxresults=${maxresults}` });
      expect([r.status, r.body]).toEqual([400, { error: { code: 'BadParameter', message: `maxresults must be an integer from 1 to 25; it was '${maxresults}'.` } }]);
    }
    const r = await kv.request('GET', '/certificates/issuers', undefined, { query: `api-version=${API_VERSION}&$skiptoken=bm90LWEtdG9rZW4` });
    expect([r.status, r.body]).toEqual([400, { error: { code: 'BadParameter', message: 'The $skiptoken is not a continuation token of this list.' } }]);
  });
});

const unknownProvider = (name: string) =>
  `The issuer provider '${name}' is not known to this deployment. Known providers: Test, PrivateCA, ACME. DigiCert and GlobalSign are accepted, as on Key Vault, but cannot issue here.`;

describe('PATCH /certificates/issuers/{issuer}', () => {
  it('changes the members given and keeps the rest; no password is shown', async () => {
    const put = await kv.request('PUT', '/certificates/issuers/patched', created);
    // What the JS SDK sends for updateIssuer("patched", {provider: "GlobalSign"}).
    const r = await kv.request('PATCH', '/certificates/issuers/Patched', { provider: 'GlobalSign', credentials: {} });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      ...put.body,
      provider: 'GlobalSign',
      attributes: { ...(put.body.attributes as object), updated: expect.any(Number) },
    });
    expect(JSON.stringify(r.body)).not.toContain('hunter2');
    expect((await kv.request('GET', '/certificates/issuers/patched')).body).toEqual(r.body);
  });

  it('answers 404 CertificateIssuerNotFound for an issuer that does not exist, and creates none', async () => {
    const r = await kv.request('PATCH', '/certificates/issuers/never-set', { provider: 'Test' });
    expect([r.status, r.body]).toEqual([404, notFound]);
    expect((await kv.request('GET', '/certificates/issuers/never-set')).status).toBe(404);
  });

  it('answers 400 BadParameter for a body it cannot take, changing nothing', async () => {
    await kv.request('PUT', '/certificates/issuers/strict', created);
    const before = (await kv.request('GET', '/certificates/issuers/strict')).body;
    const empty = await kv.request('PATCH', '/certificates/issuers/strict', '');
    expect([empty.status, empty.body]).toEqual([400, { error: { code: 'BadParameter', message: 'The request body is empty; a JSON object is required.' } }]);
    const blank = await kv.request('PATCH', '/certificates/issuers/strict', { provider: '' });
    expect([blank.status, blank.body]).toEqual([400, { error: { code: 'BadParameter', message: 'Property has invalid value: provider: provider is required' } }]);
    const long = await kv.request('PATCH', '/certificates/issuers/strict', { credentials: { account_id: 'a'.repeat(257) } });
    expect(long.status).toBe(400);
    const unknown = await kv.request('PATCH', '/certificates/issuers/strict', { provider: 'Test2' });
    expect([unknown.status, unknown.body]).toEqual([400, { error: { code: 'BadParameter', message: unknownProvider('Test2') } }]);
    expect((await kv.request('GET', '/certificates/issuers/strict')).body).toEqual(before);
  });

  it('refuses a provider this deployment does not know on PUT too, naming the known ones, and stores nothing', async () => {
    const r = await kv.request('PUT', '/certificates/issuers/typo', { ...created, provider: 'DigiKert' });
    expect([r.status, r.body]).toEqual([400, { error: { code: 'BadParameter', message: unknownProvider('DigiKert') } }]);
    expect((await kv.request('GET', '/certificates/issuers/typo')).status).toBe(404);
  });

  it('answers 400 for a name that is no Key Vault name', async () => {
    const r = await kv.request('PATCH', '/certificates/issuers/bad_name', { provider: 'Test' });
    expect([r.status, r.body]).toEqual([400, { error: { code: 'BadParameter', message: 'The request URI contains an invalid name: bad_name' } }]);
  });
});

describe('DELETE /certificates/issuers/{issuer}', () => {
  it('answers the deleted issuer, after which reads, updates and deletes of it answer 404', async () => {
    const put = await kv.request('PUT', '/certificates/issuers/deleted-one', created);
    const r = await kv.request('DELETE', '/certificates/issuers/DELETED-ONE');
    expect([r.status, r.body]).toEqual([200, put.body]);
    expect(JSON.stringify(r.body)).not.toContain('hunter2');
    for (const method of ['GET', 'DELETE', 'PATCH']) {
      const again = await kv.request(method, '/certificates/issuers/deleted-one', method === 'PATCH' ? { provider: 'Test' } : undefined);
      expect([method, again.status, again.body]).toEqual([method, 404, notFound]);
    }
    const list = await kv.request('GET', '/certificates/issuers');
    expect((list.body.value as { id: string }[]).map((i) => i.id)).not.toContain(`${service.url}/certificates/issuers/deleted-one`);
  });

  it('answers 401 with the bearer challenge without a token, and deletes nothing', async () => {
    await kv.request('PUT', '/certificates/issuers/kept', created);
    const r = await kv.request('DELETE', '/certificates/issuers/kept', undefined, { token: null });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer authorization="/);
    expect((await kv.request('GET', '/certificates/issuers/kept')).status).toBe(200);
  });
});
