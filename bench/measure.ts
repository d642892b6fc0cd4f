import { performance } from 'node:perf_hooks';

/** Small measuring tools for the benchmark: rates, percentiles, a bounded worker pool, peak memory. */

export interface Rate {
  count: number;
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

/** Runs `task` with `concurrency` workers for `seconds` and reports the completed rate. */
export async function rateFor(seconds: number, concurrency: number, task: () => Promise<void>): Promise<Rate> {
  const deadline = performance.now() + seconds * 1000;
  let count = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await task();
        count += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { count, seconds: elapsed, perSecond: count / elapsed };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

/** Samples this process's resident memory until stopped; returns the peak in MiB. */
export function trackPeakRss(intervalMs = 25): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss) / (1024 * 1024);
    },
  };
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
