import { spawn } from 'node:child_process';
import { generateKeyPair } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { TableClient } from '@azure/data-tables';
import { CertificateClient } from '@azure/keyvault-certificates';
import { findFreePort } from '../scripts/local-host/ports';
import { ensureLocalSigningKey, issueLocalToken } from '../shared/auth/local-signing-key';
import { LOCAL_DEVELOPER_ROLE } from '../shared/auth/roles';
import { DEFAULT_AUDIENCE } from '../shared/config';
import { TABLES } from '../shared/names';
import { readHostJson } from '../scripts/local-host/host-json';
import { type BenchPebble, startBenchPebble } from './acme-pebble';
import { benchOn, WAIT_POLL_MS } from './bench-client';
import { peakRssOf, startBenchHost } from './bench-host';
import { type BenchFigure, figureOf, formatRatio, formatValue, ratioOf, statsOf } from './figures';
import { httpLoad } from './http-load';
import { inputLimits } from './input-limits';
import { percentile, rateOf, round } from './measure';
import { measureModuleLoading, measureModuleLoadPerFunction, packagesBeyondCommon } from './module-load';
import { newerOperations } from './newer-operations';
import { privateCaIssuance } from './private-ca';
import { perSecond, type RoundLoad, runRounds, samplesOf, selfCpuPerOp } from './rounds';
import { benchScale, scaled } from './scale';
import { createLoad, reportCost, reporter, type SectionContext } from './section';
import { signedPointRead } from './signed-point-read';

/**
 * `npm run bench`: how close one instance of the service runs to what its machine and storage allow. Every
 * section runs its loads in interleaved rounds (rounds.ts), baseline and subjects taking turns, and reports
 * each figure as the median of its rounds with their range, and each ratio as the median of the per-round
 * ratios; beside each rate, the host's CPU and storage requests per operation. The host runs in a process of
 * its own, as in production; this process is only its client, on the same cores. BENCH_SCALE (scale.ts) sets
 * the size: tiny for CI, quick for a look in under a minute, full by default.
 */

const generateKeyPairAsync = promisify(generateKeyPair);
const repoRoot = resolve(__dirname, '..', '..');
const scale = benchScale();
const n = (count: number) => scaled(scale, count);
/** The SDK poller's interval after its first poll, in section 4. */
const SDK_POLL_MS = 100;

const rows: BenchFigure[] = [];
const report = reporter(rows);

async function createThroughputRsa(context: SectionContext): Promise<void> {
  console.log('1. Create throughput, Self RSA-2048, POST …/create to completed, against raw key generation');
  const { bench } = context;
  const rsa = { kty: 'RSA', key_size: 2048 };
  const keygen: RoundLoad = {
    name: 'keygen',
    run: () => rateOf(n(16), cpus().length * 2, async () => void (await generateKeyPairAsync('rsa', { modulusLength: 2048 }))),
  };
  const creates = [
    { concurrency: 1, load: createLoad(bench, 'rsa1', rsa, n(5), 1) },
    { concurrency: 4, load: createLoad(bench, 'rsa4', rsa, n(12), 4) },
    { concurrency: 16, load: createLoad(bench, 'rsa16', rsa, n(16), 16) },
  ];
  const results = await runRounds(bench.host, [keygen, ...creates.map((c) => c.load)], scale.rounds, { settle: () => bench.settle() });
  const keys = samplesOf(results, 'keygen');
  const keyRate = statsOf(perSecond(keys)).median;
  report(figureOf('raw RSA-2048 key generation (Node crypto, all cores)', perSecond(keys), 'keys/s'));
  report(figureOf('  CPU per key generated (this process)', selfCpuPerOp(keys).map((micros) => micros / 1000), 'ms'));
  for (const { concurrency, load } of creates) {
    const samples = samplesOf(results, load.name);
    report(
      figureOf(`create RSA-2048, concurrency ${concurrency}`, perSecond(samples), 'certs/s', {
        baseline: keyRate,
        baselineUnit: 'keys/s',
        ...ratioOf(perSecond(samples), perSecond(keys)),
        target: '≥ 0.9',
      }),
    );
    // What a create costs the host, its key included (the key's own CPU is the line above the loop).
    reportCost(context, 'create (key included)', samples, 'ms');
  }
}

async function createThroughputEc(context: SectionContext): Promise<void> {
  console.log('2. Create throughput, Self EC P-256, against raw Table Storage writes');
  const { bench } = context;
  const scratch = TableClient.fromConnectionString(bench.host.connectionString, 'BenchScratch', { allowInsecureConnection: true });
  await scratch.createTable();
  const payload = 'x'.repeat(4096);
  let written = 0;
  const writes: RoundLoad = {
    name: 'writes',
    run: () => rateOf(n(200), 16, async () => void (await scratch.createEntity({ partitionKey: `p${++written}`, rowKey: 'r', data: payload }))),
  };
  const ec = { kty: 'EC', crv: 'P-256' };
  const creates = [
    { concurrency: 1, load: createLoad(bench, 'ec1', ec, n(10), 1) },
    { concurrency: 16, load: createLoad(bench, 'ec16', ec, n(40), 16) },
  ];
  const results = await runRounds(bench.host, [writes, ...creates.map((c) => c.load)], scale.rounds, { settle: () => bench.settle() });
  const raw = samplesOf(results, 'writes');
  report(figureOf('raw Azurite entity writes (concurrency 16, 4 KiB)', perSecond(raw), 'writes/s'));
  for (const { concurrency, load } of creates) {
    const samples = samplesOf(results, load.name);
    report(
      figureOf(`create EC P-256, concurrency ${concurrency}`, perSecond(samples), 'certs/s', {
        baseline: statsOf(perSecond(raw)).median,
        baselineUnit: 'writes/s',
        ...ratioOf(perSecond(samples), perSecond(raw)),
        target: concurrency === 16 ? '≥ 0.25' : undefined,
      }),
    );
    reportCost(context, 'create', samples, 'ms');
  }
}

async function readThroughput(context: SectionContext): Promise<void> {
  console.log('3. Read throughput at concurrency 32 (autocannon), against raw point reads from Azurite');
  const { bench } = context;
  await bench.settle();
  const readName = bench.newName('read');
  await bench.create(readName, { kty: 'EC', crv: 'P-256' });
  await bench.waitCompleted(readName);
  await bench.settle();
  // The baseline: the same load generator reading the operation's entity straight from Azurite.
  const pointRead = signedPointRead(bench.host.tableEndpoint, TABLES.certificates, readName.toLowerCase(), 'pending');
  const auth = { Authorization: `Bearer ${bench.host.token}` };
  const loads = [
    { name: 'raw', figure: 'raw Azurite point reads', url: pointRead.url, headers: pointRead.headers },
    { name: 'pending', figure: 'GET …/pending', url: bench.api(`/certificates/${readName}/pending`), headers: auth },
    { name: 'certificate', figure: 'GET /certificates/{name}/', url: bench.api(`/certificates/${readName}/`), headers: auth },
  ];
  const results = await runRounds(
    bench.host,
    loads.map((load) => ({ name: load.name, run: () => httpLoad(load.url, load.headers, scale.readSeconds) })),
    scale.rounds,
  );
  const raw = samplesOf(results, 'raw');
  report(figureOf('raw Azurite point reads', perSecond(raw), 'reads/s'));
  for (const load of loads.slice(1)) {
    const samples = samplesOf(results, load.name);
    report(
      figureOf(load.figure, perSecond(samples), 'req/s', {
        baseline: statsOf(perSecond(raw)).median,
        baselineUnit: 'reads/s',
        ...ratioOf(perSecond(samples), perSecond(raw)),
        target: '≥ 0.8',
      }),
    );
    reportCost(context, load.figure, samples);
  }
}

async function latency(context: SectionContext, acme: BenchPebble | { skipped: string }): Promise<void> {
  console.log('4. Latency from the 202 to completed (Self, RSA-2048, concurrency 4; then PrivateCA and ACME against Self, EC P-256)');
  const { bench } = context;
  const medians: number[] = [];
  const p95s: number[] = [];
  const perRound = n(40);
  for (let r = 0; r < scale.rounds; r++) {
    const latencies: number[] = [];
    await rateOf(perRound, 4, async () => {
      const name = bench.newName('lat');
      await bench.create(name, { kty: 'RSA', key_size: 2048 });
      const accepted = performance.now();
      await bench.waitCompleted(name);
      latencies.push(performance.now() - accepted);
    });
    latencies.sort((a, b) => a - b);
    medians.push(percentile(latencies, 50));
    p95s.push(percentile(latencies, 95));
    console.log(`    round ${r + 1}/${scale.rounds}: median ${round(medians.at(-1) as number)} ms, p95 ${round(p95s.at(-1) as number)} ms over ${perRound}`);
  }
  report(figureOf(`Self RSA-2048, 202 to completed, median of ${perRound} per round`, medians, 'ms'));
  report(figureOf('  p95 of each round', p95s, 'ms'));

  const { token } = bench.host;
  const credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
  const client = new CertificateClient(bench.host.url, credential, { allowInsecureConnection: true, disableChallengeResourceVerification: true });
  let firstPollDone = 0;
  const sdkCreates = n(20);
  for (let i = 0; i < sdkCreates; i++) {
    // The interval sets only the later polls' pace (the SDK's 2 s default made these 20 take 40 s), not the first.
    const poller = await client.beginCreateCertificate(bench.newName('sdk'), { issuerName: 'Self', subject: 'CN=sdk' }, { intervalInMs: SDK_POLL_MS });
    if (poller.isDone()) firstPollDone += 1;
    await poller.pollUntilDone();
  }
  report({ figure: `SDK creates already completed at the poller's first poll (of ${sdkCreates})`, value: (100 * firstPollDone) / sdkCreates, unit: '%' });
  await issuerLatency(context, acme);
}

/**
 * EC P-256 leaves, 202 to completed, one at a time, from issuers taking turns (the order flipping every
 * round): `Self` as the baseline; a PrivateCA issuer, i.e. what signing by a CA held in the vault adds; and an
 * ACME issuer against a local Pebble when it is installed and the scale includes it.
 */
async function issuerLatency(context: SectionContext, acme: BenchPebble | { skipped: string }): Promise<void> {
  const { bench } = context;
  const ec = { kty: 'EC', crv: 'P-256' };
  const root = bench.newName('bench-root');
  await bench.send('POST', `/certificates/${root}/create`, {
    policy: { key_props: ec, x509_props: { subject: `CN=${root}`, key_usage: ['keyCertSign', 'cRLSign'], ekus: [] }, issuer: { name: 'Self' } },
  }, 202);
  await bench.waitCompleted(root);
  const privateCaIssuer = bench.newName('bench-ca');
  await bench.send('PUT', `/certificates/issuers/${privateCaIssuer}`, { provider: 'PrivateCA', credentials: { account_id: root } }, 200);

  const issueOne = async (prefix: string, issuerName: string, dnsName: boolean): Promise<number> => {
    const name = bench.newName(prefix);
    // Every name under example.com resolves to 127.0.0.1 at challtestsrv, where Pebble's validator looks it up.
    const x509 = dnsName ? { subject: `CN=${name}.example.com`, sans: { dns_names: [`${name}.example.com`] } } : { subject: `CN=${name}.corp.example` };
    await bench.send('POST', `/certificates/${name}/create`, { policy: { key_props: ec, x509_props: x509, issuer: { name: issuerName } } }, 202);
    const accepted = performance.now();
    await bench.waitCompleted(name);
    return performance.now() - accepted;
  };

  const kinds = [
    { figure: 'Self', issue: () => issueOne('self-ec', 'Self', false) },
    { figure: 'PrivateCA', issue: () => issueOne('pca-ec', privateCaIssuer, false) },
  ];
  if ('pebble' in acme) {
    const acmeIssuer = bench.newName('bench-acme');
    await bench.send('PUT', `/certificates/issuers/${acmeIssuer}`, { provider: 'ACME', credentials: { account_id: acme.pebble.directoryUrl } }, 200);
    const queues = readHostJson(join(repoRoot, 'host.json'), process.env).queues;
    console.log(
      `  ACME: Pebble at ${acme.pebble.directoryUrl} (validation without its random sleep, no authorization reuse); HTTP-01 answered by ` +
        `the bench host's own /.well-known/acme-challenge route on 127.0.0.1:${acme.hostPort}; the job's steps (docs/acme.md): account, ` +
        `order at once, 1 s HTTP-01 settle (fixed), validate, order read after 1, 1, 2, 2, 4 … s; queue polled with back-off up to ` +
        `${queues.maxPollingIntervalMs} ms (host.json maxPollingInterval); the bench reads the operation every ${WAIT_POLL_MS} ms. ` +
        'One untimed issuance first registers the account.',
    );
    const issueAcme = () => issueOne('acme-ec', acmeIssuer, true);
    await issueAcme();
    kinds.push({ figure: 'ACME (Pebble, HTTP-01)', issue: issueAcme });
  } else {
    console.log(`  ACME against Pebble skipped: ${'skipped' in acme ? acme.skipped : 'not at this scale'}`);
  }
  const perRound = n(4);
  const medians = new Map<string, number[]>(kinds.map((kind) => [kind.figure, []]));
  const p95s = new Map<string, number[]>(kinds.map((kind) => [kind.figure, []]));
  for (let r = 0; r < scale.rounds; r++) {
    const millis = new Map<string, number[]>(kinds.map((kind) => [kind.figure, []]));
    for (let i = 0; i < perRound; i++) {
      for (const kind of (r + i) % 2 === 0 ? kinds : [...kinds].reverse()) millis.get(kind.figure)?.push(await kind.issue());
    }
    for (const kind of kinds) {
      const sorted = [...(millis.get(kind.figure) ?? [])].sort((a, b) => a - b);
      medians.get(kind.figure)?.push(percentile(sorted, 50));
      p95s.get(kind.figure)?.push(percentile(sorted, 95));
    }
    console.log(`    round ${r + 1}/${scale.rounds}: ${kinds.map((kind) => `${kind.figure} ${round(medians.get(kind.figure)?.at(-1) ?? NaN)} ms`).join(' · ')}`);
  }
  const selfMedians = medians.get('Self') ?? [];
  report(figureOf(`Self EC P-256, 202 to completed, median of ${perRound} per round`, selfMedians, 'ms'));
  for (const kind of kinds.slice(1)) {
    const kindMedians = medians.get(kind.figure) ?? [];
    report(
      figureOf(`${kind.figure} EC P-256, 202 to completed, median of ${perRound} per round`, kindMedians, 'ms', {
        baseline: statsOf(selfMedians).median,
        baselineUnit: 'ms (Self)',
        ...ratioOf(kindMedians, selfMedians),
      }),
    );
    report(figureOf(`  ${kind.figure} p95 of each round`, p95s.get(kind.figure) ?? [], 'ms'));
  }
}

async function startup(): Promise<void> {
  console.log('5. Start-up');
  const modules = measureModuleLoading(scale.startupSamples);
  report(figureOf('load a bare @azure/functions app', modules.bare, 'ms'));
  report(figureOf("load this app's function modules", modules.app, 'ms', { baseline: statsOf(modules.bare).median, baselineUnit: 'ms (bare)', ...ratioOf(modules.app, modules.bare), detail: `${modules.appPackages.length} packages` }));
  report(figureOf("  the same, CPU time (user + system)", modules.appCpu, 'ms', { baseline: statsOf(modules.bareCpu).median, baselineUnit: 'ms (bare)', ...ratioOf(modules.appCpu, modules.bareCpu) }));
  // One file at a time: what each route's own graph costs. Every file at full scale; every 8th below it, so a
  // quick run stays quick and a tiny one still runs the code (the bench cannot rot).
  const everyFile = scale.startupSamples >= 5;
  const perFunction = measureModuleLoadPerFunction(Math.max(1, Math.round(scale.startupSamples / 2)), everyFile ? 1 : 8);
  const beyond = packagesBeyondCommon(perFunction);
  const heaviest = perFunction[0];
  const lightest = perFunction[perFunction.length - 1];
  if (heaviest && lightest) {
    report(figureOf(`load one function file alone, heaviest (${heaviest.file})`, [heaviest.ms], 'ms', { detail: `${heaviest.modules} modules; beyond every file's: ${(beyond.get(heaviest.file) ?? []).join(' ') || 'nothing'}` }));
    report(figureOf(`load one function file alone, lightest (${lightest.file})`, [lightest.ms], 'ms', { detail: `${lightest.modules} modules; ${perFunction.length} files${everyFile ? '' : ' (every 8th; full scale loads each)'}, \`node dist/bench/module-load.js\` prints each` }));
  }
  const starts: number[] = [];
  for (let i = 0; i < scale.startupSamples; i++) starts.push(await measureFirst202());
  report(figureOf('process start to first 202 (compiled host, embedded Azurite)', starts, 'ms'));
}

const SECTIONS = [1, 2, 3, 4, 5, 6, 7, 8];

/** `BENCH_SECTIONS=3,5` runs only those sections (all by default), for quicker rounds while tuning. */
function selectedSections(): Set<number> {
  const listed = (process.env.BENCH_SECTIONS ?? '').split(',').map((s) => Number(s.trim())).filter((s) => SECTIONS.includes(s));
  return new Set(listed.length > 0 ? listed : SECTIONS);
}

/** Runs a section and says how long it took: what BENCH_SCALE is tuned by. */
async function timed(section: () => Promise<void>): Promise<void> {
  const started = performance.now();
  await section();
  console.log(`   (section took ${round((performance.now() - started) / 1000, 1)} s)`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const sections = selectedSections();
  console.log(`Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${round(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}`);
  console.log(`Scale: ${scale.name} (BENCH_SCALE): ${scale.rounds} interleaved rounds per section, load sizes × ${scale.factor}; figures are medians of the rounds [lowest–highest, ± half that range in % of the median]`);
  // Pebble first when section 4 runs: it must know the host's port (HTTP-01) before the host listens on it.
  const acme = !sections.has(4)
    ? { skipped: 'section 4 not selected' }
    : scale.acme
      ? await startBenchPebble()
      : { skipped: `BENCH_SCALE=${scale.name} leaves it out (each issuance waits ~7 s by design of the job's steps); the full scale runs it` };
  const pebble = 'pebble' in acme ? acme : undefined;
  const host = await startBenchHost({ port: pebble?.hostPort, settings: pebble?.hostSettings }).catch(async (error: unknown) => {
    await pebble?.pebble.stop();
    throw error;
  });
  try {
    const context: SectionContext = { bench: benchOn(host), scale, report };
    if (sections.has(1)) await timed(() => createThroughputRsa(context));
    if (sections.has(2)) await timed(() => createThroughputEc(context));
    if (sections.has(3)) await timed(() => readThroughput(context));
    if (sections.has(7)) await timed(() => newerOperations(context));
    if (sections.has(8)) await timed(() => privateCaIssuance(context));
    if ([1, 2, 3, 7, 8].some((s) => sections.has(s))) {
      console.log('   Memory');
      report({ figure: 'peak resident memory of the host process during 1–3, 7, 8', value: peakRssOf(host.pid), unit: 'MiB' });
    }
    if (sections.has(4)) await timed(() => latency(context, acme));
    if (sections.has(6)) {
      const sectionStarted = performance.now();
      console.log('6. Input limits: oversized fields refused before work; bodies without a token never held');
      const existing = context.bench.newName('limits-read');
      await context.bench.create(existing, { kty: 'EC', crv: 'P-256' });
      await context.bench.waitCompleted(existing);
      const figures = await inputLimits({ url: host.url, token: host.token, pid: host.pid, existingCertificate: existing, samples: n(5), gets: n(300), rounds: scale.rounds });
      for (const figure of figures) report(figure);
      console.log(`   (section took ${round((performance.now() - sectionStarted) / 1000, 1)} s)`);
    }
  } finally {
    await host.stop();
    await pebble?.pebble.stop();
  }
  if (sections.has(5)) await timed(startup);

  const file = resolve(process.env.BENCH_OUTPUT ?? join(repoRoot, 'bench-results.json'));
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), scale, machine: { cores: cpus().length, node: process.version }, rows }, null, 2));
  console.log(`\nFigures written to ${file}`);
  console.table(rows.map((r) => ({ figure: r.figure, median: formatValue(r), baseline: r.baseline === undefined ? '' : `${round(r.baseline)} ${r.baselineUnit ?? ''}`, ratio: formatRatio(r), target: r.target ?? '' })));
  console.log(`Bench took ${round((performance.now() - started) / 1000, 1)} s at BENCH_SCALE=${scale.name}.`);
}

/** Starts `node dist/scripts/local-host/main.js` with its own data folder and times the first 202. */
async function measureFirst202(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kv-bench-start-'));
  const port = await findFreePort();
  const keyFile = join(dataDir, 'startup-key.json');
  await ensureLocalSigningKey(keyFile);
  const token = await issueLocalToken(keyFile, { audience: DEFAULT_AUDIENCE, roles: [LOCAL_DEVELOPER_ROLE] });
  const env = {
    ...process.env,
    PORT: String(port),
    AUTH_MODE: 'local',
    AUTH_LOCAL_KEY_FILE: keyFile,
    KEY_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
  };
  const started = performance.now();
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'scripts', 'local-host', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    for (;;) {
      if (performance.now() - started > 60_000 || child.exitCode !== null) {
        throw new Error(`the local host gave no 202 (exit code ${child.exitCode}):\n${output.slice(-2000)}`);
      }
      try {
        const response = await fetch(`http://127.0.0.1:${port}/certificates/boot-${Date.now()}/create?api-version=7.5`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ policy: { x509_props: { subject: 'CN=boot' }, issuer: { name: 'Self' } } }),
        });
        if (response.status === 202) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
