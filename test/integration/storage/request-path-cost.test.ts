import { randomBytes } from 'node:crypto';
import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import { getCertificateVersion, getLatestCertificate } from '../../../shared/services/certificate-reads';
import { createCertificate } from '../../../shared/services/create-certificate';
import { runIssuerJob } from '../../../shared/services/issuer-job';
import { runDueLifetimeActions } from '../../../shared/services/lifetime-sweep';
import { listCertificates } from '../../../shared/services/list-certificates';
import { getPendingOperation } from '../../../shared/services/pending-operations';
import { purgeDueCertificates } from '../../../shared/services/purge-certificates';
import { runDueRenewalInfoChecks } from '../../../shared/services/renewal-info-checks';
import { sweepStatuses } from '../../../shared/services/status-sweep';
import { SCALE_MODEL_COUNTS, type SharedPartitionRequests } from '../../../scripts/scale-model';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite';
import { MemoryEventOutbox } from '../../helpers/memory-event-outbox';
import { manualClock, memoryServiceContext, tableRepositoriesOn } from '../../helpers/service-context';

/**
 * The storage requests of each step of a certificate's life, end to end through the services the routes and
 * triggers call, on the real table adapters (docs/scale.md takes its per-request counts from here). Every
 * table is on Azurite and counted, with the partition each request touched (that is what decides a hot
 * partition on Azure). The issuer-job queue and the events outbox are the in-memory ones: a queue request is
 * one message sent, counted from them.
 */
let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

type AdditionalPolicy = NonNullable<TableServiceClientOptions['additionalPolicies']>[number];

/** One table request: which table, which partition (a query's is its filter's), and what kind. */
interface Counted {
  table: string;
  partition: string;
  kind: 'read' | 'write' | 'query';
}

function recordingTables(connectionString: string, suffix: string) {
  const requests: Counted[] = [];
  const policy: AdditionalPolicy = {
    position: 'perCall',
    policy: {
      name: 'countPartitions',
      async sendRequest(request, next) {
        const url = new URL(request.url);
        const table = decodeURIComponent(url.pathname.split('/').pop() ?? '').replace(/\(.*$/, '').replace(suffix, '');
        const filter = url.searchParams.get('$filter');
        const body = typeof request.body === 'string' ? request.body : '';
        const partition =
          /PartitionKey='((?:[^']|'')*)'/.exec(decodeURIComponent(url.pathname))?.[1] ??
          /PartitionKey (?:eq|ge|le) '([^']*)'/.exec(filter ?? '')?.[1] ??
          /"PartitionKey":"([^"]*)"/.exec(body)?.[1] ??
          '?';
        const kind = filter !== null ? 'query' : request.method === 'GET' ? 'read' : 'write';
        try {
          return await next(request);
        } finally {
          // A batch ($batch) is one request whatever it holds: it names its table and partition in the body.
          const batchTable = /\/([A-Za-z0-9]+)\(PartitionKey=/.exec(body)?.[1]?.replace(suffix, '');
          requests.push({ table: table === '$batch' ? (batchTable ?? '$batch') : table, partition, kind });
        }
      },
    },
  };
  const client = (name: string) => TableClient.fromConnectionString(connectionString, `${name}${suffix}`, { allowInsecureConnection: true, additionalPolicies: [policy] });
  return { requests, client };
}

/** Which of the model's shared partitions a request touched (docs/scale.md, "Hot partitions"), if any. */
function sharedPartitionOf(r: Counted): keyof SharedPartitionRequests | undefined {
  if (r.table === 'CertificateIndex') return r.partition === 'live' ? 'indexLive' : r.partition === 'deleted' ? 'indexDeleted' : undefined;
  if (r.table !== 'OperationsDue') return undefined;
  if (/^\d+$/.test(r.partition)) return 'statusDue';
  if (r.partition.startsWith('reconcile-')) return 'reconcileDue';
  if (r.partition.startsWith('lifetime-')) return 'lifetimeDue';
  return undefined;
}

function sharedCounts(requests: Counted[]): SharedPartitionRequests {
  const counts: SharedPartitionRequests = {};
  for (const r of requests) {
    const key = sharedPartitionOf(r);
    if (key) counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** "Certificates/cost-0 read ×2" items, so the log shows where the requests went. */
function byPartition(requests: Counted[]): string {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const key = `${r.table}/${r.partition.replace(/\d{12}$/, '<minute>')} ${r.kind}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => `${key} ×${n}`).join(', ');
}

const NOW = 1_767_225_600;
const DAY = 86_400;

it('counts the storage requests of create, issue, reads, a list page, idle sweeps and a renewal, and the model never counts fewer', async () => {
  const suffix = randomBytes(4).toString('hex');
  const { requests, client } = recordingTables(azurite.connectionString, suffix);
  const tables = {
    certificates: client('Certificates'),
    issuers: client('Issuers'),
    contacts: client('Contacts'),
    due: client('OperationsDue'),
    index: client('CertificateIndex'),
  };
  await Promise.all(Object.values(tables).map((t) => t.createTable()));
  const clock = manualClock(new Date(NOW * 1000));
  const events = new MemoryEventOutbox();
  let jobMessages = 0;
  const { ctx, storage, takeJobs } = memoryServiceContext({
    clock,
    events,
    ...tableRepositoriesOn({ ...tables, certificateIndex: tables.index }),
  });

  // Each job sent is one queue message (a put; the trigger's get and delete are priced in the model).
  ctx.jobs = {
    enqueue(job, options) {
      jobMessages += 1;
      return storage.jobs.enqueue(job, options);
    },
  };

  const measured: Record<string, { tables: number; messages: number; events: number; shared: SharedPartitionRequests }> = {};
  const lines: string[] = [];
  async function step(label: keyof typeof SCALE_MODEL_COUNTS, run: () => Promise<unknown>): Promise<void> {
    requests.length = 0;
    jobMessages = 0;
    const eventsBefore = events.sent.length;
    await run();
    const counts = { tables: requests.length, messages: jobMessages, events: events.sent.length - eventsBefore, shared: sharedCounts(requests) };
    measured[label] = counts;
    lines.push(`${label}: ${counts.tables} table requests (${byPartition(requests)}), ${counts.messages} job messages, ${counts.events} events`);
  }

  const name = 'cost-0';
  const body = {
    policy: {
      key_props: { kty: 'EC' as const, crv: 'P-256' as const },
      x509_props: { subject: 'CN=cost', validity_months: 12 },
      issuer: { name: 'Self' },
      lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' as const } }],
    },
  };

  await step('createRequest', () => createCertificate(ctx, name, body));
  const [job] = await takeJobs();
  await step('issuerJob', async () => expect(await runIssuerJob(ctx, job!)).toBe('issued'));
  // The completed operation names the version it issued.
  const { version } = await getPendingOperation(ctx, name);
  await step('getLatest', () => getLatestCertificate(ctx, name));
  await step('getVersion', () => getCertificateVersion(ctx, name, version));
  await step('getPending', () => getPendingOperation(ctx, name));
  await step('listPage', () => listCertificates(ctx, 'live', { limit: 25, includePending: false }));
  // The create's status entry (due a minute after it) was removed by the job once the completion committed:
  // the sweep after it finds nothing due. Then the timers run idle.
  clock.advance(3600);
  await step('statusSweepAfterCreate', async () => expect(await sweepStatuses(ctx)).toMatchObject({ due: 0, settled: 0 }));
  await step('statusSweepIdle', () => sweepStatuses(ctx));
  await step('lifetimeSweepIdle', async () => {
    await runDueLifetimeActions(ctx);
    await runDueRenewalInfoChecks(ctx);
  });
  await step('purgeSweepIdle', () => purgeDueCertificates(ctx));
  // 300 days on, the AutoRenew at 80 % of 12 months is due: the sweep starts a renewal, whose job issues it.
  clock.advance(300 * DAY);
  await step('renewalStart', async () => expect(await runDueLifetimeActions(ctx)).toMatchObject({ renewed: 1 }));
  const [renewal] = await takeJobs();
  await step('renewalJob', async () => expect(await runIssuerJob(ctx, renewal!)).toBe('issued'));
  clock.advance(3600);
  await step('statusSweepAfterRenewal', async () => expect(await sweepStatuses(ctx)).toMatchObject({ due: 0, settled: 0 }));
  // The renewal's retry entry (an hour after the start) and the old version's expiry entry come due later:
  // each is read against the head, found stale, and dropped.
  clock.advance(70 * DAY);
  await step('staleEntriesAfterRenewal', async () => expect(await runDueLifetimeActions(ctx)).toMatchObject({ due: 2, dropped: 2, expired: 0 }));

  console.log(`storage requests per step (EC P-256, Self, with AutoRenew), on Azurite:\n  ${lines.join('\n  ')}`);
  // The scale model (scripts/scale-model.ts, docs/scale.md) must never count fewer than the code makes: a
  // step that grows fails here until the model is updated. One that shrinks passes (the log shows by how much).
  for (const [label, counts] of Object.entries(measured)) {
    const model = SCALE_MODEL_COUNTS[label as keyof typeof SCALE_MODEL_COUNTS];
    expect({ label, tables: counts.tables }).toEqual({ label, tables: Math.min(counts.tables, model.tables) });
    expect({ label, messages: counts.messages }).toEqual({ label, messages: Math.min(counts.messages, model.messages) });
    expect({ label, events: counts.events }).toEqual({ label, events: Math.min(counts.events, model.events) });
    for (const [key, n] of Object.entries(counts.shared) as [keyof SharedPartitionRequests, number][]) {
      expect({ label, key, n }).toEqual({ label, key, n: Math.min(n, model.shared[key] ?? 0) });
    }
  }
});
