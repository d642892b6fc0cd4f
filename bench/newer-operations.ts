import { TableClient } from '@azure/data-tables';
import { TABLES } from '../shared/names';
import { createTestCa, type TestCa } from '../test/helpers/test-ca';
import { type BenchFigure, figureOf, ratioOf, statsOf } from './figures';
import { httpLoad } from './http-load';
import { rateOf } from './measure';
import { perSecond, type RoundLoad, runRounds, samplesOf } from './rounds';
import { scaled } from './scale';
import { reportCost, type SectionContext } from './section';
import { signedPointRead } from './signed-point-read';

/**
 * Section 7: the operations added after the first bench, in interleaved rounds with two raw baselines that
 * take their turns too: a list page (autocannon, 32 connections, against raw point reads) and, closed loop at
 * concurrency 4 against raw entity writes, import (PEM), merge (of a CSR signed outside), backup, delete,
 * purge and restore. Each operation's set-up (what it needs to exist first) runs untimed and uncounted before
 * its turn, so a figure is the operation's own.
 */
const CONCURRENCY = 4;
const LIST_PAGE = 25;

function pemOf(ca: TestCa): string {
  const block = (label: string, der: Buffer) => `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;
  return block('PRIVATE KEY', ca.privateKeyPkcs8) + block('CERTIFICATE', ca.certificateDer);
}

/** Runs `task` on each of `items`, `CONCURRENCY` at a time, as a rate over the items. */
function over<T>(items: readonly T[], task: (item: T) => Promise<void>) {
  return rateOf(items.length, CONCURRENCY, (i) => task(items[i] as T));
}

export async function newerOperations(context: SectionContext): Promise<void> {
  console.log(`7. Newer operations: a list page (autocannon) against raw point reads; import, merge, backup, delete, purge, restore (concurrency ${CONCURRENCY}) against raw entity writes`);
  const { bench, scale } = context;
  const perRound = scaled(scale, 20);
  const ca = await createTestCa('CN=Bench import and merge CA');
  const pem = pemOf(ca);
  const importOne = (name: string) => bench.send('POST', `/certificates/${name}/import`, { value: pem }, 200).then(() => undefined);
  const importFresh = async (prefix: string, count: number): Promise<string[]> => {
    const names = Array.from({ length: count }, () => bench.newName(prefix));
    await over(names, importOne);
    return names;
  };
  const deleteOne = (name: string) => bench.send('DELETE', `/certificates/${name}`, undefined, 200).then(() => undefined);
  const purgeOne = (name: string) => bench.send('DELETE', `/deletedcertificates/${name}`, undefined, 204).then(() => undefined);
  const backupOne = async (name: string) => (await bench.send('POST', `/certificates/${name}/backup`, undefined, 200)).value as string;

  // More certificates than one page, so the page is full and has a next link.
  const listed = await importFresh('list', LIST_PAGE + 1);
  await bench.settle();

  const scratch = TableClient.fromConnectionString(bench.host.connectionString, 'BenchScratchNewer', { allowInsecureConnection: true });
  await scratch.createTable();
  const payload = 'x'.repeat(4096);
  let written = 0;
  const pointRead = signedPointRead(bench.host.tableEndpoint, TABLES.certificates, (listed[0] as string).toLowerCase(), 'head');
  const auth = { Authorization: `Bearer ${bench.host.token}` };

  let toMerge: { name: string; x5c: string }[] = [];
  let toDelete: string[] = [];
  let toPurge: string[] = [];
  let toRestore: { name: string; blob: string }[] = [];
  const loads: RoundLoad[] = [
    { name: 'raw reads', run: () => httpLoad(pointRead.url, pointRead.headers, scale.readSeconds) },
    { name: 'list', run: () => httpLoad(bench.api(`/certificates?maxresults=${LIST_PAGE}`), auth, scale.readSeconds) },
    {
      name: 'raw writes',
      run: () => rateOf(scaled(scale, 100), CONCURRENCY, async () => void (await scratch.createEntity({ partitionKey: `p${++written}`, rowKey: 'r', data: payload }))),
    },
    { name: 'import', run: async () => rateOf(perRound, CONCURRENCY, () => importOne(bench.newName('import'))) },
    {
      name: 'merge',
      prepare: async () => {
        const names = Array.from({ length: perRound }, () => bench.newName('merge'));
        toMerge = [];
        await over(names, async (name) => {
          const created = await bench.create(name, { kty: 'EC', crv: 'P-256' }, 'Unknown');
          toMerge.push({ name, x5c: (await ca.sign(created.csr as string)).toString('base64') });
        });
      },
      run: () => over(toMerge, (item) => bench.send('POST', `/certificates/${item.name}/pending/merge`, { x5c: [item.x5c] }, 201).then(() => undefined)),
    },
    { name: 'backup', run: () => over(listed.slice(0, perRound), async (name) => void (await backupOne(name))) },
    {
      name: 'delete',
      prepare: async () => void (toDelete = await importFresh('delete', perRound)),
      run: () => over(toDelete, deleteOne),
    },
    {
      name: 'purge',
      prepare: async () => {
        toPurge = await importFresh('purge', perRound);
        await over(toPurge, deleteOne);
      },
      run: () => over(toPurge, purgeOne),
    },
    {
      name: 'restore',
      prepare: async () => {
        const names = await importFresh('restore', perRound);
        toRestore = [];
        await over(names, async (name) => void toRestore.push({ name, blob: await backupOne(name) }));
        await over(names, deleteOne);
        await over(names, purgeOne);
      },
      run: () => over(toRestore, (item) => bench.send('POST', '/certificates/restore', { value: item.blob }, 200).then(() => undefined)),
    },
  ];
  const results = await runRounds(bench.host, loads, scale.rounds, { settle: () => bench.settle() });

  const rawReads = samplesOf(results, 'raw reads');
  const rawWrites = samplesOf(results, 'raw writes');
  const versus = (samples: ReturnType<typeof samplesOf>, raw: typeof samples, unit: string): Partial<BenchFigure> => ({
    baseline: statsOf(perSecond(raw)).median,
    baselineUnit: unit,
    ...ratioOf(perSecond(samples), perSecond(raw)),
  });
  context.report(figureOf('raw Azurite point reads (32 connections)', perSecond(rawReads), 'reads/s'));
  const list = samplesOf(results, 'list');
  context.report(figureOf(`GET /certificates?maxresults=${LIST_PAGE} (first page, 32 connections)`, perSecond(list), 'pages/s', versus(list, rawReads, 'reads/s')));
  reportCost(context, 'list page', list);
  context.report(figureOf(`raw Azurite entity writes (concurrency ${CONCURRENCY}, 4 KiB)`, perSecond(rawWrites), 'writes/s'));
  const figures: [string, string][] = [
    ['import', 'import (PEM, EC P-256)'],
    ['merge', 'merge (x5c: one DER certificate)'],
    ['backup', 'backup'],
    ['delete', 'delete'],
    ['purge', 'purge'],
    ['restore', 'restore'],
  ];
  for (const [load, figure] of figures) {
    const samples = samplesOf(results, load);
    context.report(figureOf(figure, perSecond(samples), 'ops/s', versus(samples, rawWrites, 'writes/s')));
    reportCost(context, load, samples);
  }
}
