/**
 * The scale and cost model of one deployment (docs/scale.md): the inputs, in one place, and the arithmetic.
 * scripts/scale-simulation.ts replays a day of a fleet against it; test/unit/scale-model.test.ts checks the
 * arithmetic on a case small enough to do by hand; test/integration/storage/request-path-cost.test.ts checks
 * that MEASURED never counts fewer storage requests than the code makes.
 *
 * Not deployed, and nothing in the product imports it.
 */

// ---------------------------------------------------------------------------------------------------------
// 1. Storage requests per step, as measured (update these, and the table at the top of docs/scale.md, when
//    the code changes; the counting test fails when a step grows past them).
// ---------------------------------------------------------------------------------------------------------

/**
 * Requests that land on a partition shared by many certificates (the rest touch the certificate's own
 * partition, which only that certificate's traffic reaches). Entities, not requests, for a query: see listPage.
 */
export interface SharedPartitionRequests {
  /** CertificateIndex, PartitionKey `live`: the list every `GET /certificates` page reads. One partition per deployment. */
  indexLive?: number;
  /** CertificateIndex, PartitionKey `deleted`. One partition per deployment. */
  indexDeleted?: number;
  /** OperationsDue, PartitionKey = minute of dueAt (status sweep): every create in the same minute shares one. */
  statusDue?: number;
  /** OperationsDue, `reconcile-<minute>`: every change in the same minute shares one. */
  reconcileDue?: number;
  /** OperationsDue, `lifetime-<minute of dueAt>`: versions issued in the same minute share one (their due time is the same offset later). */
  lifetimeDue?: number;
}

export interface StepCost {
  /** Table requests (each one billed transaction; an entity-group batch is one). */
  tables: number;
  /** Issuer-job queue messages sent (each then costs the trigger a share of a get and one delete). */
  messages: number;
  /** Certificate events told (each one outbox message, fanned out to the certificate-events queue). */
  events: number;
  shared: SharedPartitionRequests;
}

const step = (tables: number, messages: number, events: number, shared: SharedPartitionRequests = {}): StepCost => ({ tables, messages, events, shared });

/** Where the figures below come from, printed with every simulation. */
export const MEASURED_AT = 'main after the job removes its status entry (2026-12-02), test/integration/storage/request-path-cost.test.ts, EC P-256, Self issuer, AutoRenew policy';

/**
 * THE per-request inputs. Each is what one step of a certificate's life costs in storage requests, measured
 * on Azurite through the real table adapters. Sweep steps include their run's queries (see the *Idle ones).
 */
export const SCALE_MODEL_COUNTS = {
  /** POST /certificates/{name}/create: 2 key-range reads (operation and head together) and 1 write of its own partition, the status entry, the reconcile entry's write and delete, and the list row's refresh (2 `live` and 2 `deleted` index reads, then its write). */
  createRequest: step(11, 1, 0, { indexLive: 3, indexDeleted: 2, statusDue: 1, reconcileDue: 2 }),
  /** The issuer job that issues it (Self): a read and a query of its partition, the lease write, the completion batch, 2 lifetime entries, the reconcile entry, the list refresh (8 index reads, 2 writes), the delete of its own status-sweep entry; 1 event. */
  issuerJob: step(19, 0, 1, { indexLive: 6, indexDeleted: 4, statusDue: 1, reconcileDue: 2, lifetimeDue: 2 }),
  /** GET /certificates/{name}/: head and pending in one key-range query of its partition. */
  getLatest: step(1, 0, 0),
  /** GET /certificates/{name}/{version}. */
  getVersion: step(2, 0, 0),
  /** GET /certificates/{name}/pending (what an SDK poller calls until the create completes). */
  getPending: step(1, 0, 0),
  /** GET /certificates, one page: one key-range query of `live` that returns up to maxresults + 1 entities (the model counts 26). */
  listPage: step(1, 0, 0, { indexLive: 1 }),
  /** The status sweep's run after a create: its 2 queries only (the job removed the create's entry once its completion committed). */
  statusSweepAfterCreate: step(2, 0, 0, { statusDue: 1, reconcileDue: 1 }),
  /** A status sweep run with nothing due: its 2 queries (status entries, reconcile entries). */
  statusSweepIdle: step(2, 0, 0, { statusDue: 1, reconcileDue: 1 }),
  /** A lifetime timer run with nothing due: its 2 queries (lifetime entries, ACME renewal-information checks). */
  lifetimeSweepIdle: step(2, 0, 0, { lifetimeDue: 1 }),
  /** A purge timer run with nothing due: 1 query. */
  purgeSweepIdle: step(1, 0, 0),
  /** A lifetime run that starts one AutoRenew: its query, the head, the retry entry's write and the due one's delete, the create path, the renewal status; 1 job. */
  renewalStart: step(16, 1, 0, { indexLive: 2, indexDeleted: 2, statusDue: 1, reconcileDue: 2, lifetimeDue: 3 }),
  /** The renewal's issuer job. */
  renewalJob: step(20, 0, 1, { indexLive: 5, indexDeleted: 4, statusDue: 1, reconcileDue: 2, lifetimeDue: 2 }),
  /** The status sweep's run after the renewal: its queries only (the job removed its status entry). */
  statusSweepAfterRenewal: step(2, 0, 0, { statusDue: 1, reconcileDue: 1 }),
  /** A lifetime run that drops the 2 entries a renewal leaves stale (its retry entry, the old version's expiry): its query, then a head read and a delete each. */
  staleEntriesAfterRenewal: step(5, 0, 0, { lifetimeDue: 3 }),
} as const;

export type ModelStep = keyof typeof SCALE_MODEL_COUNTS;
export type ModelCounts = Record<ModelStep, StepCost>;

/** What a sweep run costs on top of its entries: its queries. */
const RUN_QUERIES = { status: 2, lifetime: 1 } as const;

/** Per certificate event, messages beyond the outbox put: the fan-out's delete, and the put to certificate-events. */
const EVENT_QUEUE_OPS_AFTER_PUT = 2;
/** Per job message beyond its put: the trigger's delete. (Its get is shared by a batch of up to 16: host.json batchSize.) */
const JOB_QUEUE_OPS_AFTER_PUT = 1;
const QUEUE_BATCH = 16;

// ---------------------------------------------------------------------------------------------------------
// 2. Published limits and prices (docs/scale.md, "Sources", gives the URL of each). Prices as of the
//    author's knowledge (list prices, USD, East US, mid-2024 to 2025): re-check them before relying on them.
// ---------------------------------------------------------------------------------------------------------

export const LIMITS = {
  /** Table storage: target throughput of one partition, 1 KiB entities. */
  partitionEntitiesPerSecond: 2_000,
  /** Table storage: requests per storage account per second (the standard account's target, 1 KiB entities). */
  accountRequestsPerSecond: 20_000,
  /** Queue storage: target throughput of one queue, 1 KiB messages. */
  queueMessagesPerSecond: 2_000,
  /** Flex Consumption: this repository's default maximumInstanceCount (infra/main.bicep); the plan allows 40–1,000. */
  maxInstances: 40,
  /** Flex Consumption default HTTP concurrency per instance at 2,048 MB (it scales with instance memory). */
  httpConcurrencyPerInstance: 16,
  /** vCPUs of a 2,048 MB instance (CPU is allocated in proportion to memory). */
  vcpuPerInstance: 1,
  instanceMemoryGb: 2,
  /**
   * The app's timers (infra/main.bicep defaults) and how long each run drains what is due
   * (shared/services/sweep-drain.ts): SWEEP_RUN_BUDGET_MS, of which the status entries and the lifetime
   * actions get the first three quarters (the list-row reconcile and the ACME checks the rest).
   */
  statusSweep: { runsPerDay: 1_440, budgetSeconds: 180 },
  lifetimeSweep: { runsPerDay: 144, budgetSeconds: 180 },
  purgeSweep: { runsPerDay: 288, budgetSeconds: 240 },
  /** Entries a sweep run handles at the same time (SWEEP_CONCURRENCY), on the one instance the timer runs on. */
  sweepConcurrency: 8,
} as const;

/** Before the sweeps drained (main at cf65dd0): one batch a run, one entry after another. Printed for comparison. */
export const SWEEPS_BEFORE_DRAIN = {
  statusSweep: { runsPerDay: 1_440, entriesPerRun: 200 },
  lifetimeSweep: { runsPerDay: 144, entriesPerRun: 100 },
} as const;

export const PRICES_USD = {
  /** Table storage, standard LRS: per 10,000 transactions. */
  tableTransactionsPer10k: 0.00036,
  /** Queue storage, GPv2 LRS: per 10,000 operations (class 1 and 2 alike in this model). */
  queueOperationsPer10k: 0.004,
  /** Flex Consumption, on demand: per GB-second of instance memory while executing. */
  flexGbSecond: 0.000026,
  /** Flex Consumption, on demand: per million executions. */
  flexPerMillionExecutions: 0.4,
  /** Flex Consumption bills an instance's activity at least 1 s at a time (then in 100 ms steps). */
  flexMinimumBillableSeconds: 1,
} as const;

// ---------------------------------------------------------------------------------------------------------
// 3. Assumptions that are not published limits (each is an input of the simulation too).
// ---------------------------------------------------------------------------------------------------------

export const ASSUMPTIONS = {
  /** Host CPU per certificate made (request + job), ms: issue 13's bench before its fixes (EC 39–41 ms; RSA-2048 187–300 ms). */
  createCpuMs: { EC: 40, RSA: 220 },
  /** Host CPU per read (GET latest 1.3 ms, pending 0.9 ms in issue 13's bench) and per list page (not measured; assumed 2 ms). */
  readCpuMs: 1.3,
  listPageCpuMs: 2,
  /** One table request's round trip from a Function in the same region, ms (not measured here: an assumption). */
  storageRoundTripMs: 8,
  /**
   * Host CPU of one AutoRenew started by the lifetime sweep (the create path's request part: key generation,
   * CSR, sealing, its storage calls), ms. Measured this session: process.cpuUsage of the test process around
   * one lifetime run starting 60 EC P-256 / 30 RSA-2048 renewals on Azurite (the emulator in its own process),
   * first run, JIT warm-up included, 2 shared cores: 27 ms and 218 ms.
   */
  renewalStartCpuMs: { EC: 27, RSA: 218 },
  /** Host CPU of a sweep entry that is settled or dropped (a point read and a delete), ms: measured as above, 1.0–3.5 ms. */
  sweepEntryCpuMs: 2,
  /** Entities a list page returns (maxresults 25, plus the one that says there is a next page). */
  listPageEntities: 26,
  /** An SDK poller's GET …/pending calls per create before it sees the result (JS SDK: every 2 s). */
  pendingPollsPerCreate: 2,
  /** Share of the hour's traffic in its busiest second, relative to the hour's average (burstiness within an hour). */
  defaultPeakFactor: 3,
  /** Hourly traffic = average × (1 + amplitude × cos(2π (hour − 14) / 24)): busiest at 14:00 UTC. */
  diurnalAmplitude: 0.5,
} as const;

// ---------------------------------------------------------------------------------------------------------
// 4. The arithmetic.
// ---------------------------------------------------------------------------------------------------------

/** What a certificate's life costs, per unit of each kind of work. */
export interface UnitCosts {
  tables: number;
  queueOps: number;
  /** Function executions (HTTP requests, queue messages handled). */
  executions: number;
  shared: Required<SharedPartitionRequests>;
}

const zeroShared = (): Required<SharedPartitionRequests> => ({ indexLive: 0, indexDeleted: 0, statusDue: 0, reconcileDue: 0, lifetimeDue: 0 });

function add(into: UnitCosts, cost: StepCost, times = 1): void {
  into.tables += cost.tables * times;
  into.queueOps += (cost.messages * (1 + JOB_QUEUE_OPS_AFTER_PUT + 1 / QUEUE_BATCH) + cost.events * (1 + EVENT_QUEUE_OPS_AFTER_PUT + 1 / QUEUE_BATCH)) * times;
  // The job and the fan-out each run once per message.
  into.executions += (cost.messages + cost.events) * times;
  for (const key of Object.keys(into.shared) as (keyof SharedPartitionRequests)[]) into.shared[key] += (cost.shared[key] ?? 0) * times;
}

function unit(): UnitCosts {
  return { tables: 0, queueOps: 0, executions: 0, shared: zeroShared() };
}

/** A caller's create of a new version, end to end: request, pending polls, issuer job, the sweep settling its entry. */
export function createCost(counts: ModelCounts = SCALE_MODEL_COUNTS, polls: number = ASSUMPTIONS.pendingPollsPerCreate): UnitCosts {
  const cost = unit();
  add(cost, counts.createRequest);
  add(cost, counts.getPending, polls);
  add(cost, counts.issuerJob);
  add(cost, entryOf(counts.statusSweepAfterCreate, RUN_QUERIES.status));
  cost.executions += 1 + polls;
  return cost;
}

/** An AutoRenew, end to end: its entry in a lifetime run, its job, the status entry, the 2 entries it leaves stale. */
export function renewalCost(counts: ModelCounts = SCALE_MODEL_COUNTS): UnitCosts {
  const cost = unit();
  add(cost, entryOf(counts.renewalStart, RUN_QUERIES.lifetime));
  add(cost, counts.renewalJob);
  add(cost, entryOf(counts.statusSweepAfterRenewal, RUN_QUERIES.status));
  const stale = entryOf(counts.staleEntriesAfterRenewal, RUN_QUERIES.lifetime);
  add(cost, { ...stale, tables: stale.tables / 2, shared: { lifetimeDue: (stale.shared.lifetimeDue ?? 0) / 2 } }, 2);
  return cost;
}

export function readCost(counts: ModelCounts = SCALE_MODEL_COUNTS): UnitCosts {
  const cost = unit();
  add(cost, counts.getLatest);
  cost.executions += 1;
  return cost;
}

export function listPageCost(counts: ModelCounts = SCALE_MODEL_COUNTS, entities: number = ASSUMPTIONS.listPageEntities): UnitCosts {
  const cost = unit();
  add(cost, counts.listPage);
  // A query loads its partition by the entities it reads, not by the one request.
  cost.shared.indexLive = (counts.listPage.shared.indexLive ?? 0) * entities;
  cost.executions += 1;
  return cost;
}

/** A sweep step without its run's queries (they are paid once per run, whatever it finds). */
function entryOf(cost: StepCost, runQueries: number): StepCost {
  const shared = { ...cost.shared };
  // Queries read the due partitions; the per-entry part keeps only the entry's own point requests.
  if (runQueries === RUN_QUERIES.status) {
    shared.statusDue = Math.max(0, (shared.statusDue ?? 0) - 1);
    shared.reconcileDue = Math.max(0, (shared.reconcileDue ?? 0) - 1);
  } else shared.lifetimeDue = Math.max(0, (shared.lifetimeDue ?? 0) - 1);
  return { ...cost, tables: cost.tables - runQueries, shared };
}

/** What a day of a fleet asks for. */
export interface Fleet {
  certificates: number;
  validityDays: number;
  /** A version is replaced at this share of its validity (AutoRenew's lifetime_percentage, or the owner's habit). */
  replaceAtFraction: number;
  /** Share of the replacements the service makes itself (AutoRenew, through the lifetime sweep); the rest are callers' creates. */
  renewalFraction: number;
  readsPerCertificatePerDay: number;
  listPagesPerDay: number;
  /** Busiest second of an hour ÷ that hour's average. */
  peakFactor: number;
  keyType: 'EC' | 'RSA';
}

export interface Load {
  createsPerSecond: number;
  renewalsPerSecond: number;
  readsPerSecond: number;
  listPagesPerSecond: number;
}

/** The limits a load is measured against, each as a share of its limit (1 = saturated). */
export interface Utilisation {
  account: number;
  indexLive: number;
  indexDeleted: number;
  statusDue: number;
  reconcileDue: number;
  lifetimeDue: number;
  issuerQueue: number;
  instances: number;
  /** The status sweep's entries a minute (at the hour's average: a run takes what a minute left) against what one run takes. */
  statusSweep: number;
  /** The lifetime sweep's entries due (evenly over the day, in steady state) against what its runs take. */
  lifetimeSweep: number;
}

export const LIMIT_NAMES: Record<keyof Utilisation, string> = {
  account: 'storage account (20,000 requests/s)',
  indexLive: 'CertificateIndex `live` partition (2,000 entities/s)',
  indexDeleted: 'CertificateIndex `deleted` partition (2,000 entities/s)',
  statusDue: 'OperationsDue status minute partition (2,000 entities/s)',
  reconcileDue: 'OperationsDue `reconcile-` minute partition (2,000 entities/s)',
  lifetimeDue: 'OperationsDue `lifetime-` minute partition (2,000 entities/s)',
  issuerQueue: 'issuer-jobs queue (2,000 messages/s)',
  instances: 'Flex Consumption instances (maximumInstanceCount)',
  statusSweep: 'status sweep (drains 3 min a run, a run a minute, 8 at a time)',
  lifetimeSweep: 'lifetime sweep (drains 3 min a run, a run every 10 minutes, 8 at a time)',
};

/** Daily averages of each kind of work. */
export function dailyWork(fleet: Fleet) {
  const replacementsPerDay = fleet.certificates / (fleet.validityDays * fleet.replaceAtFraction);
  return {
    createsPerDay: replacementsPerDay * (1 - fleet.renewalFraction),
    renewalsPerDay: replacementsPerDay * fleet.renewalFraction,
    readsPerDay: fleet.certificates * fleet.readsPerCertificatePerDay,
    listPagesPerDay: fleet.listPagesPerDay,
  };
}

/** Instances the app needs for a load: enough for the requests in flight and for the CPU they use. */
export function instancesFor(load: Load, keyType: Fleet['keyType'], counts: ModelCounts = SCALE_MODEL_COUNTS): number {
  const rtt = ASSUMPTIONS.storageRoundTripMs / 1000;
  const createCpu = ASSUMPTIONS.createCpuMs[keyType] / 1000;
  const makes = load.createsPerSecond + load.renewalsPerSecond;
  // Storage requests of one certificate's steps run one after another: wall time ≈ round trips + CPU.
  const inFlight =
    load.createsPerSecond * (counts.createRequest.tables * rtt + createCpu) +
    load.readsPerSecond * (counts.getLatest.tables * rtt + ASSUMPTIONS.readCpuMs / 1000) +
    load.listPagesPerSecond * (counts.listPage.tables * rtt + ASSUMPTIONS.listPageCpuMs / 1000);
  const cpuSeconds = makes * createCpu + load.readsPerSecond * (ASSUMPTIONS.readCpuMs / 1000) + load.listPagesPerSecond * (ASSUMPTIONS.listPageCpuMs / 1000);
  return Math.max(inFlight / LIMITS.httpConcurrencyPerInstance, cpuSeconds / LIMITS.vcpuPerInstance);
}

/**
 * Each limit's share used by a load (per second). The sweeps are measured against `sweepLoad` (the hour's
 * average, by default the same load): a timer run takes what accumulated since the last one, not a second's peak.
 */
export function utilisation(load: Load, keyType: Fleet['keyType'], counts: ModelCounts = SCALE_MODEL_COUNTS, sweepLoad: Load = load): Utilisation {
  const create = createCost(counts);
  const renewal = renewalCost(counts);
  const read = readCost(counts);
  const list = listPageCost(counts);
  const per = (pick: (u: UnitCosts) => number) =>
    load.createsPerSecond * pick(create) + load.renewalsPerSecond * pick(renewal) + load.readsPerSecond * pick(read) + load.listPagesPerSecond * pick(list);
  const partition = (key: keyof SharedPartitionRequests) => per((u) => u.shared[key]) / LIMITS.partitionEntitiesPerSecond;
  return {
    account: per((u) => u.tables + u.queueOps) / LIMITS.accountRequestsPerSecond,
    indexLive: partition('indexLive'),
    indexDeleted: partition('indexDeleted'),
    statusDue: partition('statusDue'),
    reconcileDue: partition('reconcileDue'),
    lifetimeDue: partition('lifetimeDue'),
    // Each job message is put, got (in batches) and deleted: 2,000 messages/s is the queue's target.
    issuerQueue: (load.createsPerSecond + load.renewalsPerSecond) / LIMITS.queueMessagesPerSecond,
    instances: instancesFor(load, keyType, counts) / LIMITS.maxInstances,
    ...sweepShares(sweepLoad.createsPerSecond + sweepLoad.renewalsPerSecond, sweepLoad.renewalsPerSecond, keyType, counts),
  };
}

/**
 * Seconds of a sweep run one entry takes, 8 at a time on one instance: its round trips and CPU spread over
 * the entries in flight, or its CPU alone when that is what binds (1 vCPU), whichever is longer.
 */
export function sweepEntrySeconds(tables: number, cpuMs: number): number {
  const wall = tables * (ASSUMPTIONS.storageRoundTripMs / 1000) + cpuMs / 1000;
  return Math.max(wall / LIMITS.sweepConcurrency, cpuMs / 1000 / LIMITS.vcpuPerInstance);
}

/** What each kind of sweep entry costs a run, in seconds (see sweepEntrySeconds). */
export function sweepEntryCosts(keyType: Fleet['keyType'], counts: ModelCounts = SCALE_MODEL_COUNTS) {
  const stale = entryOf(counts.staleEntriesAfterRenewal, RUN_QUERIES.lifetime);
  return {
    /** A status entry settled (its operation completed): a read and a delete. */
    statusSettle: sweepEntrySeconds(entryOf(counts.statusSweepAfterCreate, RUN_QUERIES.status).tables, ASSUMPTIONS.sweepEntryCpuMs),
    /** A lifetime entry dropped (the version moved on, a retry not needed): a head read and a delete. */
    lifetimeDrop: sweepEntrySeconds(stale.tables / 2, ASSUMPTIONS.sweepEntryCpuMs),
    /** An AutoRenew started: the create path's request part runs on the timer's instance (its job runs on any). */
    renewalStart: sweepEntrySeconds(entryOf(counts.renewalStart, RUN_QUERIES.lifetime).tables, ASSUMPTIONS.renewalStartCpuMs[keyType]),
  };
}

/** Seconds a day a sweep can work: its runs' budgets, but never more than the day (a run holds the next tick). */
export function sweepSecondsPerDay(sweep: { runsPerDay: number; budgetSeconds: number }): number {
  return Math.min(86_400, sweep.runsPerDay * sweep.budgetSeconds);
}

/**
 * Every create and renewal leaves one status entry that only the sweep removes (settled); every issued version
 * leaves an action and an expiry entry that come due once, and a renewal its retry entry: of those, the
 * renewals are started and the rest dropped. Each sweep's share: the seconds its entries take against the
 * seconds its runs have.
 */
function sweepShares(issuedPerSecond: number, renewalsPerSecond: number, keyType: Fleet['keyType'], counts: ModelCounts): Pick<Utilisation, 'statusSweep' | 'lifetimeSweep'> {
  const cost = sweepEntryCosts(keyType, counts);
  const lifetimeSeconds = renewalsPerSecond * cost.renewalStart + 2 * issuedPerSecond * cost.lifetimeDrop;
  return {
    statusSweep: (issuedPerSecond * cost.statusSettle) / (sweepSecondsPerDay(LIMITS.statusSweep) / 86_400),
    lifetimeSweep: lifetimeSeconds / (sweepSecondsPerDay(LIMITS.lifetimeSweep) / 86_400),
  };
}

/** For one kind of work alone: the rate at which it hits its first limit, and which limit that is. */
export function ceilingOf(
  kind: 'create' | 'renewal' | 'read' | 'listPage',
  keyType: Fleet['keyType'],
  options: { sweeps: boolean } = { sweeps: true },
  counts: ModelCounts = SCALE_MODEL_COUNTS,
) {
  const one: Load = { createsPerSecond: 0, renewalsPerSecond: 0, readsPerSecond: 0, listPagesPerSecond: 0 };
  if (kind === 'create') one.createsPerSecond = 1;
  if (kind === 'renewal') one.renewalsPerSecond = 1;
  if (kind === 'read') one.readsPerSecond = 1;
  if (kind === 'listPage') one.listPagesPerSecond = 1;
  const u = utilisation(one, keyType, counts);
  const ranked = (Object.entries(u) as [keyof Utilisation, number][])
    .filter(([limit, share]) => share > 0 && (options.sweeps || !isSweepLimit(limit)))
    .sort((a, b) => b[1] - a[1]);
  return ranked.map(([limit, share]) => ({ limit, perSecond: 1 / share }));
}

export const isSweepLimit = (limit: keyof Utilisation): boolean => limit === 'statusSweep' || limit === 'lifetimeSweep';

/** The most utilised limit (of the storage and compute ones only, when `sweeps` is false). */
export function tightest(u: Utilisation, sweeps = true): { limit: keyof Utilisation; share: number } {
  let best: { limit: keyof Utilisation; share: number } = { limit: 'account', share: u.account };
  for (const [limit, share] of Object.entries(u) as [keyof Utilisation, number][]) {
    if ((sweeps || !isSweepLimit(limit)) && share > best.share) best = { limit, share };
  }
  return best;
}

/**
 * The sweeps' daily capacity against what the fleet leaves due: entries a day, and the seconds they take of
 * the seconds the runs have (capacityPerDay is for this fleet's mix of entries).
 */
export function sweepBacklog(fleet: Fleet, counts: ModelCounts = SCALE_MODEL_COUNTS) {
  const work = dailyWork(fleet);
  const issued = work.createsPerDay + work.renewalsPerDay;
  const cost = sweepEntryCosts(fleet.keyType, counts);
  const of = (duePerDay: number, secondsNeeded: number, secondsPerDay: number) => ({
    duePerDay,
    secondsNeeded,
    secondsPerDay,
    capacityPerDay: secondsNeeded > 0 ? (duePerDay * secondsPerDay) / secondsNeeded : Infinity,
  });
  return {
    status: of(issued, issued * cost.statusSettle, sweepSecondsPerDay(LIMITS.statusSweep)),
    lifetime: of(2 * issued + work.renewalsPerDay, work.renewalsPerDay * cost.renewalStart + 2 * issued * cost.lifetimeDrop, sweepSecondsPerDay(LIMITS.lifetimeSweep)),
  };
}

/** One kind of sweep entry alone: how many a run and a day take, now (draining) and before (one batch a run). */
export function sweepCapacities(keyType: Fleet['keyType'], counts: ModelCounts = SCALE_MODEL_COUNTS) {
  const cost = sweepEntryCosts(keyType, counts);
  const capacity = (sweep: { runsPerDay: number; budgetSeconds: number }, entrySeconds: number, before: { runsPerDay: number; entriesPerRun: number }) => ({
    perRun: sweep.budgetSeconds / entrySeconds,
    perDay: sweepSecondsPerDay(sweep) / entrySeconds,
    beforePerRun: before.entriesPerRun,
    beforePerDay: before.runsPerDay * before.entriesPerRun,
  });
  return {
    statusSettle: capacity(LIMITS.statusSweep, cost.statusSettle, SWEEPS_BEFORE_DRAIN.statusSweep),
    lifetimeDrop: capacity(LIMITS.lifetimeSweep, cost.lifetimeDrop, SWEEPS_BEFORE_DRAIN.lifetimeSweep),
    renewalStart: capacity(LIMITS.lifetimeSweep, cost.renewalStart, SWEEPS_BEFORE_DRAIN.lifetimeSweep),
  };
}

/** Hourly weight of the day's traffic (mean 1 over the 24 hours). */
export function hourWeight(hour: number, amplitude: number = ASSUMPTIONS.diurnalAmplitude): number {
  return 1 + amplitude * Math.cos((2 * Math.PI * (hour - 14)) / 24);
}

export interface HourReport {
  hour: number;
  /** The busiest second of the hour. */
  peak: Load;
  utilisation: Utilisation;
  tightest: { limit: keyof Utilisation; share: number };
}

export interface DayCost {
  tableTransactions: number;
  queueOperations: number;
  executions: number;
  gbSeconds: number;
  usd: { tables: number; queues: number; executions: number; gbSeconds: number; total: number };
}

export interface DayReport {
  fleet: Fleet;
  work: ReturnType<typeof dailyWork>;
  hours: HourReport[];
  firstLimit?: { hour: number; limit: keyof Utilisation; share: number };
  /** The same, among the storage and compute limits only (what is hit once the sweeps keep up). */
  firstStorageOrComputeLimit?: { hour: number; limit: keyof Utilisation; share: number };
  /** The busiest hour's tightest limit. */
  busiest: HourReport;
  sweeps: ReturnType<typeof sweepBacklog>;
  cost: DayCost;
}

/**
 * Replays one day: each hour's traffic follows the diurnal weight (renewals do not: the lifetime timer spreads
 * them evenly), its busiest second is peakFactor × the hour's average, and every limit is checked at that second.
 */
export function simulateDay(fleet: Fleet, counts: ModelCounts = SCALE_MODEL_COUNTS, amplitude: number = ASSUMPTIONS.diurnalAmplitude): DayReport {
  const work = dailyWork(fleet);
  const hours: HourReport[] = [];
  let gbSeconds = 0;
  for (let hour = 0; hour < 24; hour++) {
    const w = hourWeight(hour, amplitude);
    const average: Load = {
      createsPerSecond: (work.createsPerDay / 86_400) * w,
      renewalsPerSecond: work.renewalsPerDay / 86_400,
      readsPerSecond: (work.readsPerDay / 86_400) * w,
      listPagesPerSecond: (work.listPagesPerDay / 86_400) * w,
    };
    const peak: Load = {
      createsPerSecond: average.createsPerSecond * fleet.peakFactor,
      renewalsPerSecond: average.renewalsPerSecond,
      readsPerSecond: average.readsPerSecond * fleet.peakFactor,
      listPagesPerSecond: average.listPagesPerSecond * fleet.peakFactor,
    };
    const u = utilisation(peak, fleet.keyType, counts, { ...average, renewalsPerSecond: work.renewalsPerDay / 86_400 });
    hours.push({ hour, peak, utilisation: u, tightest: tightest(u) });
    gbSeconds += billedInstanceSeconds(average, fleet.keyType, counts) * LIMITS.instanceMemoryGb;
  }
  const firstHit = hours.find((h) => h.tightest.share >= 1);
  const firstHard = hours.map((h) => ({ hour: h.hour, ...tightest(h.utilisation, false) })).find((t) => t.share >= 1);
  const busiest = hours.reduce((a, b) => (b.tightest.share > a.tightest.share ? b : a));
  return {
    fleet,
    work,
    hours,
    ...(firstHit ? { firstLimit: { hour: firstHit.hour, ...firstHit.tightest } } : {}),
    ...(firstHard ? { firstStorageOrComputeLimit: firstHard } : {}),
    busiest,
    sweeps: sweepBacklog(fleet, counts),
    cost: dayCost(work, gbSeconds, counts),
  };
}

/**
 * Instance-seconds billed in one hour at an average load: the instances the load keeps busy, but never less
 * than the 1-second minimum per burst of activity, which dominates at low rates (a request alone on an idle
 * instance bills a whole second). With λ executions a second arriving evenly, the share of seconds that hold
 * at least one is about 1 − e^(−λ). Timer runs are added in dayCost (one billed second each).
 */
export function billedInstanceSeconds(average: Load, keyType: Fleet['keyType'], counts: ModelCounts = SCALE_MODEL_COUNTS): number {
  const busy = instancesFor(average, keyType, counts) * 3600;
  const create = createCost(counts);
  const renewal = renewalCost(counts);
  const executionsPerSecond =
    average.createsPerSecond * create.executions +
    average.renewalsPerSecond * renewal.executions +
    average.readsPerSecond +
    average.listPagesPerSecond;
  const floor = 3600 * (1 - Math.exp(-executionsPerSecond * PRICES_USD.flexMinimumBillableSeconds));
  return Math.max(busy, floor);
}

const TIMER_RUNS_PER_DAY = LIMITS.statusSweep.runsPerDay + LIMITS.lifetimeSweep.runsPerDay + LIMITS.purgeSweep.runsPerDay;

export function dayCost(work: ReturnType<typeof dailyWork>, httpAndQueueGbSeconds: number, counts: ModelCounts = SCALE_MODEL_COUNTS): DayCost {
  const create = createCost(counts);
  const renewal = renewalCost(counts);
  const read = readCost(counts);
  const list = listPageCost(counts);
  const total = (pick: (u: UnitCosts) => number) =>
    work.createsPerDay * pick(create) + work.renewalsPerDay * pick(renewal) + work.readsPerDay * pick(read) + work.listPagesPerDay * pick(list);
  const idleRuns =
    LIMITS.statusSweep.runsPerDay * counts.statusSweepIdle.tables +
    LIMITS.lifetimeSweep.runsPerDay * counts.lifetimeSweepIdle.tables +
    LIMITS.purgeSweep.runsPerDay * counts.purgeSweepIdle.tables;
  const tableTransactions = total((u) => u.tables) + idleRuns;
  const queueOperations = total((u) => u.queueOps);
  const executions = total((u) => u.executions) + TIMER_RUNS_PER_DAY;
  const gbSeconds = httpAndQueueGbSeconds + TIMER_RUNS_PER_DAY * PRICES_USD.flexMinimumBillableSeconds * LIMITS.instanceMemoryGb;
  const usd = {
    tables: (tableTransactions / 10_000) * PRICES_USD.tableTransactionsPer10k,
    queues: (queueOperations / 10_000) * PRICES_USD.queueOperationsPer10k,
    executions: (executions / 1_000_000) * PRICES_USD.flexPerMillionExecutions,
    gbSeconds: gbSeconds * PRICES_USD.flexGbSecond,
    total: 0,
  };
  usd.total = usd.tables + usd.queues + usd.executions + usd.gbSeconds;
  return { tableTransactions, queueOperations, executions, gbSeconds, usd };
}
