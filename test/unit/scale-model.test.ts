import { type ModelCounts, type StepCost, PRICES_USD, createCost, renewalCost, simulateDay, utilisation } from '../../scripts/scale-model';

/**
 * The scale model's arithmetic on counts small enough to follow by hand (docs/scale.md), so the simulation
 * cannot drift from what the document says it computes. The counts here are made up; the real ones are
 * checked against the code by test/integration/storage/request-path-cost.test.ts.
 */
const step = (tables: number, messages = 0, events = 0, shared: StepCost['shared'] = {}): StepCost => ({ tables, messages, events, shared });

const COUNTS: ModelCounts = {
  createRequest: step(10, 1, 0, { indexLive: 3 }),
  issuerJob: step(10, 0, 1, { indexLive: 3 }),
  getLatest: step(2),
  getVersion: step(2),
  getPending: step(1),
  listPage: step(1, 0, 0, { indexLive: 1 }),
  statusSweepAfterCreate: step(4, 0, 0, { statusDue: 2, reconcileDue: 1 }),
  statusSweepIdle: step(2),
  lifetimeSweepIdle: step(2),
  purgeSweepIdle: step(1),
  renewalStart: step(5, 1, 0, { lifetimeDue: 2 }),
  renewalJob: step(10, 0, 1),
  statusSweepAfterRenewal: step(4, 0, 0, { statusDue: 2, reconcileDue: 1 }),
  staleEntriesAfterRenewal: step(5, 0, 0, { lifetimeDue: 3 }),
};

it('adds up a create and a renewal from their steps, each sweep run paying its queries once', () => {
  // Request 10 + 2 pending polls × 1 + job 10 + the status sweep's 4 less its run's 2 queries.
  expect(createCost(COUNTS, 2).tables).toBe(24);
  // A job message: put, delete, 1/16 of a get; an event: outbox put and delete, certificate-events put, 1/16 of a get.
  expect(createCost(COUNTS, 2).queueOps).toBeCloseTo(2 + 1 / 16 + 3 + 1 / 16, 10);
  // Start 5 less the lifetime run's query + job 10 + status 4 less 2 + two stale entries of (5 − 1) / 2 each.
  expect(renewalCost(COUNTS).tables).toBe(20);
});

it('turns 1 create/s and 10 reads/s into each limit’s share', () => {
  const u = utilisation({ createsPerSecond: 1, renewalsPerSecond: 0, readsPerSecond: 10, listPagesPerSecond: 0 }, 'EC', COUNTS);
  // 24 table + 5.125 queue requests per create, 2 per read.
  expect(u.account).toBeCloseTo((24 + 5.125 + 10 * 2) / 20_000, 10);
  // The `live` index partition: 3 entities at the request, 3 in the job.
  expect(u.indexLive).toBeCloseTo(6 / 2_000, 10);
  expect(u.issuerQueue).toBeCloseTo(1 / 2_000, 10);
  // The sweeps, by the time their entries take: a settled or dropped entry is 2 requests (8 ms each) and 2 ms of
  // CPU, 8 at a time: 2.25 ms of a run. The status sweep can work all day (a run a minute, 3 minutes each);
  // every create leaves it 1 entry. The lifetime sweep works 3 minutes of every 10 (0.3 of a day) and every
  // create leaves it 2 entries (action and expiry) to drop.
  expect(u.statusSweep).toBeCloseTo(0.00225, 10);
  expect(u.lifetimeSweep).toBeCloseTo((2 * 0.00225) / 0.3, 10);
});

it('replays a day of 1,000 certificates: daily work, the peak second, and the day’s table transactions and their price', () => {
  const day = simulateDay(
    // 20 replacements a day (100-day validity, replaced half way), a quarter by AutoRenew; 86,400 reads a day = 1/s.
    { certificates: 1_000, validityDays: 100, replaceAtFraction: 0.5, renewalFraction: 0.25, readsPerCertificatePerDay: 86.4, listPagesPerDay: 0, peakFactor: 2, keyType: 'EC' },
    COUNTS,
    0,
  );
  expect(day.work).toEqual({ createsPerDay: 15, renewalsPerDay: 5, readsPerDay: 86_400, listPagesPerDay: 0 });
  // A flat day (amplitude 0): every hour's busiest second has peakFactor × 1 read/s.
  expect(day.hours.map((h) => h.peak.readsPerSecond)).toEqual(Array.from({ length: 24 }, () => 2));
  // 15 creates × 24 + 5 renewals × 20 + 86,400 reads × 2 + idle timer runs (1,440 × 2 + 144 × 2 + 288 × 1).
  expect(day.cost.tableTransactions).toBeCloseTo(360 + 100 + 172_800 + 3_456, 6);
  expect(day.cost.usd.tables).toBeCloseTo((176_716 / 10_000) * PRICES_USD.tableTransactionsPer10k, 10);
  // Nothing near a limit: the tightest is the account (4 requests/s of reads at the peak, and a little more).
  expect(day.firstLimit).toBeUndefined();
  expect(day.busiest.tightest.limit).toBe('account');
  // The lifetime sweep: 2 × 20 entries to drop and 5 renewals a day. A renewal start is 4 requests and 27 ms of
  // CPU (EC): the CPU binds (27 ms > (32 + 27) / 8). Its runs have 144 × 180 s a day.
  expect(day.sweeps.lifetime).toEqual({
    duePerDay: 45,
    secondsNeeded: expect.closeTo(5 * 0.027 + 40 * 0.00225, 10),
    secondsPerDay: 25_920,
    capacityPerDay: expect.closeTo((45 * 25_920) / (5 * 0.027 + 40 * 0.00225), 6),
  });
});
