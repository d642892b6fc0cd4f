import type { Clock } from '../domain/clock';

/**
 * How a timer run works through what is due (docs/scale.md, "The sweeps"): it reads a batch of due entries
 * (one key range, earliest first), handles them a few at a time, and reads the next batch while the last one
 * came back full and the run still has time. A fixed batch per run capped a deployment at runs × batch entries
 * a day (the lifetime sweep at 14,400); a run that drains takes what is due, up to its time budget.
 *
 * The per-entry rules stay the sweeps' own; this file adds two of its own:
 * - Entries of one certificate are handled one after another, never at once (one renewal per certificate:
 *   a retry entry and the due one, or an action and an expiry, must not race on the same head). Different
 *   certificates run side by side, as concurrent requests do. A batch finishes before the next is read, so
 *   an entry is never in flight while the schedule is read again.
 * - An entry is taken at most once per run. One that stays due (it failed and is retried at the next run, or
 *   lost a conditional write) comes back in the next read and is skipped, and the read goes that much further;
 *   when that would pass a page (1,000 entities), storage is failing and the run ends.
 *
 * A run past its budget starts no new entry; entries in flight finish (a storage call ends within 10 s, an
 * ACME request within 30 s), and the ones not started are still due: the next run takes them, so nothing is
 * lost and nothing is done twice.
 */

/** Entries one sweep handles at the same time: each is a few storage round trips (I/O), so 8 hide the latency on one instance without crowding the shared partitions (docs/scale.md). */
export const SWEEP_CONCURRENCY = 8;

/** Entries read at a time. */
export const SWEEP_BATCH = 100;

/**
 * How long one timer invocation keeps starting entries. Well inside host.json's functionTimeout (10 min;
 * Flex Consumption's default is 30) with room for the entries in flight, and shorter than the lifetime timer's
 * 10-minute and the purge's 5-minute periods, so a run that drains ends before the next tick. The status sweep
 * ticks every minute: while a long run drains, the host holds the next tick (a timer's runs never overlap).
 */
export const SWEEP_RUN_BUDGET_MS = 4 * 60_000;

/** A table query's page holds at most 1,000 entities: reading further past entries that keep failing is not worth it. */
const MAX_READ = 1_000;

/** When a run stops starting entries: unix ms on the context's clock. */
export interface SweepBudget {
  until: number;
}

/** A budget of `share` of SWEEP_RUN_BUDGET_MS from now: a timer running two sweeps gives the first a share, the second the rest. */
export function sweepBudget(clock: Clock, share = 1): SweepBudget {
  return { until: clock().getTime() + share * SWEEP_RUN_BUDGET_MS };
}

export interface DueSource<E> {
  /** Up to `limit` due entries, earliest first, read afresh (what was handled is gone from it). */
  due(limit: number): Promise<E[]>;
  /** The entry's identity in its schedule (its row key): taken at most once per run. */
  idOf(entry: E): string;
  /** The certificate it is about (case-insensitive): entries of one certificate never run at once. */
  certificateOf(entry: E): string;
  /** Handles one entry. Catches what one entry's failure should not spread to the others (the caller counts it). */
  handle(entry: E): Promise<void>;
}

export interface DrainResult {
  /** Entries handled this run. */
  taken: number;
  /** Due reads made (one per batch). */
  reads: number;
  /** The budget ran out with entries still due; the next run takes them. */
  stoppedAtBudget: boolean;
}

export async function drainDue<E>(
  clock: Clock,
  budget: SweepBudget,
  source: DueSource<E>,
  options: { batch: number; concurrency: number } = { batch: SWEEP_BATCH, concurrency: SWEEP_CONCURRENCY },
): Promise<DrainResult> {
  const hasTime = () => clock().getTime() < budget.until;
  const taken = new Set<string>();
  const result: DrainResult = { taken: 0, reads: 0, stoppedAtBudget: false };
  let limit = options.batch;
  while (hasTime()) {
    const entries = await source.due(limit);
    result.reads += 1;
    const fresh = entries.filter((entry) => !taken.has(source.idOf(entry)));
    for (const entry of fresh) taken.add(source.idOf(entry));
    const started = await handleByCertificate(fresh, source, options.concurrency, hasTime);
    result.taken += started;
    if (started < fresh.length) break;
    // A short read is the end of what is due.
    if (entries.length < limit) return result;
    // Entries taken this run that stay due come back first (earliest first): read past them to a batch of
    // new ones, up to a page; so many failing in one run means storage is, and the next run tries again.
    const stillDue = entries.length - fresh.length;
    if (stillDue + options.batch > MAX_READ) return result;
    limit = stillDue + options.batch;
  }
  result.stoppedAtBudget = true;
  return result;
}

/**
 * Handles a batch with at most `concurrency` entries in flight, a certificate's entries in order by one worker.
 * Returns how many were started; those not started (the budget ran out) are left as they are.
 */
async function handleByCertificate<E>(entries: E[], source: DueSource<E>, concurrency: number, hasTime: () => boolean): Promise<number> {
  const byCertificate = new Map<string, E[]>();
  for (const entry of entries) {
    const key = source.certificateOf(entry).toLowerCase();
    const group = byCertificate.get(key);
    if (group) group.push(entry);
    else byCertificate.set(key, [entry]);
  }
  const groups = [...byCertificate.values()];
  let next = 0;
  let started = 0;
  let failure: { error: unknown } | undefined;
  async function worker(): Promise<void> {
    while (next < groups.length) {
      const group = groups[next++]!;
      for (const entry of group) {
        if (failure || !hasTime()) return;
        started += 1;
        try {
          await source.handle(entry);
        } catch (error) {
          // handle() counts its own failures; anything it lets through ends the run once the others settle.
          failure ??= { error };
        }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, groups.length) }, worker));
  if (failure) throw failure.error;
  return started;
}
