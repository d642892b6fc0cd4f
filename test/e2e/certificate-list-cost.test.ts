import { getApp } from '../../shared/composition';
import type { CertificateListing } from '../../shared/domain/certificate-listing';
import type { CertificateVersion } from '../../shared/domain/certificate-version';
import { resolvePolicy } from '../../shared/domain/policy-resolution';
import { completed } from '../../shared/domain/pending-operation';
import { TABLES } from '../../shared/names';
import { listingFor, refreshListing } from '../../shared/services/certificate-listing';
import { CertificateIndexStore } from '../../shared/storage/certificate-index-store';
import { CertificateStore } from '../../shared/storage/certificate-store';
import { ContactsStore } from '../../shared/storage/contacts-store';
import { IssuerStore } from '../../shared/storage/issuer-store';
import { operationFixture } from '../helpers/operation-fixture';
import { API_VERSION } from '../helpers/raw-client';
import { type ServiceUnderTest, startService } from '../helpers/service-under-test';
import { type TableRequest, isKeyRangeFilter, tableRequestLog } from '../helpers/storage-request-log';

/**
 * The done-when: 1,000 certificates page correctly with maxresults=25 through nextLink, and each page
 * costs O(page) in Azure's terms (docs/storage-design.md, "How a test proves O(page)"). The pages are real
 * HTTP requests to the local host, whose app runs in this process: its storage adapters are swapped for ones
 * on the same tables whose requests are recorded, so every table request a page makes is counted (the status
 * sweep's due-index table is left out: the sweep runs on its own timer, and the lists never read it).
 */
let service: ServiceUnderTest;
const log = tableRequestLog();
const NOW = 1_767_225_600;
const LIVE = 1000;
const PENDING_ONLY = 40;
const DELETED = 50;
/** Made the way the services make them (operation, completion, refresh); the rest are rows of the same shape. */
const THROUGH_REFRESH = 10;

const pad = (i: number) => String(i).padStart(4, '0');
const policy = resolvePolicy({ x509_props: { subject: 'CN=cost' } }, NOW);

function listing(name: string, i: number, overrides: Partial<CertificateListing> = {}): CertificateListing {
  return {
    name,
    issued: true,
    version: i.toString(16).padStart(32, '0'),
    x5t: 'eDV0',
    enabled: true,
    notBefore: NOW,
    expires: NOW + 86_400,
    created: NOW,
    updated: NOW,
    tags: { n: String(i) },
    ...overrides,
  };
}

async function inChunks<T>(items: T[], size: number, each: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(each));
}

beforeAll(async () => {
  service = await startService();
  const connection = service.azurite.connectionString;
  const certificates = new CertificateStore(service.table(TABLES.certificates));
  const listings = new CertificateIndexStore(service.table(TABLES.certificateIndex));
  // The first request builds the app (and its tables); then its adapters are swapped for recorded ones.
  const first = await fetch(`${service.url}/certificates?api-version=${API_VERSION}`, { headers: { Authorization: `Bearer ${await service.token()}` } });
  expect(first.status).toBe(200);
  const app = await getApp();
  app.services.certificates = new CertificateStore(log.tableClient(connection, TABLES.certificates));
  app.services.listings = new CertificateIndexStore(log.tableClient(connection, TABLES.certificateIndex));
  app.services.issuers = new IssuerStore(log.tableClient(connection, TABLES.issuers));
  app.services.contacts = new ContactsStore(log.tableClient(connection, TABLES.contacts));

  // A few certificates the way the services make them: several versions each, then the refresh.
  for (let i = 0; i < THROUGH_REFRESH; i++) {
    const name = `cert-${pad(i)}`;
    for (let v = 0; v < 3; v++) {
      const existing = await certificates.getOperation(name);
      const op = operationFixture({ name, requestId: `r${i}-${v}`, version: (i * 16 + v).toString(16).padStart(32, '0'), policy, created: NOW, tags: { n: String(i) } });
      const etag = await certificates.putOperation(op, existing?.etag);
      const version: CertificateVersion = {
        name, version: op.version, enabled: true, notBefore: NOW, expires: NOW + 86_400, created: NOW, updated: NOW, tags: op.tags,
        chain: ['bGVhZg'], x5t: 'eDV0', keySpec: policy.key, exportable: true, publicKeySpki: 'c3BraQ',
        secretContentType: policy.secretContentType, policy, preserveCertOrder: false,
      };
      await certificates.completeOperation(completed(op, NOW), etag, version, { name, policy, latestVersion: op.version, latest: version });
    }
    await refreshListing({ certificates, listings }, name);
  }
  // What refresh wrote for those is what the fixture rows below look like.
  expect(await listingFor({ certificates, listings }, 'cert-0000')).toEqual(listing('cert-0000', 0, { version: (2).toString(16).padStart(32, '0') }));

  const live = Array.from({ length: LIVE - THROUGH_REFRESH }, (_, k) => listing(`cert-${pad(k + THROUGH_REFRESH)}`, k + THROUGH_REFRESH));
  const pending = Array.from({ length: PENDING_ONLY }, (_, k) => listing(`wait-${pad(k)}`, k, { issued: false, x5t: undefined, enabled: false }));
  const deleted = Array.from({ length: DELETED }, (_, k) => listing(`gone-${pad(k)}`, k, { deletion: { deletedDate: NOW, scheduledPurgeDate: NOW + 90 * 86_400 } }));
  await inChunks([...live, ...pending, ...deleted], 50, (row) => listings.put(row, undefined));
}, 120_000);
afterAll(() => service?.stop());

interface Page {
  value: { id: string; recoveryId?: string }[];
  nextLink?: string | null;
}

/** Walks every page from `firstUrl` through nextLink; per page, what it listed and the table requests it made. */
async function walk(firstUrl: string): Promise<{ names: string[]; perPage: TableRequest[][] }> {
  const names: string[] = [];
  const perPage: TableRequest[][] = [];
  for (let url: string | null | undefined = firstUrl; url; ) {
    log.clear();
    const response = await fetch(url, { headers: { Authorization: `Bearer ${await service.token()}` } });
    expect(response.status).toBe(200);
    const page = (await response.json()) as Page;
    perPage.push([...log.requests]);
    expect(page.value.length).toBeLessThanOrEqual(25);
    names.push(...page.value.map((item) => item.id.split('/').pop() ?? ''));
    url = page.nextLink;
    if (perPage.length > 200) throw new Error('the list does not end');
  }
  return { names, perPage };
}

/** Each page: at most 2 table requests, each a key-range query with $top ≤ 26 returning ≤ 26 entities. */
function expectO1PerPage(perPage: TableRequest[][]): void {
  for (const requests of perPage) {
    expect(requests.length).toBeGreaterThanOrEqual(1);
    expect(requests.length).toBeLessThanOrEqual(2);
    for (const request of requests) {
      expect(request.method).toBe('GET');
      expect(isKeyRangeFilter(request.filter ?? '')).toBe(true);
      expect(request.top).toBeLessThanOrEqual(26);
      expect(request.returned).toBeLessThanOrEqual(26);
    }
    expect(requests.reduce((sum, r) => sum + (r.returned ?? 0), 0)).toBeLessThanOrEqual(26);
  }
}

const expectedLive = Array.from({ length: LIVE }, (_, i) => `cert-${pad(i)}`);

it('lists 1,000 certificates with maxresults=25 in 40 pages, each exactly once, each page one key-range request', async () => {
  const { names, perPage } = await walk(`${service.url}/certificates?api-version=${API_VERSION}&maxresults=25`);
  expect(names).toHaveLength(LIVE);
  expect(new Set(names).size).toBe(LIVE);
  expect([...names].sort()).toEqual(expectedLive);
  expect(perPage).toHaveLength(40);
  expectO1PerPage(perPage);
  expect(perPage.every((requests) => requests.length === 1)).toBe(true);
});

it('adds the pending-only ones with includePending=true, a page crossing from one key range to the other costing two requests', async () => {
  const { names, perPage } = await walk(`${service.url}/certificates?api-version=${API_VERSION}&maxresults=25&includePending=true`);
  expect(names).toHaveLength(LIVE + PENDING_ONLY);
  expect(new Set(names).size).toBe(LIVE + PENDING_ONLY);
  expect(names.filter((n) => n.startsWith('wait-')).sort()).toEqual(Array.from({ length: PENDING_ONLY }, (_, i) => `wait-${pad(i)}`));
  expect(perPage).toHaveLength(42);
  expectO1PerPage(perPage);
});

it('lists the deleted ones, and only them, from their own partition', async () => {
  const { names, perPage } = await walk(`${service.url}/deletedcertificates?api-version=${API_VERSION}&maxresults=25`);
  expect([...names].sort()).toEqual(Array.from({ length: DELETED }, (_, i) => `gone-${pad(i)}`));
  expect(perPage).toHaveLength(2);
  expectO1PerPage(perPage);
  for (const request of perPage.flat()) expect(request.filter).toContain("PartitionKey eq 'deleted'");
});
