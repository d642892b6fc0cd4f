import { randomBytes } from 'node:crypto';
import { resolvePolicy } from '../../../shared/domain/policy-resolution';
import type { CertificateVersion } from '../../../shared/domain/certificate-version';
import { listCertificateVersions } from '../../../shared/services/certificate-versions';
import { CertificateStore } from '../../../shared/storage/certificate-store';
import { IssuerStore } from '../../../shared/storage/issuer-store';
import { OperationsDueIndex } from '../../../shared/storage/operations-due-index';
import { PurgeScheduleIndex } from '../../../shared/storage/purge-schedule';
import { ReconcileScheduleIndex } from '../../../shared/storage/reconcile-schedule';
import { createCertificate } from '../../../shared/services/create-certificate';
import { getLatestCertificate } from '../../../shared/services/certificate-reads';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { getPendingOperation } from '../../../shared/services/pending-operations';
import { deleteCertificate } from '../../../shared/services/delete-certificate';
import { updateCertificateProperties } from '../../../shared/services/certificate-properties';
import { sweepStatuses } from '../../../shared/services/status-sweep';
import { backupCertificate } from '../../../shared/services/backup-certificate';
import { getCertificatePolicy, updateCertificatePolicy } from '../../../shared/services/certificate-policy';
import { getDeletedCertificate, recoverDeletedCertificate } from '../../../shared/services/deleted-certificates';
import { purgeDeletedCertificate } from '../../../shared/services/purge-certificates';
import { restoreCertificateBackup } from '../../../shared/services/restore-certificate';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite';
import { manualClock, memoryServiceContext } from '../../helpers/service-context';
import { isKeyRangeFilter, queueRequestLog, type TableRequest, tableRequestLog } from '../../helpers/storage-request-log';
import { QueueClient } from '@azure/storage-queue';
import type { CertificateEvent } from '../../../shared/events/certificate-event';
import { selfSignedProvider } from '../../../shared/issuers/self-signed-provider';
import { ProviderRegistry } from '../../../shared/issuers/provider-registry';
import { CertificateIndexStore } from '../../../shared/storage/certificate-index-store';
import { IssuerJobQueue } from '../../../shared/storage/issuer-job-queue';
import { JsonQueue } from '../../../shared/storage/json-queue';
import { LifetimeScheduleIndex } from '../../../shared/storage/lifetime-schedule';
import { RenewalInfoScheduleIndex } from '../../../shared/storage/renewal-info-schedule';
import { RenewalStatusStore } from '../../../shared/storage/renewal-status-store';

/**
 * What reads cost on Azure, counted as Azure bills them (requests) and checked as Azure scans them (key-range
 * filters). See docs/storage-design.md, "How a test proves O(page)".
 */
let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const NOW = 1_767_225_600;

/**
 * Certificate-table requests of each step of the "operation and head together" test. Each was one more
 * (two point reads where one key-range request now reads both) before issue 13.
 */
const PINNED_BOTH = {
  'GET policy': 1,
  'PATCH policy': 2,
  'PATCH certificate': 5,
  'GET versions': 2,
  'DELETE certificate': 4,
  'GET deleted': 1,
  recover: 4,
  'DELETE again': 4,
  purge: 8,
  restore: 5,
};

describe('what storage reads cost', () => {
  it('the filter check tells a key range from a scan', () => {
    expect(isKeyRangeFilter("PartitionKey eq 'web' and RowKey ge 'v-' and RowKey lt 'v.'")).toBe(true);
    expect(isKeyRangeFilter("PartitionKey le '000029453760' and dueAt le 1767225600")).toBe(false);
    expect(isKeyRangeFilter("RowKey eq 'dueAt le 5'")).toBe(true);
  });

  it("lists one certificate's versions a page at a time: one key-range request with $top = page + 1 per page, however many other versions there are", async () => {
    const log = tableRequestLog();
    const table = log.tableClient(azurite.connectionString, `Cost${randomBytes(4).toString('hex')}`);
    await table.createTable();
    const policy = resolvePolicy({ x509_props: { subject: 'CN=cost' } }, NOW);
    const version = (name: string, i: number): CertificateVersion => ({
      name,
      version: i.toString(16).padStart(32, '0'),
      enabled: true,
      notBefore: NOW,
      expires: NOW + 1,
      created: NOW,
      updated: NOW,
      tags: {},
      chain: ['bGVhZg'],
      x5t: 'eDV0',
      keySpec: policy.key,
      exportable: true,
      publicKeySpki: 'c3BraQ',
      secretContentType: policy.secretContentType,
      policy,
      preserveCertOrder: false,
    });
    // Version rows written directly: completing 60 operations would cost minutes of key generation.
    for (const [name, count] of [['listed', 30], ['other', 30]] as const) {
      const rows = Array.from({ length: count }, (_, i) => version(name, i));
      await table.submitTransaction(
        rows.map((v) => ['create', { partitionKey: name, rowKey: `v-${v.version}`, data: JSON.stringify({ ...v, chain: undefined }), chain: JSON.stringify(v.chain) }]),
      );
    }
    log.clear();

    const store = new CertificateStore(table);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      log.clear();
      const page = await store.listVersions('Listed', 7, after);
      pages += 1;
      seen.push(...page.versions.map((v) => v.version));
      expect(log.requests).toHaveLength(1);
      const [query] = log.requests;
      expect(isKeyRangeFilter(query?.filter ?? '')).toBe(true);
      expect(query?.filter).toContain("PartitionKey eq 'listed'");
      expect(query?.top).toBe(8);
      expect(query?.returned).toBeLessThanOrEqual(8);
      after = page.continueAfter;
    } while (after !== undefined);
    expect(pages).toBe(5);
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i.toString(16).padStart(32, '0')));

    // The route's service adds one read of the operation row per page (a version still being requested
    // lives there): on the first page together with the head (a soft-deleted certificate lists no
    // versions), one key-range request of two rows; on later pages one point read.
    const { ctx } = memoryServiceContext({ certificates: store });
    let serviceAfter: string | undefined;
    let servicePages = 0;
    do {
      log.clear();
      const page = await listCertificateVersions(ctx, 'listed', 7, serviceAfter);
      servicePages += 1;
      const queries = log.requests.filter((r) => r.filter !== undefined);
      const versionQueries = queries.filter((r) => r.top !== undefined);
      expect(versionQueries).toHaveLength(1);
      expect(versionQueries[0]?.top).toBe(8);
      expect(log.requests).toHaveLength(2);
      expect(queries.every((r) => isKeyRangeFilter(r.filter ?? ''))).toBe(true);
      const pointReads = log.requests.filter((r) => r.filter === undefined);
      expect(pointReads).toEqual(servicePages === 1 ? [] : [{ method: 'GET' }]);
      serviceAfter = page.continueAfter;
    } while (serviceAfter !== undefined);
    expect(servicePages).toBe(5);
  });

  it('reads a pending operation with one point read, and the latest certificate with one key-range request of two rows', async () => {
    const log = tableRequestLog();
    const table = log.tableClient(azurite.connectionString, `Reads${randomBytes(4).toString('hex')}`);
    await table.createTable();
    const { ctx, takeJobs } = memoryServiceContext({ certificates: new CertificateStore(table) });
    const ec = { policy: { key_props: { kty: 'EC' as const, crv: 'P-256' as const }, x509_props: { subject: 'CN=read' }, issuer: { name: 'Self' } } };
    // Issued twice, so the partition also holds versions and a completed operation, as a renewed certificate's does.
    for (let i = 0; i < 2; i++) {
      await createCertificate(ctx, 'Read-Me', ec);
      for (const job of await takeJobs()) await runIssuerJob(ctx, job);
    }

    log.clear();
    expect((await getPendingOperation(ctx, 'read-me')).status).toBe('completed');
    expect(log.requests).toEqual([{ method: 'GET' }]);

    log.clear();
    const latest = await getLatestCertificate(ctx, 'READ-ME');
    expect(latest.kind).toBe('issued');
    expect(log.requests).toHaveLength(1);
    const [query] = log.requests;
    expect(isKeyRangeFilter(query?.filter ?? '')).toBe(true);
    expect(query?.filter).toContain("PartitionKey eq 'read-me'");
    expect(query?.returned).toBe(2);
  });

  it("reads a certificate's operation and head together (one key-range request) in every request that needs both", async () => {
    const log = tableRequestLog();
    const table = log.tableClient(azurite.connectionString, `Both${randomBytes(4).toString('hex')}`);
    await table.createTable();
    // Only the certificate table is on Azurite: what is counted is each step's reads and writes of it.
    const { ctx, takeJobs } = memoryServiceContext({ clock: manualClock(new Date(NOW * 1000)), certificates: new CertificateStore(table) });
    const ec = { policy: { key_props: { kty: 'EC' as const, crv: 'P-256' as const }, x509_props: { subject: 'CN=both' }, issuer: { name: 'Self' } } };
    await createCertificate(ctx, 'both', ec);
    for (const job of await takeJobs()) await runIssuerJob(ctx, job);
    const backup = await backupCertificate(ctx, 'both');

    const steps: [string, () => Promise<unknown>][] = [
      ['GET policy', () => getCertificatePolicy(ctx, 'both')],
      ['PATCH policy', () => updateCertificatePolicy(ctx, 'both', { x509_props: { subject: 'CN=patched' } })],
      ['PATCH certificate', () => updateCertificateProperties(ctx, 'both', undefined, { tags: { a: 'b' } })],
      ['GET versions', () => listCertificateVersions(ctx, 'both', 25)],
      ['DELETE certificate', () => deleteCertificate(ctx, 'both')],
      ['GET deleted', () => getDeletedCertificate(ctx, 'both')],
      ['recover', () => recoverDeletedCertificate(ctx, 'both')],
      ['DELETE again', () => deleteCertificate(ctx, 'both')],
      ['purge', () => purgeDeletedCertificate(ctx, 'both')],
      ['restore', () => restoreCertificateBackup(ctx, backup, 'https://vault.example')],
    ];
    const counted: Record<string, ReturnType<typeof costOf>> = {};
    for (const [label, step] of steps) {
      log.clear();
      await step();
      // Every query is a key range within the one partition (the operation and head, or the versions).
      expect(log.requests.filter((r) => r.filter !== undefined).every((r) => isKeyRangeFilter(r.filter ?? ''))).toBe(true);
      counted[label] = costOf(log.requests, []);
    }
    console.log(`certificate-table requests per step:\n${Object.entries(counted).map(([label, c]) => `  ${label}: ${JSON.stringify(c)}`).join('\n')}`);
    // Pinned: a step that reads the operation and the head with two point reads again (or adds any request) fails.
    expect(Object.fromEntries(Object.entries(counted).map(([label, c]) => [label, c.requests]))).toEqual(PINNED_BOTH);
  });

  it('lists issuers a page at a time: one key-range request with $top = page + 1 per page, each issuer once', async () => {
    const log = tableRequestLog();
    const table = log.tableClient(azurite.connectionString, `Issuers${randomBytes(4).toString('hex')}`);
    await table.createTable();
    const store = new IssuerStore(table);
    const names = Array.from({ length: 60 }, (_, i) => `ca-${String(i).padStart(2, '0')}`);
    for (const name of names) await store.put({ name, provider: 'Test', adminContacts: [], enabled: true, created: NOW, updated: NOW });
    log.clear();

    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      log.clear();
      const page = await store.list(7, after);
      pages += 1;
      seen.push(...page.issuers.map((i) => i.name));
      expect(log.requests).toHaveLength(1);
      const [query] = log.requests;
      expect(isKeyRangeFilter(query?.filter ?? '')).toBe(true);
      expect(query?.top).toBe(8);
      expect(query?.returned).toBeLessThanOrEqual(8);
      after = page.continueAfter;
    } while (after !== undefined);
    expect(pages).toBe(9);
    expect(seen).toEqual(names);
  });

  it('reads the due index without touching entries due in later minutes', async () => {
    const log = tableRequestLog();
    const table = log.tableClient(azurite.connectionString, `Due${randomBytes(4).toString('hex')}`);
    await table.createTable();
    const index = new OperationsDueIndex(table);
    for (let i = 0; i < 3; i++) await index.schedule({ name: `now-${i}`, requestId: 'r', dueAt: NOW - 60 });
    for (let i = 0; i < 20; i++) await index.schedule({ name: `later-${i}`, requestId: 'r', dueAt: NOW + 600 + i * 60 });
    log.clear();

    expect(await index.due(NOW, 200)).toHaveLength(3);
    expect(log.requests).toHaveLength(1);
    // dueAt is not a key, so what bounds the rows Azure scans is the partition (minute bucket) range.
    const bound = /PartitionKey le '(\d+)'/.exec(log.requests[0]?.filter ?? '')?.[1];
    expect(Number(bound)).toBe(Math.floor(NOW / 60));
  });

  it('reads only the purges that are due: one key-range request with $top, beside the sweep entries and later purges', async () => {
    const log = tableRequestLog();
    const table = log.tableClient(azurite.connectionString, `Purge${randomBytes(4).toString('hex')}`);
    await table.createTable();
    const schedule = new PurgeScheduleIndex(table);
    const sweep = new OperationsDueIndex(table);
    for (let i = 0; i < 3; i++) await schedule.schedule({ name: `due-${i}`, scheduledPurgeDate: NOW - 86_400 * i });
    // Later in this very minute, and in later days: not due.
    await schedule.schedule({ name: 'this-minute', scheduledPurgeDate: NOW + 1 });
    for (let i = 1; i <= 20; i++) await schedule.schedule({ name: `later-${i}`, scheduledPurgeDate: NOW + 86_400 * i });
    for (let i = 0; i < 5; i++) await sweep.schedule({ name: `op-${i}`, requestId: 'r', dueAt: NOW - 60 });
    log.clear();

    expect((await schedule.due(NOW, 10)).map((e) => e.name)).toEqual(['due-2', 'due-1', 'due-0']);
    expect(log.requests).toHaveLength(1);
    const [query] = log.requests;
    expect(isKeyRangeFilter(query?.filter ?? '')).toBe(true);
    expect(query?.top).toBe(10);
    expect(query?.returned).toBe(3);
  });

  it('reads only the reconciles that are due: one key-range request with $top, beside the sweep and purge entries and later reconciles', async () => {
    const log = tableRequestLog();
    const table = log.tableClient(azurite.connectionString, `Reconcile${randomBytes(4).toString('hex')}`);
    await table.createTable();
    const schedule = new ReconcileScheduleIndex(table);
    for (let i = 0; i < 3; i++) await schedule.schedule({ name: `due-${i}`, dueAt: NOW - 60 * i, changeId: 'c' });
    await schedule.schedule({ name: 'this-minute', dueAt: NOW + 1, changeId: 'c' });
    for (let i = 1; i <= 20; i++) await schedule.schedule({ name: `later-${i}`, dueAt: NOW + 600 * i, changeId: 'c' });
    for (let i = 0; i < 5; i++) await new OperationsDueIndex(table).schedule({ name: `op-${i}`, requestId: 'r', dueAt: NOW - 60 });
    for (let i = 0; i < 5; i++) await new PurgeScheduleIndex(table).schedule({ name: `purge-${i}`, scheduledPurgeDate: NOW - 60 });
    log.clear();

    expect((await schedule.due(NOW, 10)).map((e) => e.name)).toEqual(['due-2', 'due-1', 'due-0']);
    expect(log.requests).toHaveLength(1);
    const [query] = log.requests;
    expect(isKeyRangeFilter(query?.filter ?? '')).toBe(true);
    expect(query?.top).toBe(10);
    expect(query?.returned).toBe(3);
  });

  it("costs a change two requests more for its reconcile entry (a write before its batch, a delete after its refresh), and an idle sweep one query", async () => {
    const log = tableRequestLog();
    const table = log.tableClient(azurite.connectionString, `Reconcile${randomBytes(4).toString('hex')}`);
    await table.createTable();
    const clock = manualClock(new Date(NOW * 1000));
    // Only the reconcile schedule is on the table: its requests are what rule 4 adds to every change.
    const { ctx } = memoryServiceContext({ clock, reconcileSchedule: new ReconcileScheduleIndex(table) });
    const manual = { policy: { key_props: { kty: 'EC' as const, crv: 'P-256' as const }, x509_props: { subject: 'CN=cost' }, issuer: { name: 'Unknown' } } };
    const changes: [string, () => Promise<unknown>][] = [
      ['create', () => createCertificate(ctx, 'costed', manual)],
      ['update', () => updateCertificateProperties(ctx, 'costed', undefined, { tags: { a: 'b' } })],
      ['delete', () => deleteCertificate(ctx, 'costed')],
    ];
    for (const [, change] of changes) {
      log.clear();
      await change();
      expect(log.requests.map((r) => r.method)).toEqual(['PUT', 'DELETE']);
    }

    clock.advance(3600);
    log.clear();
    expect(await sweepStatuses(ctx)).toMatchObject({ reconciled: 0 });
    expect(log.requests).toEqual([expect.objectContaining({ method: 'GET', returned: 0 })]);
    expect(isKeyRangeFilter(log.requests[0]?.filter ?? '')).toBe(true);
  });
});

/** A phase's requests in Azure's terms: table point reads, queries, writes (batches among them), queue calls. */
function costOf(tables: TableRequest[], queues: readonly { method: string }[]) {
  const queries = tables.filter((r) => r.filter !== undefined).length;
  const pointReads = tables.filter((r) => r.filter === undefined && r.method === 'GET').length;
  const batches = tables.filter((r) => r.batch).length;
  const writes = tables.length - queries - pointReads;
  return { requests: tables.length + queues.length, pointReads, queries, writes, batches, queue: queues.length };
}

describe('what one EC Self create costs, end to end', () => {
  /**
   * Every table and queue the create path touches is on Azurite and counted: the create request, the issuer
   * job's run up to its call of the provider, and the completion after it. The queues are created on first
   * use, once per process: a first create is made and not counted, so the figures are a warm instance's.
   */
  it('costs a bounded number of storage requests in each phase (printed, and pinned so a regression fails)', async () => {
    const tables = tableRequestLog();
    const queues = queueRequestLog();
    const suffix = randomBytes(4).toString('hex');
    const table = (name: string) => tables.tableClient(azurite.connectionString, `${name}${suffix}`);
    const certificatesTable = table('CostCerts');
    const dueTable = table('CostDue');
    const indexTable = table('CostIndex');
    const issuersTable = table('CostIssuers');
    await Promise.all([certificatesTable, dueTable, indexTable, issuersTable].map((t) => t.createTable()));
    const queue = (name: string) => queues.wrap(new QueueClient(azurite.connectionString, `${name}-${suffix}`), name);

    let marks: { tables: number; queues: number } | undefined;
    const self = selfSignedProvider();
    const providers = new ProviderRegistry({
      // The provider is Self's own; the wrapper only marks where the job calls it.
      builtInIssuers: [{ ...self, start: (request) => ((marks = { tables: tables.requests.length, queues: queues.requests.length }), self.start(request)) }],
      available: [],
      unavailable: [],
    });
    const { ctx } = memoryServiceContext({
      clock: manualClock(new Date(NOW * 1000)),
      certificates: new CertificateStore(certificatesTable),
      issuers: new IssuerStore(issuersTable),
      dueIndex: new OperationsDueIndex(dueTable),
      purgeSchedule: new PurgeScheduleIndex(dueTable),
      reconcileSchedule: new ReconcileScheduleIndex(dueTable),
      lifetimeSchedule: new LifetimeScheduleIndex(dueTable),
      renewalInfoSchedule: new RenewalInfoScheduleIndex(dueTable),
      renewalStatus: new RenewalStatusStore(certificatesTable),
      listings: new CertificateIndexStore(indexTable),
      jobs: new IssuerJobQueue(queue('jobs')),
      events: new JsonQueue<CertificateEvent>(queue('events')),
      providers,
    });
    const body = { policy: { key_props: { kty: 'EC' as const, crv: 'P-256' as const }, x509_props: { subject: 'CN=cost' }, issuer: { name: 'Self' } } };
    const createAndIssue = async (name: string) => {
      const op = await createCertificate(ctx, name, body);
      const afterCreate = { tables: tables.requests.length, queues: queues.requests.length };
      marks = undefined;
      expect(await runIssuerJob(ctx, { name, requestId: op.requestId })).toBe('issued');
      return afterCreate;
    };
    await createAndIssue('warm-up');
    tables.clear();
    queues.clear();

    const afterCreate = await createAndIssue('costed');
    const atProvider = marks ?? afterCreate;
    const phases = {
      create: costOf(tables.requests.slice(0, afterCreate.tables), queues.requests.slice(0, afterCreate.queues)),
      job: costOf(tables.requests.slice(afterCreate.tables, atProvider.tables), queues.requests.slice(afterCreate.queues, atProvider.queues)),
      completion: costOf(tables.requests.slice(atProvider.tables), queues.requests.slice(atProvider.queues)),
      total: costOf(tables.requests, queues.requests),
    };
    console.log(`one EC Self create, storage requests by phase:\n${Object.entries(phases).map(([phase, c]) => `  ${phase}: ${JSON.stringify(c)}`).join('\n')}`);

    // Every query reads within one partition by key (the operation and head of one certificate).
    expect(tables.requests.filter((r) => r.filter !== undefined).every((r) => isKeyRangeFilter(r.filter ?? ''))).toBe(true);
    // Upper bounds: what the path costs today (it was 20 / 2 / 20 before issue 13 cut the list refresh's
    // reads). A change that adds a request fails here, and says in which phase. The completion's last request
    // removes the operation's status-sweep entry (17 before that): the sweep no longer reads and deletes it.
    expect(phases.create.requests).toBeLessThanOrEqual(12);
    expect(phases.job.requests).toBeLessThanOrEqual(2);
    expect(phases.completion.requests).toBeLessThanOrEqual(18);
  });
});
