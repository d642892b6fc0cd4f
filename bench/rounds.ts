import type { BenchHost } from './bench-host';
import { cpuMicrosOf } from './bench-host';
import type { Rate } from './measure';
import { round } from './measure';
import { type StorageCounts, addCounts, appRequests, countsBetween, describePerOperation, zeroCounts } from './storage-count';

/**
 * Interleaved rounds: every load of a section runs once per round, in turn, so a change in the shared
 * machine's speed falls on the baseline and the subjects alike; the order flips every other round (A B C,
 * C B A, …) so no load always runs first after a pause. Each round records, per load, its rate, the host
 * process's CPU (/proc) and the storage requests the host sent (storage-count.ts) over exactly that load.
 */
export interface RoundLoad {
  name: string;
  /** Untimed and uncounted set-up before each round of this load (e.g. the CSRs a merge round merges). */
  prepare?(round: number): Promise<void>;
  /** One round of this load; returns the operations completed and the time they took. */
  run(round: number): Promise<Rate>;
}

export interface RoundOptions {
  /**
   * Called after each load's timed part, inside its CPU and storage window: waits for the work the load set
   * off (issuer jobs, events) so that it is counted with the load that caused it, not the next one.
   */
  settle?: () => Promise<void>;
}

export interface RoundSample {
  rate: Rate;
  hostCpuMicros: number;
  /** This (the benchmark) process's own CPU over the load: the baselines that run here, such as raw keygen. */
  selfCpuMicros: number;
  storage: StorageCounts;
}

export type RoundResults = Map<string, RoundSample[]>;

export async function runRounds(host: BenchHost, loads: readonly RoundLoad[], rounds: number, options: RoundOptions = {}): Promise<RoundResults> {
  const results: RoundResults = new Map(loads.map((load) => [load.name, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? loads : [...loads].reverse();
    const line: string[] = [];
    for (const load of order) {
      await load.prepare?.(r);
      await options.settle?.();
      const storageBefore = await host.storageCounts();
      const hostBefore = cpuMicrosOf(host.pid);
      const selfBefore = process.cpuUsage();
      const rate = await load.run(r);
      const self = process.cpuUsage(selfBefore);
      await options.settle?.();
      const hostCpuMicros = cpuMicrosOf(host.pid) - hostBefore;
      const storage = countsBetween(storageBefore, await host.storageCounts());
      results.get(load.name)?.push({ rate, hostCpuMicros, selfCpuMicros: self.user + self.system, storage });
      line.push(`${load.name} ${round(rate.perSecond, 1)}/s`);
    }
    console.log(`    round ${r + 1}/${rounds}: ${line.join(' · ')}`);
  }
  return results;
}

export function samplesOf(results: RoundResults, name: string): RoundSample[] {
  const samples = results.get(name);
  if (!samples) throw new Error(`no rounds for ${name}`);
  return samples;
}

export const perSecond = (samples: readonly RoundSample[]) => samples.map((s) => s.rate.perSecond);
/** Host CPU per operation, round by round, in µs. */
export const hostCpuPerOp = (samples: readonly RoundSample[]) => samples.map((s) => s.hostCpuMicros / operationsOf(s));
export const selfCpuPerOp = (samples: readonly RoundSample[]) => samples.map((s) => s.selfCpuMicros / operationsOf(s));
/** The app's storage requests per operation, round by round. */
export const storagePerOp = (samples: readonly RoundSample[]) => samples.map((s) => appRequests(s.storage) / operationsOf(s));

/** The operations a round's costs are divided by: all that were sent, answered by the end or not. */
function operationsOf(sample: RoundSample): number {
  return sample.rate.sent ?? sample.rate.count;
}

/** All rounds' storage requests by kind, per operation, as text. */
export function storageDetail(samples: readonly RoundSample[]): string {
  const total = samples.reduce((sum, s) => addCounts(sum, s.storage), zeroCounts());
  const operations = samples.reduce((sum, s) => sum + operationsOf(s), 0);
  return describePerOperation(total, operations);
}

