import { CertificateClient, type CertificateProperties, type ListPropertiesOfCertificatesOptions, WellKnownIssuer } from '@azure/keyvault-certificates';
import { TABLES } from '../../shared/names';
import { refreshListing } from '../../shared/services/certificate-listing';
import { CertificateIndexStore } from '../../shared/storage/certificate-index-store';
import { CertificateStore } from '../../shared/storage/certificate-store';
import { type RawClient, API_VERSION, rawClient } from '../helpers/raw-client';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';

/**
 * GET /certificates and GET /deletedcertificates: over raw HTTP (item shapes, includePending, paging through
 * nextLink verbatim, refused parameters) and through the JS SDK's listPropertiesOfCertificates and
 * listDeletedCertificates. Soft delete is another route's; here a deletion is written into the head directly,
 * as that route records it, and the list index refreshed as every change does.
 */
let service: ServiceUnderTest;
let kv: RawClient;
let client: CertificateClient;
const run = Date.now().toString(36);
const issued = [`list-b-${run}`, `List-A-${run}`];
const pendingOnly = `list-wait-${run}`;
const deleted = `list-gone-${run}`;

interface Item {
  id: string;
  x5t?: string;
  attributes: Record<string, unknown>;
  tags?: Record<string, string>;
  recoveryId?: string;
  deletedDate?: number;
  scheduledPurgeDate?: number;
}
interface Page {
  value: Item[];
  nextLink?: string | null;
}

async function create(name: string, issuer: string, tags: Record<string, string> = {}): Promise<void> {
  const response = await kv.request('POST', `/certificates/${name}/create`, {
    policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: `CN=${name}` }, issuer: { name: issuer } },
    tags,
  });
  expect(response.status).toBe(202);
}

async function waitIssued(name: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const pending = await kv.request('GET', `/certificates/${name}/pending`);
    if (pending.body.status === 'completed') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${name} was not issued`);
}

/** Every page from `path` with `query`, following nextLink verbatim; the pages and the links followed. */
async function walk(path: string, query: string): Promise<{ pages: Page[]; links: string[] }> {
  const first = await kv.request('GET', path, undefined, { query: `api%2Dversion=${API_VERSION}&${query}` });
  expect(first.status).toBe(200);
  const pages = [first.body as unknown as Page];
  const links: string[] = [];
  for (let link = pages[0]?.nextLink; link; link = pages.at(-1)?.nextLink) {
    links.push(link);
    const response = await fetch(link, { headers: { Authorization: `Bearer ${await service.token()}` } });
    expect(response.status).toBe(200);
    pages.push((await response.json()) as Page);
  }
  return { pages, links };
}

const ours = (items: Item[]) => items.filter((item) => item.id.endsWith(run) || item.recoveryId?.endsWith(run));
const names = (items: Item[]) => ours(items).map((item) => item.id.split('/').pop());

beforeAll(async () => {
  service = await startService();
  kv = rawClient(service.url, () => service.token());
  client = new CertificateClient(service.httpsUrl, service.credential, service.sdkOptions);
  for (const name of [...issued, deleted]) await create(name, 'Self', { team: 'lists' });
  await create(pendingOnly, 'Unknown', { team: 'waiting' });
  for (const name of [...issued, deleted]) await waitIssued(name);

  // What the delete route records on the head, then the refresh every change runs.
  const certificates = new CertificateStore(service.table(TABLES.certificates));
  const listings = new CertificateIndexStore(service.table(TABLES.certificateIndex));
  const head = await certificates.getStoredHead(deleted);
  const op = await certificates.getOperation(deleted);
  if (!head || !op) throw new Error('not issued');
  await certificates.replaceOperationAndHead(op, { ...head, value: { ...head.value, deletion: { deletedDate: 1_800_000_000, scheduledPurgeDate: 1_807_776_000 } } });
  await refreshListing({ certificates, listings }, deleted);
});
afterAll(() => service?.stop());

describe('GET /certificates over raw HTTP', () => {
  it('lists issued certificates as {id without version, x5t, attributes, tags}, and no pending-only or deleted ones', async () => {
    const { pages } = await walk('/certificates', 'maxresults=25');
    const items = ours(pages.flatMap((p) => p.value));
    expect(names(items)).toEqual([issued[1], issued[0]]);
    for (const item of items) {
      const name = item.id.split('/').pop() ?? '';
      const latest = await kv.request('GET', `/certificates/${name}/`);
      expect(item).toEqual({ id: `${service.url}/certificates/${name}`, x5t: latest.body.x5t, attributes: latest.body.attributes, tags: { team: 'lists' } });
    }
    expect(pages.at(-1)?.nextLink ?? null).toBeNull();
  });

  it('adds pending-only certificates with includePending=true: disabled, no x5t, and keeps includePending in every nextLink', async () => {
    const { pages, links } = await walk('/certificates', 'maxresults=1&includePending=true');
    expect(pages.every((p) => Array.isArray(p.value) && p.value.length <= 1)).toBe(true);
    for (const link of links) {
      expect(link).toMatch(new RegExp(`^${service.url}/certificates\\?api-version=${API_VERSION}&\\$skiptoken=[A-Za-z0-9_-]+&maxresults=1&includePending=true$`));
    }
    const items = ours(pages.flatMap((p) => p.value));
    expect(names(items)).toEqual([issued[1], issued[0], pendingOnly]);
    const waiting = items[2];
    expect(waiting).toEqual({ id: `${service.url}/certificates/${pendingOnly}`, attributes: expect.objectContaining({ enabled: false }), tags: { team: 'waiting' } });
    const latest = await kv.request('GET', `/certificates/${pendingOnly}/`);
    expect(waiting?.attributes).toEqual(latest.body.attributes);
  });

  it('answers 400 BadParameter for a token it did not issue, maxresults out of range, and includePending that is not a boolean', async () => {
    for (const query of ['$skiptoken=not-a-token', 'maxresults=26', 'maxresults=0', 'includePending=yes']) {
      const response = await kv.request('GET', '/certificates', undefined, { query: `api%2Dversion=${API_VERSION}&${query}` });
      expect(response.status).toBe(400);
      expect((response.body.error as { code: string }).code).toBe('BadParameter');
    }
  });

  it('challenges a caller without a token (401), as every route does', async () => {
    const response = await kv.request('GET', '/certificates', undefined, { token: null });
    expect(response.status).toBe(401);
  });
});

describe('GET /deletedcertificates over raw HTTP', () => {
  it('lists a soft-deleted certificate with recoveryId, deletedDate and scheduledPurgeDate, and only there', async () => {
    const { pages } = await walk('/deletedcertificates', 'maxresults=25');
    const items = ours(pages.flatMap((p) => p.value));
    expect(items).toEqual([
      {
        recoveryId: `${service.url}/deletedcertificates/${deleted}`,
        deletedDate: 1_800_000_000,
        scheduledPurgeDate: 1_807_776_000,
        id: `${service.url}/certificates/${deleted}`,
        x5t: expect.stringMatching(/^[A-Za-z0-9_-]{27}$/),
        attributes: expect.objectContaining({ enabled: true }),
        tags: { team: 'lists' },
      },
    ]);
    const live = await walk('/certificates', 'includePending=true');
    expect(names(live.pages.flatMap((p) => p.value))).not.toContain(deleted);
  });

  it('lists the versions of a soft-deleted certificate as empty', async () => {
    const response = await kv.request('GET', `/certificates/${deleted}/versions`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ value: [], nextLink: null });
  });
});

describe('the JS SDK', () => {
  it('listPropertiesOfCertificates pages with maxresults and includePending, each certificate once', async () => {
    // SDK 4.10 ignores byPage's maxPageSize; its generated layer reads `maxresults` from the options it is given.
    const options: ListPropertiesOfCertificatesOptions & { maxresults: number } = { includePending: true, maxresults: 1 };
    const seen: string[] = [];
    for await (const page of client.listPropertiesOfCertificates(options).byPage()) {
      expect(page.length).toBeLessThanOrEqual(1);
      seen.push(...page.map((p) => p.name ?? '').filter((n) => n.endsWith(run)));
    }
    expect(seen).toEqual([issued[1], issued[0], pendingOnly]);

    const withoutPending: CertificateProperties[] = [];
    for await (const properties of client.listPropertiesOfCertificates()) {
      if (properties.name?.endsWith(run)) withoutPending.push(properties);
    }
    expect(withoutPending.map((p) => p.name)).toEqual([issued[1], issued[0]]);
    const sdkCert = await client.getCertificate(issued[0] as string);
    const listed = withoutPending.find((p) => p.name === issued[0]);
    expect(listed?.enabled).toBe(true);
    expect(listed?.tags).toEqual({ team: 'lists' });
    expect(listed?.x509ThumbprintString).toBe(sdkCert.properties.x509ThumbprintString);
    expect(listed?.x509ThumbprintString).toMatch(/^[0-9a-f]{40}$/);
    expect(listed?.version).toBeUndefined();
  });

  it('listDeletedCertificates shows the deleted one with its recovery id and dates', async () => {
    const found = [];
    for await (const item of client.listDeletedCertificates({ includePending: true })) {
      if (item.name.endsWith(run)) found.push(item);
    }
    expect(found.map((f) => f.name)).toEqual([deleted]);
    expect(found[0]?.recoveryId).toBe(`${service.httpsUrl}/deletedcertificates/${deleted}`);
    expect(found[0]?.deletedOn).toEqual(new Date(1_800_000_000 * 1000));
    expect(found[0]?.scheduledPurgeDate).toEqual(new Date(1_807_776_000 * 1000));
  });

  it('an SDK-created certificate is listed once it is issued', async () => {
    const name = `list-sdk-${run}`;
    const poller = await client.beginCreateCertificate(name, { issuerName: WellKnownIssuer.Self, subject: `CN=${name}` }, { intervalInMs: 100 });
    await poller.pollUntilDone();
    const listed: string[] = [];
    for await (const properties of client.listPropertiesOfCertificates()) if (properties.name === name) listed.push(properties.name);
    expect(listed).toEqual([name]);
  });
});
