import type { Bench } from './bench-client';
import { type BenchFigure, figureOf, formatRow } from './figures';
import { rateOf } from './measure';
import { type RoundLoad, type RoundSample, hostCpuPerOp, storageDetail, storagePerOp } from './rounds';
import type { BenchScale } from './scale';

/** What every section gets: the host's client, the scale, and where its figures go. */
export interface SectionContext {
  bench: Bench;
  scale: BenchScale;
  report(row: BenchFigure): void;
}

export function reporter(rows: BenchFigure[]): (row: BenchFigure) => void {
  return (row) => {
    rows.push(row);
    console.log(formatRow(row));
  };
}

/**
 * The two figures every load of the host gets beside its rate: host CPU per operation (from /proc, the
 * steadier figure on a shared machine) and the app's storage requests per operation, by kind.
 */
export function reportCost(context: SectionContext, what: string, samples: readonly RoundSample[], cpuUnit: 'µs' | 'ms' = 'µs'): void {
  const cpu = hostCpuPerOp(samples).map((micros) => (cpuUnit === 'ms' ? micros / 1000 : micros));
  context.report(figureOf(`  host CPU per ${what}`, cpu, cpuUnit));
  context.report(figureOf(`  storage requests per ${what}`, storagePerOp(samples), 'requests', { detail: storageDetail(samples) }));
}

/** The poll interval while waiting for creates in throughput loads: often enough, without loading Azurite. */
const THROUGHPUT_POLL_MS = 25;

/** `count` creates, `concurrency` at a time, each from POST …/create until its operation is `completed`. */
export function createLoad(bench: Bench, prefix: string, keyProps: Record<string, unknown>, count: number, concurrency: number, issuer = 'Self'): RoundLoad {
  return {
    name: prefix,
    run: () =>
      rateOf(count, concurrency, async () => {
        const name = bench.newName(prefix);
        await bench.create(name, keyProps, issuer);
        await bench.waitCompleted(name, THROUGHPUT_POLL_MS);
      }),
  };
}
