/**
 * How much work `npm run bench` does: `BENCH_SCALE=tiny|quick|full` (full by default) or a number, the
 * factor on every load size (the rounds follow it). tiny is what CI runs, so the bench cannot rot: every
 * section, a few operations per round, figures printed and nothing asserted. quick is a look in under a minute.
 */
export interface BenchScale {
  name: string;
  /** Factor on every count of operations per round. */
  factor: number;
  /** Interleaved rounds per section: each figure is the median of this many. */
  rounds: number;
  /** Seconds of autocannon load per round for each read load. */
  readSeconds: number;
  /** Whether ACME issuance against Pebble runs (each takes ~7 s of waiting, by design of the job's steps). */
  acme: boolean;
  /** Child processes per side when timing module loading; process starts to time the first 202. */
  startupSamples: number;
  /** The fewest operations a load does per round, however small the factor. */
  minPerRound: number;
}

const NAMED: Record<string, BenchScale> = {
  tiny: { name: 'tiny', factor: 0.05, rounds: 2, readSeconds: 0.3, acme: false, startupSamples: 1, minPerRound: 1 },
  quick: { name: 'quick', factor: 0.15, rounds: 3, readSeconds: 0.5, acme: false, startupSamples: 2, minPerRound: 2 },
  full: { name: 'full', factor: 1, rounds: 5, readSeconds: 1.5, acme: true, startupSamples: 5, minPerRound: 2 },
};

export function benchScale(value = process.env.BENCH_SCALE): BenchScale {
  const named = NAMED[(value ?? 'full').trim().toLowerCase()];
  if (named) return named;
  const factor = Number(value);
  if (!(factor > 0)) throw new Error(`BENCH_SCALE must be tiny, quick, full or a positive number; it was '${value}'`);
  return {
    name: String(factor),
    factor,
    rounds: factor < 0.1 ? 2 : factor < 0.5 ? 3 : 5,
    readSeconds: Math.max(0.3, 1.5 * Math.min(factor, 2)),
    acme: factor >= 0.5,
    startupSamples: factor < 0.1 ? 1 : factor < 0.5 ? 2 : 5,
    minPerRound: 2,
  };
}

/** `count` operations scaled, at least the scale's floor per round. */
export function scaled(scale: BenchScale, count: number): number {
  return Math.max(scale.minPerRound, Math.round(count * scale.factor));
}
