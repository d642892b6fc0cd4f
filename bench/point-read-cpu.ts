import { startAzurite } from '../scripts/local-host/azurite';
import { makeTableClient } from '../shared/storage/clients';
import { readEntity } from '../shared/storage/point-read';
import { orUndefinedOn404 } from '../shared/storage/storage-errors';

/**
 * Client CPU per table point read: the SDK's getEntity against the lean read (shared/storage/point-read.ts),
 * both through the same client and pipeline, against Azurite in its own process (so its CPU is not counted).
 * Rounds alternate the two; each figure is process.cpuUsage (user + system) over the round divided by its
 * reads, reported as the median of the rounds with the spread.
 *   node dist/bench/point-read-cpu.js [reads per round] [rounds] [concurrency]
 */
async function main(): Promise<void> {
  const perRound = Number(process.argv[2] ?? '2000');
  const rounds = Number(process.argv[3] ?? '6');
  const concurrency = Number(process.argv[4] ?? '8');
  const azurite = await startAzurite();
  try {
    const table = makeTableClient({ kind: 'connectionString', connectionString: azurite.connectionString }, 'PointReadCpu');
    await table.createTable();
    // About the size of a certificate's head row: policy JSON, the latest version's copy and its chain.
    const entity = { partitionKey: 'bench', rowKey: 'head', data: 'd'.repeat(1200), latestData: 'l'.repeat(1500), latestChain: 'c'.repeat(1400) };
    await table.upsertEntity(entity, 'Replace');

    const readers = {
      sdk: () => orUndefinedOn404(table.getEntity<typeof entity>('bench', 'head')),
      lean: () => readEntity<typeof entity>(table, 'bench', 'head'),
    };
    const [viaSdk, viaLean] = [await readers.sdk(), await readers.lean()];
    if (viaSdk?.data !== viaLean?.data || viaSdk?.etag !== viaLean?.etag) throw new Error('the two reads disagree');

    async function round(read: () => Promise<unknown>, n: number): Promise<number> {
      let left = n;
      const start = process.cpuUsage();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (left-- > 0) await read();
        }),
      );
      const used = process.cpuUsage(start);
      return (used.user + used.system) / n;
    }
    await round(readers.sdk, 500);
    await round(readers.lean, 500);
    const figures: Record<keyof typeof readers, number[]> = { sdk: [], lean: [] };
    // Each pair of rounds runs back to back, so the machine's load drifts little between its two halves.
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const pair = { sdk: 0, lean: 0 };
      for (const name of (r % 2 === 0 ? ['sdk', 'lean'] : ['lean', 'sdk']) as (keyof typeof readers)[]) pair[name] = await round(readers[name], perRound);
      figures.sdk.push(pair.sdk);
      figures.lean.push(pair.lean);
      ratios.push(pair.lean / pair.sdk);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    for (const [name, xs] of Object.entries(figures)) {
      console.log(`${name}: ${median(xs).toFixed(0)} µs CPU per read (median of ${rounds} rounds of ${perRound}; ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`);
    }
    console.log(`lean / sdk, median of the ${rounds} pairs: ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`);
  } finally {
    await azurite.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
