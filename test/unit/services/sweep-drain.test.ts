import { runDueLifetimeActions } from '../../../shared/services/lifetime-sweep';
import { purgeDueCertificates } from '../../../shared/services/purge-certificates';
import { runDueRenewalInfoChecks } from '../../../shared/services/renewal-info-checks';
import { sweepStatuses } from '../../../shared/services/status-sweep';
import { SWEEP_BATCH, SWEEP_CONCURRENCY, type DueSource, drainDue } from '../../../shared/services/sweep-drain';
import type { ServiceContext } from '../../../shared/services/service-context';
import { MemoryLifetimeSchedule } from '../../helpers/memory-storage';
import { manualClock, memoryServiceContext } from '../../helpers/service-context';

/**
 * The sweeps drain (shared/services/sweep-drain.ts, docs/scale.md "The sweeps"): a run takes batch after batch
 * while they come back full and its budget lasts, a few certificates at a time, one certificate's entries one
 * after another. Before, a run took one batch (the lifetime sweep 100 entries, one by one), so a backlog of
 * 1,000 took 10 runs: 100 minutes on the lifetime timer's default schedule.
 */

const START = new Date('2026-01-01T00:00:00Z');
const NOW = START.getTime() / 1000;
const BACKLOG = 1_000;
/** Entries per certificate in the backlogs below: 250 certificates. */
const PER_CERTIFICATE = 4;

/** Lets other entries run: what a storage round trip does. */
const roundTrip = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Counts how many entries are handled at once, overall and per certificate (lower-cased name). */
function concurrencyProbe() {
  const active = new Map<string, number>();
  let inFlight = 0;
  const probe = { maxInFlight: 0, maxPerCertificate: 0 };
  return {
    probe,
    begin(name: string) {
      const key = name.toLowerCase();
      active.set(key, (active.get(key) ?? 0) + 1);
      inFlight += 1;
      probe.maxInFlight = Math.max(probe.maxInFlight, inFlight);
      probe.maxPerCertificate = Math.max(probe.maxPerCertificate, active.get(key) ?? 0);
    },
    end(name: string) {
      const key = name.toLowerCase();
      active.set(key, (active.get(key) ?? 1) - 1);
      inFlight -= 1;
    },
  };
}

/**
 * 1,000 lifetime entries due, 4 per certificate and next to each other in key order (so a batch holds all of a
 * certificate's), for certificates that are gone: each is one head read and one delete. The head read begins
 * an entry's handling and the delete ends it; both yield, as storage does.
 */
function lifetimeBacklog() {
  const clock = manualClock(START);
  const lifetimeSchedule = new MemoryLifetimeSchedule();
  const { ctx } = memoryServiceContext({ clock, lifetimeSchedule });
  const { probe, begin, end } = concurrencyProbe();
  const removed = new Map<string, number>();
  const certificates = ctx.certificates;
  const instrumented: ServiceContext = {
    ...ctx,
    certificates: Object.assign(Object.create(certificates) as typeof certificates, {
      async getHead(name: string) {
        begin(name);
        await roundTrip();
        return certificates.getHead(name);
      },
    }),
    lifetimeSchedule: {
      schedule: (entry) => lifetimeSchedule.schedule(entry),
      due: (now, limit) => lifetimeSchedule.due(now, limit),
      async remove(entry) {
        await roundTrip();
        await lifetimeSchedule.remove(entry);
        const key = `${entry.kind}/${entry.name}/${entry.dueAt}`;
        removed.set(key, (removed.get(key) ?? 0) + 1);
        end(entry.name);
      },
    },
  };
  return { ctx: instrumented, clock, lifetimeSchedule, probe, removed };
}

async function scheduleLifetimeBacklog(schedule: MemoryLifetimeSchedule): Promise<void> {
  for (let i = 0; i < BACKLOG; i++) {
    const certificate = Math.floor(i / PER_CERTIFICATE);
    // Two actions (a retry and the one it replaced) and two expiries per certificate, a second apart.
    const kind = i % PER_CERTIFICATE < 2 ? 'action' : 'expiry';
    await schedule.schedule({ name: `Gone-${String(certificate).padStart(3, '0')}`, kind, dueAt: NOW - 2 * BACKLOG + i, attempt: 0 });
  }
}

describe('a lifetime sweep run drains its backlog', () => {
  it(`takes ${BACKLOG} due entries in one run, ${SWEEP_CONCURRENCY} at a time, never two of one certificate at once`, async () => {
    const { ctx, lifetimeSchedule, probe, removed } = lifetimeBacklog();
    await scheduleLifetimeBacklog(lifetimeSchedule);

    const report = await runDueLifetimeActions(ctx);

    expect(report).toEqual({ due: BACKLOG, renewed: 0, inProgress: 0, notified: 0, expired: 0, dropped: BACKLOG, failed: 0 });
    expect(lifetimeSchedule.all()).toEqual([]);
    // Each entry once: BACKLOG / SWEEP_BATCH full reads and the short one that ends the run.
    expect(removed.size).toBe(BACKLOG);
    expect([...removed.values()].every((n) => n === 1)).toBe(true);
    expect(lifetimeSchedule.entitiesRead).toBe(BACKLOG);
    expect(probe).toEqual({ maxInFlight: SWEEP_CONCURRENCY, maxPerCertificate: 1 });
  });

  it('stops starting entries when its budget runs out, and the next run takes exactly the rest', async () => {
    const { ctx, clock, lifetimeSchedule, removed } = lifetimeBacklog();
    await scheduleLifetimeBacklog(lifetimeSchedule);
    // Every entry takes a second of the test clock; the run has 150 seconds.
    const slow: ServiceContext = {
      ...ctx,
      certificates: Object.assign(Object.create(ctx.certificates) as ServiceContext['certificates'], {
        getHead(name: string) {
          clock.advance(1);
          return ctx.certificates.getHead(name);
        },
      }),
    };

    const first = await runDueLifetimeActions(slow, undefined, { until: clock().getTime() + 150_000 });

    // The budget is checked before each entry: the ones in flight when it ran out finish (fewer than SWEEP_CONCURRENCY).
    expect(first).toMatchObject({ dropped: first.due, failed: 0, stoppedAtBudget: true });
    expect(first.due).toBeGreaterThanOrEqual(150);
    expect(first.due).toBeLessThan(150 + SWEEP_CONCURRENCY);
    expect(lifetimeSchedule.all()).toHaveLength(BACKLOG - first.due);

    const second = await runDueLifetimeActions(ctx);
    expect(second).toEqual({ due: BACKLOG - first.due, renewed: 0, inProgress: 0, notified: 0, expired: 0, dropped: BACKLOG - first.due, failed: 0 });
    expect(lifetimeSchedule.all()).toEqual([]);
    expect(removed.size).toBe(BACKLOG);
    expect([...removed.values()].every((n) => n === 1)).toBe(true);
  });
});

describe('the other sweeps drain as well', () => {
  const names = Array.from({ length: BACKLOG }, (_, i) => `gone-${String(Math.floor(i / PER_CERTIFICATE)).padStart(3, '0')}`);

  it(`the status sweep settles ${BACKLOG} entries of operations that moved on in one run`, async () => {
    const { ctx } = memoryServiceContext({ clock: manualClock(START) });
    for (const [i, name] of names.entries()) await ctx.dueIndex.schedule({ name, requestId: `r${i}`, dueAt: NOW - 600 });
    expect(await sweepStatuses(ctx)).toEqual({ due: BACKLOG, redriven: 0, timedOut: 0, settled: BACKLOG, reconciled: 0, reconcileFailed: 0, failed: 0 });
    expect(await ctx.dueIndex.due(NOW, BACKLOG)).toEqual([]);
  });

  it(`the ACME renewal-information checks drop ${BACKLOG} checks of certificates that are gone in one run`, async () => {
    const { ctx } = memoryServiceContext({ clock: manualClock(START) });
    for (const [i, name] of names.entries()) await ctx.renewalInfoSchedule.schedule({ name, version: `v${i}`, dueAt: NOW - 600 });
    expect(await runDueRenewalInfoChecks(ctx)).toEqual({ due: BACKLOG, renewed: 0, inProgress: 0, waiting: 0, dropped: BACKLOG, failed: 0 });
    expect(await ctx.renewalInfoSchedule.due(NOW, BACKLOG)).toEqual([]);
  });

  it(`the purge timer drops ${BACKLOG} entries of names no longer deleted in one run`, async () => {
    const { ctx } = memoryServiceContext({ clock: manualClock(START) });
    for (const [i, name] of names.entries()) await ctx.purgeSchedule.schedule({ name, scheduledPurgeDate: NOW - 600 - i });
    expect(await purgeDueCertificates(ctx)).toEqual({ due: BACKLOG, purged: 0, dropped: BACKLOG, failed: 0 });
    expect(await ctx.purgeSchedule.due(NOW, BACKLOG)).toEqual([]);
  });
});

describe('drainDue', () => {
  /** A due list in memory: `handle` removes an entry unless it is one that keeps failing. */
  function source(ids: string[], failing: Set<string>) {
    const due = [...ids];
    const handled: string[] = [];
    const reads: number[] = [];
    const src: DueSource<string> = {
      due: async (limit) => {
        reads.push(limit);
        return due.slice(0, limit);
      },
      idOf: (id) => id,
      certificateOf: (id) => id.split('/')[0] ?? id,
      handle: async (id) => {
        handled.push(id);
        await roundTrip();
        if (!failing.has(id)) due.splice(due.indexOf(id), 1);
      },
    };
    return { src, due, handled, reads };
  }

  it('reads past entries that stay due this run, takes each entry once, and ends when a read comes back short', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `c${i}/${i}`);
    // The first 120 keep failing (storage refusing them, say): they come back first in every read.
    const failing = new Set(ids.slice(0, 120));
    const { src, due, handled, reads } = source(ids, failing);
    const clock = manualClock(START);

    const result = await drainDue(clock, { until: clock().getTime() + 1 }, src);

    expect(result).toEqual({ taken: 250, reads: reads.length, stoppedAtBudget: false });
    expect([...handled].sort()).toEqual([...ids].sort());
    expect(due).toEqual(ids.slice(0, 120));
    // 100 new (all stay due); 100 seen, so the next read goes a batch further; 100 seen and 100 new (20 stay
    // due); then the 120 that stay and the last 50, a short read.
    expect(reads).toEqual([SWEEP_BATCH, SWEEP_BATCH, 2 * SWEEP_BATCH, 2 * SWEEP_BATCH]);
  });

  it('ends a run whose reads hold a page of entries that stay due, rather than read them again', async () => {
    const ids = Array.from({ length: 1_200 }, (_, i) => `c${i}/${i}`);
    const { src, handled, reads } = source(ids, new Set(ids));
    const clock = manualClock(START);

    const result = await drainDue(clock, { until: clock().getTime() + 1 }, src);

    // Each taken once, reads never past a page; the last 200 wait for the next run.
    expect(result).toEqual({ taken: 1_000, reads: reads.length, stoppedAtBudget: false });
    expect(new Set(handled).size).toBe(1_000);
    expect(Math.max(...reads)).toBe(1_000);
  });
});
