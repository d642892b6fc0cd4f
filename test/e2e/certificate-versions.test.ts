import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CertificateClient, type ListPropertiesOfCertificateVersionsOptions } from '@azure/keyvault-certificates';
import { type RawClient, API_VERSION, rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/**
 * GET /certificates/{name}/versions: over raw HTTP (paging through nextLink verbatim, as the SDKs do; empty
 * names; refused parameters; a version still being requested) and through the JS SDK's
 * listPropertiesOfCertificateVersions. Versions are made by import: no key generation, so 30 of them are quick.
 */
let service: ServiceUnderTest;
let kv: RawClient;
let client: CertificateClient;
let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;
const pfx = { value: readFileSync(join(__dirname, '../fixtures/import/rsa-aes.pfx')).toString('base64'), pwd: 's3cret' };

interface VersionItem {
  id: string;
  x5t?: string;
  attributes: { enabled: boolean; nbf: number; exp: number; created: number; updated: number; recoveryLevel: string };
  tags?: Record<string, string>;
}
interface VersionList {
  value: VersionItem[];
  nextLink: string | null;
}

beforeAll(async () => {
  service = await startService();
  kv = rawClient(service.url, () => service.token());
  client = new CertificateClient(service.httpsUrl, service.credential, service.sdkOptions);
});
afterAll(() => service?.stop());

/** Imports `count` versions of `name`, answering their ids in the order they were made. */
async function importVersions(name: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await kv.request('POST', `/certificates/${name}/import`, { ...pfx, tags: { n: String(i) } });
    expect(response.status).toBe(200);
    ids.push(String(response.body.id));
  }
  return ids;
}

/** GETs a nextLink exactly as given (the SDKs do not rebuild it). */
async function follow(nextLink: string): Promise<{ status: number; body: VersionList }> {
  const response = await fetch(nextLink, { headers: { Authorization: `Bearer ${await service.token()}` } });
  return { status: response.status, body: (await response.json()) as VersionList };
}

describe('GET /certificates/{name}/versions over raw HTTP', () => {
  let name: string;
  let ids: string[];
  beforeAll(async () => {
    name = uniqueName('versions');
    ids = await importVersions(name, 30);
    // Another certificate's versions never show up in this one's list.
    await importVersions(`${name}-other`, 2);
  });

  it('pages 30 versions by maxresults=7 through nextLink, each once as {id, x5t, attributes, tags}', async () => {
    const first = await kv.request('GET', `/certificates/${name}/versions`, undefined, { query: `api%2Dversion=${API_VERSION}&maxresults=7` });
    expect(first.status).toBe(200);
    const pages = [first.body as unknown as VersionList];
    while (pages.at(-1)?.nextLink) {
      const link = pages.at(-1)?.nextLink ?? '';
      expect(link).toMatch(new RegExp(`^${service.url}/certificates/${name}/versions\\?api-version=${API_VERSION}&\\$skiptoken=[A-Za-z0-9_-]+&maxresults=7$`));
      const next = await follow(link);
      expect(next.status).toBe(200);
      pages.push(next.body);
    }
    expect(pages.map((p) => p.value.length)).toEqual([7, 7, 7, 7, 2]);
    const items = pages.flatMap((p) => p.value);
    expect(items.map((item) => item.id).sort()).toEqual([...ids].sort());
    const x5t = (await kv.request('GET', `/certificates/${name}/`)).body.x5t;
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(['attributes', 'id', 'tags', 'x5t']);
      expect(item.x5t).toBe(x5t);
      expect(item.attributes).toMatchObject({ enabled: true, recoveryLevel: expect.any(String) });
    }
    // Each version keeps its own tags.
    expect(items.map((item) => Number(item.tags?.n)).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    // No key, chain or secret material in a list.
    expect(JSON.stringify(pages)).not.toMatch(/"cer"|"kid"|"sid"|sealed|PRIVATE/);
  });

  it('answers 25 versions and a nextLink without maxresults, and the rest on the next page', async () => {
    const first = await kv.request('GET', `/certificates/${name}/versions`);
    const body = first.body as unknown as VersionList;
    expect([first.status, body.value.length]).toEqual([200, 25]);
    const next = await follow(body.nextLink ?? '');
    expect([next.status, next.body.value.length, next.body.nextLink]).toEqual([200, 5, null]);
  });

  it('lists a name that has no versions as empty, not 404, with and without the name ever existing', async () => {
    const r = await kv.request('GET', `/certificates/${uniqueName('never')}/versions`);
    expect([r.status, r.body]).toEqual([200, { value: [], nextLink: null }]);
  });

  it('refuses maxresults outside 1–25 and a $skiptoken it did not issue with 400 BadParameter', async () => {
    for (const query of ['maxresults=0', 'maxresults=26', 'maxresults=x', '$skiptoken=not-a-token', `$skiptoken=${Buffer.from('{"v":2}').toString('base64url')}`]) {
      const r = await kv.request('GET', `/certificates/${name}/versions`, undefined, { query: `api-version=${API_VERSION}&${query}` });
      expect({ query, status: r.status, code: (r.body.error as { code?: string } | undefined)?.code }).toEqual({ query, status: 400, code: 'BadParameter' });
    }
  });

  it('refuses a name Key Vault would not accept with 400, as the other certificate routes do', async () => {
    const r = await kv.request('GET', '/certificates/not_valid/versions');
    expect(r.status).toBe(400);
  });

  it('shows a version still being requested among the versions, disabled and without x5t, as GET by version shows it', async () => {
    const pendingName = uniqueName('versions-pending');
    const [issued] = await importVersions(pendingName, 1);
    const created = await kv.request('POST', `/certificates/${pendingName}/create`, { policy: { x509_props: { subject: 'CN=pending' }, issuer: { name: 'Unknown' } } });
    expect(created.status).toBe(202);
    const pending = (await kv.request('GET', `/certificates/${pendingName}/`)).body;
    const list = (await kv.request('GET', `/certificates/${pendingName}/versions`)).body as unknown as VersionList;
    expect(list.value.map((item) => item.id).sort()).toEqual([issued, pending.id].sort());
    const item = list.value.find((i) => i.id === pending.id);
    expect(item).toEqual({ id: pending.id, attributes: pending.attributes, tags: pending.tags });
    expect(item?.attributes.enabled).toBe(false);
  });
});

describe('listPropertiesOfCertificateVersions (JS SDK)', () => {
  it('lists every version, following nextLink page by page, with name, version and attributes from each id', async () => {
    const name = uniqueName('sdk-versions');
    const ids = await importVersions(name, 9);
    const all = [];
    for await (const properties of client.listPropertiesOfCertificateVersions(name)) all.push(properties);
    expect(all.map((p) => p.id).sort()).toEqual(ids.map((id) => id.replace(service.url, service.httpsUrl)).sort());
    for (const p of all) {
      expect(p).toMatchObject({ name, vaultUrl: service.httpsUrl, enabled: true });
      expect(ids.map((id) => id.replace(service.url, service.httpsUrl))).toContain(`${service.httpsUrl}/certificates/${name}/${p.version}`);
      expect(p.x509Thumbprint).toBeInstanceOf(Uint8Array);
    }
    // byPage's maxPageSize is not sent; the public options do not declare maxresults, but the generated
    // client sends it when given, and then follows each nextLink.
    const pageSizes = [];
    const options = { maxresults: 4 } as ListPropertiesOfCertificateVersionsOptions;
    for await (const page of client.listPropertiesOfCertificateVersions(name, options).byPage()) pageSizes.push(page.length);
    expect(pageSizes).toEqual([4, 4, 1]);
  });

  it('lists nothing for a name without versions', async () => {
    const all = [];
    for await (const properties of client.listPropertiesOfCertificateVersions(uniqueName('sdk-none'))) all.push(properties);
    expect(all).toEqual([]);
  });
});
