import { randomBytes } from 'node:crypto';
import { withoutKey, type CertificateVersion } from '../../../shared/domain/certificate-version';
import { lifetimeDueOf } from '../../../shared/domain/lifetime-trigger';
import { completed } from '../../../shared/domain/pending-operation';
import { resolvePolicy } from '../../../shared/domain/policy-resolution';
import { startIssuedVersion } from '../../../shared/services/create-certificate';
import { runDueLifetimeActions } from '../../../shared/services/lifetime-sweep';
import { CertificateIndexStore } from '../../../shared/storage/certificate-index-store';
import { CertificateStore } from '../../../shared/storage/certificate-store';
import { LifetimeScheduleIndex } from '../../../shared/storage/lifetime-schedule';
import { RenewalStatusStore } from '../../../shared/storage/renewal-status-store';
import { OperationsDueIndex } from '../../../shared/storage/operations-due-index';
import { type RunningAzurite, startAzurite } from '../../helpers/azurite';
import { operationFixture } from '../../helpers/operation-fixture';
import { manualClock, memoryServiceContext } from '../../helpers/service-context';
import { isKeyRangeFilter, type TableRequest, tableRequestLog } from '../../helpers/storage-request-log';

/**
 * The lifetime sweep's cost on the real table adapters (docs/storage-design.md, "Lifetime: a due index, not
 * a scan"), counted as Azure bills it: requests, and the entities they return. The in-memory count over
 * 100,000 certificates is in test/unit/services/lifetime.test.ts; this is the same code path on Azurite with
 * fewer certificates (writing 100,000 rows to the emulator would take minutes).
 */
let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const DAY = 86_400;
const NOW = 1_767_225_600;
const STORED = 300;
const DUE = 5;
/** Rows written at once while setting up (the emulator is shared with other test files). */
const CONCURRENCY = 25;

async function inBatches<T>(items: T[], write: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += CONCURRENCY) await Promise.all(items.slice(i, i + CONCURRENCY).map(write));
}

function costOf(requests: TableRequest[]) {
  const queries = requests.filter((r) => r.filter !== undefined);
  const points = requests.filter((r) => r.filter === undefined);
  const pointReads = points.filter((r) => r.method === 'GET').length;
  return { requests: requests.length, queries, pointReads, writes: points.length - pointReads };
}

describe('the lifetime sweep on Azurite', () => {
  it(`over ${STORED} stored certificates with ${DUE} due: one key-range query returning the ${DUE} due entries, then a fixed number of point requests per due certificate`, async () => {
    const log = tableRequestLog();
    const suffix = randomBytes(4).toString('hex');
    const certificatesTable = log.tableClient(azurite.connectionString, `LifeCerts${suffix}`);
    const dueTable = log.tableClient(azurite.connectionString, `LifeDue${suffix}`);
    const indexTable = log.tableClient(azurite.connectionString, `LifeIndex${suffix}`);
    await Promise.all([certificatesTable.createTable(), dueTable.createTable(), indexTable.createTable()]);
    const certificates = new CertificateStore(certificatesTable);
    const lifetimeSchedule = new LifetimeScheduleIndex(dueTable);

    // Every certificate issued (operation, version and head rows, as a completed create leaves them) with its
    // lifetime entry: the first DUE were issued 300 days ago and are past their 80 % trigger, the rest today.
    const policy = resolvePolicy(
      {
        key_props: { kty: 'EC', crv: 'P-256' },
        x509_props: { subject: 'CN=fleet', validity_months: 12 },
        issuer: { name: 'Self' },
        lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'AutoRenew' } }],
      },
      NOW,
    );
    await inBatches(
      Array.from({ length: STORED }, (_, i) => i),
      async (i) => {
        const name = `fleet-${String(i).padStart(4, '0')}`;
        const op = operationFixture({ name, requestId: 'r', version: i.toString(16).padStart(32, '0'), policy, created: NOW });
        const notBefore = i < DUE ? NOW - 300 * DAY : NOW;
        const version: CertificateVersion = {
          name, version: op.version, enabled: true, notBefore, expires: notBefore + 365 * DAY, created: NOW, updated: NOW, tags: {},
          chain: ['bGVhZg'], x5t: 'eDV0', keySpec: policy.key, exportable: true, sealedPrivateKey: op.sealedPrivateKey,
          publicKeySpki: op.publicKeySpki, secretContentType: policy.secretContentType, policy, preserveCertOrder: false,
        };
        const head = { name, policy, latestVersion: op.version, latest: withoutKey(version) };
        await certificates.completeOperation(completed(op, NOW), undefined, version, head);
        await lifetimeSchedule.schedule({ name, kind: 'action', dueAt: lifetimeDueOf(head)!.dueAt, attempt: 0 });
        // And its expiry entry (none due: the oldest expire in 65 days), as every issued certificate has.
        await lifetimeSchedule.schedule({ name, kind: 'expiry', dueAt: version.expires, attempt: 0 });
      },
    );
    log.clear();

    // Every table the renewal touches is on Azurite and counted; the issuer-job queue is in memory.
    const { ctx, takeJobs } = memoryServiceContext({
      clock: manualClock(new Date(NOW * 1000)),
      certificates,
      lifetimeSchedule,
      renewalStatus: new RenewalStatusStore(certificatesTable),
      dueIndex: new OperationsDueIndex(dueTable),
      listings: new CertificateIndexStore(indexTable),
    });
    const report = await runDueLifetimeActions(ctx);
    expect(report).toMatchObject({ due: DUE, renewed: DUE, failed: 0 });
    expect((await takeJobs()).map((job) => job.name).sort()).toEqual(Array.from({ length: DUE }, (_, i) => `fleet-000${i}`));
    const sweep = costOf(log.requests);

    // What starting one version through the create path costs by itself, on a certificate that is not due.
    log.clear();
    await startIssuedVersion(ctx, 'fleet-0100', policy, { attributes: { enabled: true }, tags: {}, preserveCertOrder: false });
    const create = costOf(log.requests);
    // Its queries read one certificate's operation and head together: a key range of two rows.
    expect(create.queries.every((q) => isKeyRangeFilter(q.filter ?? '') && (q.returned ?? 0) <= 2)).toBe(true);

    console.log(
      `lifetime sweep on Azurite, ${STORED} certificates, ${DUE} due: ${sweep.requests} requests (1 query returning ` +
        `${sweep.queries[0]?.returned}, ${sweep.pointReads} point reads, ${sweep.writes} writes); one create path alone: ` +
        `${create.pointReads} point reads, ${create.queries.length} queries, ${create.writes} writes`,
    );
    // One query of the due index: a key range, answered with the due entries and nothing else; the others
    // are the create path's reads of one certificate each.
    expect(sweep.queries).toHaveLength(1 + DUE * create.queries.length);
    expect(sweep.queries.every((q) => isKeyRangeFilter(q.filter ?? ''))).toBe(true);
    expect(sweep.queries[0]?.returned).toBe(DUE);
    // Then per due certificate: one head read, the create path's own requests, moving its entry to the retry
    // time (a write and a delete), and recording the renewal as started (a read and a write of its status row).
    // Nothing grows with the number stored.
    expect(sweep.pointReads).toBe(DUE * (1 + create.pointReads + 1));
    expect(sweep.writes).toBe(DUE * (2 + create.writes + 1));
  });
});
