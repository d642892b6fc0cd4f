import { performance } from 'node:perf_hooks';

/** Small measuring tools for the benchmark: rates, percentiles, a bounded worker pool. */

export interface Rate {
  /** Operations completed within the run. */
  count: number;
  /**
   * Operations the server was sent, when more than completed: a timed load (autocannon) stops with
   * requests in flight, which the server still handles. What per-operation costs divide by.
   */
  sent?: number;
  seconds: number;
  perSecond: number;
}

/** Runs `task` `count` times with `concurrency` workers and reports the completed rate. */
export async function rateOf(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<Rate> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) await task(i);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { count, seconds, perSecond: count / seconds };
}


/** The rate over several runs of the same load: all their work over all their time. */
export function combined(rates: readonly Rate[]): number {
  const count = rates.reduce((sum, rate) => sum + rate.count, 0);
  const seconds = rates.reduce((sum, rate) => sum + rate.seconds, 0);
  return count / seconds;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}


export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
