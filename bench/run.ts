import { execFileSync, spawn } from 'node:child_process';
import { createHmac, generateKeyPair } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { TableClient } from '@azure/data-tables';
import { CertificateClient } from '@azure/keyvault-certificates';
import { QueueServiceClient } from '@azure/storage-queue';
import { AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY } from '../scripts/local-host/azurite';
import { findFreePort } from '../scripts/local-host/ports';
import { ensureLocalSigningKey, issueLocalToken } from '../shared/auth/local-signing-key';
import { LOCAL_DEVELOPER_ROLE } from '../shared/auth/roles';
import { DEFAULT_AUDIENCE } from '../shared/config';
import { QUEUES, TABLES } from '../shared/names';
import { readHostJson } from '../scripts/local-host/host-json';
import { type BenchPebble, startBenchPebble } from './acme-pebble';
import { type BenchHost, cpuMicrosOf, peakRssOf, startBenchHost } from './bench-host';
import { httpLoad } from './http-load';
import { type BenchFigure, inputLimits } from './input-limits';
import { combined, percentile, type Rate, rateOf, round } from './measure';

/**
 * `npm run bench`: how close one instance of the service runs to what its machine and storage allow. Every
 * figure is a ratio against a baseline measured in the same run, since absolute times drift on shared
 * machines. The host runs in a process of its own, as in production; this process is only its client, on the
 * same cores.
 */

const generateKeyPairAsync = promisify(generateKeyPair);
const repoRoot = resolve(__dirname, '..', '..');
const scale = Number(process.env.BENCH_SCALE ?? '1');
const n = (count: number) => Math.max(2, Math.round(count * scale));
const READ_ROUNDS = 3;
/** How often the bench reads a pending operation while it waits for `completed`: the resolution of every latency. */
const WAIT_POLL_MS = 10;
/** The SDK poller's interval after its first poll, in section 4. */
const SDK_POLL_MS = 100;

type Row = BenchFigure;

const rows: Row[] = [];
function report(row: Row): void {
  rows.push(row);
  const ratio = row.ratio !== undefined ? ` ratio ${round(row.ratio, 3)}` : '';
  const baseline = row.baseline !== undefined ? ` vs ${round(row.baseline)} ${row.baselineUnit ?? ''}` : '';
  console.log(`  ${row.figure}: ${round(row.value)} ${row.unit}${baseline}${ratio}${row.target ? ` (target ${row.target})` : ''}`);
}

interface Bench {
  host: BenchHost;
  api(path: string): string;
  newName(prefix: string): string;
  create(name: string, keyProps: Record<string, unknown>): Promise<void>;
  waitCompleted(name: string): Promise<void>;
}

function benchOn(host: BenchHost): Bench {
  const headers = { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' };
  const api = (path: string) => `${host.url}${path}${path.includes('?') ? '&' : '?'}api-version=7.5`;
  let counter = 0;
  return {
    host,
    api,
    newName: (prefix) => `${prefix}-${process.pid}-${++counter}`,
    async create(name, keyProps) {
      const response = await fetch(api(`/certificates/${name}/create`), {
        method: 'POST',
        headers,
        body: JSON.stringify({ policy: { key_props: keyProps, x509_props: { subject: `CN=${name}` }, issuer: { name: 'Self' } } }),
      });
      await response.text();
      if (response.status !== 202) throw new Error(`create answered ${response.status}`);
    },
    async waitCompleted(name) {
      for (;;) {
        const response = await fetch(api(`/certificates/${name}/pending`), { headers });
        const body = (await response.json()) as { status?: string; error?: { code?: string; message?: string } };
        if (body.status === 'completed') return;
        if (body.status !== 'inProgress') throw new Error(`${name} ended ${body.status}: ${body.error?.code} ${body.error?.message}`);
        await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
      }
    },
  };
}

async function createThroughputRsa(bench: Bench): Promise<void> {
  console.log('1. Create throughput, Self RSA-2048, POST …/create to completed');
  const keygenCpuBefore = process.cpuUsage();
  const keygen = await rateOf(n(64), cpus().length * 2, async () => {
    await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  });
  const keygenCpu = process.cpuUsage(keygenCpuBefore);
  report({ figure: 'raw RSA-2048 key generation (Node crypto, all cores)', value: keygen.perSecond, unit: 'keys/s' });
  report({ figure: '  CPU per key generated', value: (keygenCpu.user + keygenCpu.system) / 1000 / keygen.count, unit: 'ms' });
  for (const concurrency of [1, 4, 16]) {
    const hostCpuBefore = cpuMicrosOf(bench.host.pid);
    const rate = await rateOf(n(concurrency === 1 ? 20 : 40), concurrency, async () => {
      const name = bench.newName(`rsa${concurrency}`);
      await bench.create(name, { kty: 'RSA', key_size: 2048 });
      await bench.waitCompleted(name);
    });
    const hostCpuMs = (cpuMicrosOf(bench.host.pid) - hostCpuBefore) / 1000 / rate.count;
    report({
      figure: `create RSA-2048, concurrency ${concurrency}`,
      value: rate.perSecond,
      unit: 'certs/s',
      baseline: keygen.perSecond,
      baselineUnit: 'keys/s',
      ratio: rate.perSecond / keygen.perSecond,
      target: '≥ 0.8',
    });
    // What a create costs the host beyond its key: the key's own CPU is the line above the loop.
    report({ figure: '  host CPU per create (key included)', value: hostCpuMs, unit: 'ms' });
  }
}

async function createThroughputEc(bench: Bench): Promise<void> {
  console.log('2. Create throughput, Self EC P-256, against raw Table Storage writes');
  const scratch = TableClient.fromConnectionString(bench.host.connectionString, 'BenchScratch', { allowInsecureConnection: true });
  await scratch.createTable();
  const payload = 'x'.repeat(4096);
  const writes = await rateOf(n(400), 16, async (i) => {
    await scratch.createEntity({ partitionKey: `p${i}`, rowKey: 'r', data: payload });
  });
  report({ figure: 'raw Azurite entity writes (concurrency 16, 4 KiB)', value: writes.perSecond, unit: 'writes/s' });
  for (const concurrency of [1, 16]) {
    const hostCpuBefore = cpuMicrosOf(bench.host.pid);
    const rate = await rateOf(n(concurrency === 1 ? 30 : 100), concurrency, async () => {
      const name = bench.newName(`ec${concurrency}`);
      await bench.create(name, { kty: 'EC', crv: 'P-256' });
      await bench.waitCompleted(name);
    });
    const hostCpuMs = (cpuMicrosOf(bench.host.pid) - hostCpuBefore) / 1000 / rate.count;
    report({
      figure: `create EC P-256, concurrency ${concurrency}`,
      value: rate.perSecond,
      unit: 'certs/s',
      baseline: writes.perSecond,
      baselineUnit: 'writes/s',
      ratio: rate.perSecond / writes.perSecond,
    });
    report({ figure: '  host CPU per create', value: hostCpuMs, unit: 'ms' });
  }
}

/**
 * The request the service's table client sends for a point read, signed once: a SharedKeyLite signature
 * covers only the date and the resource, so the load generator can repeat it for the few seconds it runs.
 */
function signedPointRead(tableEndpoint: string, table: string, partitionKey: string, rowKey: string): { url: string; headers: Record<string, string> } {
  const url = new URL(`${tableEndpoint}/${table}(PartitionKey='${partitionKey}',RowKey='${rowKey}')`);
  const date = new Date().toUTCString();
  // The canonical resource is the account, then the URL's path (which, on the emulator, names it again).
  const signature = createHmac('sha256', Buffer.from(AZURITE_ACCOUNT_KEY, 'base64'))
    .update(`${date}\n/${AZURITE_ACCOUNT}${url.pathname}`)
    .digest('base64');
  return {
    url: url.toString(),
    headers: {
      Accept: 'application/json;odata=nometadata',
      'x-ms-version': '2019-02-02',
      'x-ms-date': date,
      Authorization: `SharedKeyLite ${AZURITE_ACCOUNT}:${signature}`,
    },
  };
}

/** Waits until the issuer queue is empty, so jobs left by the create runs do not share the cores with reads. */
async function settle(bench: Bench): Promise<void> {
  const queue = QueueServiceClient.fromConnectionString(bench.host.connectionString).getQueueClient(QUEUES.issuerJobs);
  const deadline = performance.now() + 60_000;
  while ((await queue.getProperties()).approximateMessagesCount !== 0) {
    if (performance.now() > deadline) throw new Error('the issuer queue did not drain within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function readThroughput(bench: Bench): Promise<void> {
  console.log('3. Read throughput at concurrency 32 (autocannon), against raw point reads from Azurite');
  await settle(bench);
  const readName = bench.newName('read');
  await bench.create(readName, { kty: 'EC', crv: 'P-256' });
  await bench.waitCompleted(readName);
  // The baseline: the same load generator reading the operation's entity straight from Azurite. The three
  // loads take turns in short rounds, so a drift in the machine's speed falls on all of them alike.
  const pointRead = signedPointRead(bench.host.tableEndpoint, TABLES.certificates, readName.toLowerCase(), 'pending');
  const auth = { Authorization: `Bearer ${bench.host.token}` };
  const loads = [
    { figure: 'raw Azurite point reads', url: pointRead.url, headers: pointRead.headers, rates: [] as Rate[], hostCpuMicros: 0 },
    { figure: 'GET …/pending', url: bench.api(`/certificates/${readName}/pending`), headers: auth, rates: [] as Rate[], hostCpuMicros: 0 },
    { figure: 'GET /certificates/{name}/', url: bench.api(`/certificates/${readName}/`), headers: auth, rates: [] as Rate[], hostCpuMicros: 0 },
  ];
  for (let round = 0; round < READ_ROUNDS; round++) {
    for (const load of loads) {
      const cpuBefore = cpuMicrosOf(bench.host.pid);
      const rate = await httpLoad(load.url, load.headers, 2 * scale);
      load.rates.push(rate);
      load.hostCpuMicros += cpuMicrosOf(bench.host.pid) - cpuBefore;
    }
  }
  const [raw, ...service] = loads.map((load) => ({ ...load, perSecond: combined(load.rates) }));
  report({ figure: raw!.figure, value: raw!.perSecond, unit: 'reads/s' });
  for (const load of service) {
    report({ figure: load.figure, value: load.perSecond, unit: 'req/s', baseline: raw!.perSecond, baselineUnit: 'reads/s', ratio: load.perSecond / raw!.perSecond, target: '≥ 0.6' });
    // The host's own CPU per request: steadier than a rate on a shared machine, and what tuning moves.
    const requests = load.rates.reduce((sum, rate) => sum + rate.count, 0);
    report({ figure: `  host CPU per ${load.figure}`, value: load.hostCpuMicros / requests, unit: 'µs' });
  }
}

async function latency(bench: Bench, acme: BenchPebble | { skipped: string }): Promise<void> {
  console.log('4. Latency from the 202 to completed (Self, RSA-2048, concurrency 4; then PrivateCA and ACME against Self, EC P-256)');
  const latencies: number[] = [];
  await rateOf(n(200), 4, async () => {
    const name = bench.newName('lat');
    await bench.create(name, { kty: 'RSA', key_size: 2048 });
    const accepted = performance.now();
    await bench.waitCompleted(name);
    latencies.push(performance.now() - accepted);
  });
  latencies.sort((a, b) => a - b);
  report({ figure: `median over ${latencies.length}`, value: percentile(latencies, 50), unit: 'ms' });
  report({ figure: 'p95', value: percentile(latencies, 95), unit: 'ms' });
  report({ figure: 'p99', value: percentile(latencies, 99), unit: 'ms' });

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
  report({ figure: "SDK creates already completed at the poller's first poll", value: (100 * firstPollDone) / sdkCreates, unit: '%' });
  await issuerLatency(bench, acme);
}

/** One authorised JSON request to the bench host; throws unless it answers `expected`. */
async function send(bench: Bench, method: string, path: string, body: unknown, expected: number): Promise<void> {
  const response = await fetch(bench.api(path), {
    method,
    headers: { Authorization: `Bearer ${bench.host.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expected) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
}

/**
 * EC P-256 leaves, 202 to completed, one at a time, from three issuers taking turns (so a drift in the shared
 * machine's speed falls on all alike): `Self` as the baseline; a PrivateCA issuer, i.e. what signing by a CA
 * held in the vault adds (loading and opening the CA's key); and an ACME issuer against a local Pebble when it
 * is installed, i.e. what a real ACME exchange and the job's delayed steps add.
 */
async function issuerLatency(bench: Bench, acme: BenchPebble | { skipped: string }): Promise<void> {
  const ec = { kty: 'EC', crv: 'P-256' };
  const root = bench.newName('bench-root');
  await send(bench, 'POST', `/certificates/${root}/create`, {
    policy: { key_props: ec, x509_props: { subject: `CN=${root}`, key_usage: ['keyCertSign', 'cRLSign'], ekus: [] }, issuer: { name: 'Self' } },
  }, 202);
  await bench.waitCompleted(root);
  const privateCaIssuer = bench.newName('bench-ca');
  await send(bench, 'PUT', `/certificates/issuers/${privateCaIssuer}`, { provider: 'PrivateCA', credentials: { account_id: root } }, 200);

  const issueOne = async (prefix: string, issuerName: string, dnsName: boolean): Promise<number> => {
    const name = bench.newName(prefix);
    // Every name under example.com resolves to 127.0.0.1 at challtestsrv, where Pebble's validator looks it up.
    const x509 = dnsName ? { subject: `CN=${name}.example.com`, sans: { dns_names: [`${name}.example.com`] } } : { subject: `CN=${name}.corp.example` };
    await send(bench, 'POST', `/certificates/${name}/create`, { policy: { key_props: ec, x509_props: x509, issuer: { name: issuerName } } }, 202);
    const accepted = performance.now();
    await bench.waitCompleted(name);
    return performance.now() - accepted;
  };

  const kinds = [
    { figure: 'Self', issue: () => issueOne('self-ec', 'Self', false), millis: [] as number[] },
    { figure: 'PrivateCA', issue: () => issueOne('pca-ec', privateCaIssuer, false), millis: [] as number[] },
  ];
  if ('pebble' in acme) {
    const acmeIssuer = bench.newName('bench-acme');
    await send(bench, 'PUT', `/certificates/issuers/${acmeIssuer}`, { provider: 'ACME', credentials: { account_id: acme.pebble.directoryUrl } }, 200);
    const queues = readHostJson(join(repoRoot, 'host.json'), process.env).queues;
    console.log(
      `  ACME: Pebble at ${acme.pebble.directoryUrl} (validation without its random sleep, no authorization reuse); HTTP-01 answered by ` +
        `the bench host's own /.well-known/acme-challenge route on 127.0.0.1:${acme.hostPort}; the job's steps (docs/acme.md): account, ` +
        `order at once, 1 s HTTP-01 settle (fixed), validate, order read after 1, 1, 2, 2, 4 … s; queue polled with back-off up to ` +
        `${queues.maxPollingIntervalMs} ms (host.json maxPollingInterval); the bench reads …/pending every ${WAIT_POLL_MS} ms. ` +
        'One untimed issuance first registers the account.',
    );
    const issueAcme = () => issueOne('acme-ec', acmeIssuer, true);
    await issueAcme();
    kinds.push({ figure: 'ACME (Pebble, HTTP-01)', issue: issueAcme, millis: [] });
  } else {
    console.log(`  ACME against Pebble skipped: ${acme.skipped}`);
  }
  for (let i = 0; i < n(20); i++) {
    for (const kind of kinds) kind.millis.push(await kind.issue());
  }

  const [self, ...others] = kinds.map((kind) => ({ ...kind, millis: [...kind.millis].sort((a, b) => a - b) }));
  if (!self) return;
  const selfMedian = percentile(self.millis, 50);
  const selfP95 = percentile(self.millis, 95);
  report({ figure: `Self EC P-256, 202 to completed, median over ${self.millis.length}`, value: selfMedian, unit: 'ms' });
  report({ figure: '  Self p95', value: selfP95, unit: 'ms' });
  for (const kind of others) {
    const median = percentile(kind.millis, 50);
    const p95 = percentile(kind.millis, 95);
    report({
      figure: `${kind.figure} EC P-256, 202 to completed, median over ${kind.millis.length}`,
      value: median,
      unit: 'ms',
      baseline: selfMedian,
      baselineUnit: 'ms (Self)',
      ratio: median / selfMedian,
    });
    report({ figure: `  ${kind.figure} p95`, value: p95, unit: 'ms', baseline: selfP95, baselineUnit: 'ms (Self p95)', ratio: p95 / selfP95 });
  }
}

function startup(): Promise<void> {
  console.log('5. Start-up');
  const modules = measureModuleLoading();
  report({ figure: 'load a bare @azure/functions app', value: modules.bare, unit: 'ms' });
  report({
    figure: "load this app's function modules",
    value: modules.app,
    unit: 'ms',
    baseline: modules.bare,
    baselineUnit: 'ms (bare)',
    ratio: modules.app / modules.bare,
  });
  return measureFirst202().then((ms) => {
    report({ figure: 'process start to first 202 (compiled host, embedded Azurite)', value: ms, unit: 'ms' });
  });
}

/** `BENCH_SECTIONS=3,5` runs only those sections (all by default), for quicker rounds while tuning. */
function selectedSections(): Set<number> {
  const listed = (process.env.BENCH_SECTIONS ?? '').split(',').map((s) => Number(s.trim())).filter((s) => s >= 1 && s <= 6);
  return new Set(listed.length > 0 ? listed : [1, 2, 3, 4, 5, 6]);
}

async function main(): Promise<void> {
  const sections = selectedSections();
  console.log(`Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${round(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}`);
  // Pebble first when section 4 runs: it must know the host's port (HTTP-01) before the host listens on it.
  const acme = sections.has(4) ? await startBenchPebble() : { skipped: 'section 4 not selected' };
  const pebble = 'pebble' in acme ? acme : undefined;
  const host = await startBenchHost({ statusSweepSchedule: '0 */1 * * * *', port: pebble?.hostPort, settings: pebble?.hostSettings }).catch(async (error: unknown) => {
    await pebble?.pebble.stop();
    throw error;
  });
  try {
    const bench = benchOn(host);
    if (sections.has(1)) await createThroughputRsa(bench);
    if (sections.has(2)) await createThroughputEc(bench);
    if (sections.has(3)) await readThroughput(bench);
    if ([1, 2, 3].some((s) => sections.has(s))) {
      console.log('   Memory');
      report({ figure: 'peak resident memory of the host process during 1–3', value: peakRssOf(host.pid), unit: 'MiB' });
    }
    if (sections.has(4)) await latency(bench, acme);
    if (sections.has(6)) {
      console.log('6. Input limits: oversized fields refused before work; bodies without a token never held');
      const existing = bench.newName('limits-read');
      await bench.create(existing, { kty: 'EC', crv: 'P-256' });
      await bench.waitCompleted(existing);
      for (const figure of await inputLimits({ url: host.url, token: host.token, pid: host.pid, existingCertificate: existing })) report(figure);
    }
  } finally {
    await host.stop();
    await pebble?.pebble.stop();
  }
  if (sections.has(5)) await startup();

  const file = resolve(process.env.BENCH_OUTPUT ?? join(repoRoot, 'bench-results.json'));
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), machine: { cores: cpus().length, node: process.version }, rows }, null, 2));
  console.log(`\nFigures written to ${file}`);
  console.table(rows.map((r) => ({ figure: r.figure, value: round(r.value), unit: r.unit, baseline: r.baseline && round(r.baseline), ratio: r.ratio && round(r.ratio, 3), target: r.target ?? '' })));
}

/** Median of 5 child processes each: require a bare app vs this app's function modules. */
function measureModuleLoading(): { bare: number; app: number } {
  const timeIt = (script: string) => {
    const samples = Array.from({ length: 5 }, () =>
      Number(execFileSync(process.execPath, ['-e', script], { cwd: repoRoot, encoding: 'utf8' }).trim()),
    ).sort((a, b) => a - b);
    return samples[2] as number;
  };
  const prelude = `require('./dist/scripts/local-host/register');const t=process.hrtime.bigint();`;
  const bare = timeIt(
    `${prelude}const {app}=require('@azure/functions');app.http('bare',{route:'bare',authLevel:'anonymous',handler:async()=>({status:200})});console.log(Number(process.hrtime.bigint()-t)/1e6)`,
  );
  const app = timeIt(
    `${prelude}const fs=require('fs');for(const f of fs.readdirSync('dist/functions').filter(f=>f.endsWith('.js')))require('./dist/functions/'+f);console.log(Number(process.hrtime.bigint()-t)/1e6)`,
  );
  return { bare, app };
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
