import { execFileSync, spawn } from 'node:child_process';
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
import { DEFAULT_AUDIENCE } from '../shared/config';
import { TABLES } from '../shared/names';
import { startBenchHost } from './bench-host';
import { percentile, rateFor, rateOf, round, trackPeakRss } from './measure';

/**
 * `npm run bench`: how close one instance of the service runs to what its machine and storage allow. Every
 * figure is a ratio against a baseline measured in the same run, since absolute times drift on shared
 * machines. The client runs in the same process as the host (as a load generator on the same 2 cores would).
 */

const generateKeyPairAsync = promisify(generateKeyPair);
/** The environment before the in-process host merged its settings in: the start-up child gets this one. */
const originalEnv = { ...process.env };
const repoRoot = resolve(__dirname, '..', '..');
const scale = Number(process.env.BENCH_SCALE ?? '1');
const n = (count: number) => Math.max(2, Math.round(count * scale));

interface Row {
  figure: string;
  value: number;
  unit: string;
  baseline?: number;
  baselineUnit?: string;
  ratio?: number;
  target?: string;
}

const rows: Row[] = [];
function report(row: Row): void {
  rows.push(row);
  const ratio = row.ratio !== undefined ? ` ratio ${round(row.ratio, 3)}` : '';
  const baseline = row.baseline !== undefined ? ` vs ${round(row.baseline)} ${row.baselineUnit ?? ''}` : '';
  console.log(`  ${row.figure}: ${round(row.value)} ${row.unit}${baseline}${ratio}${row.target ? ` (target ${row.target})` : ''}`);
}

async function main(): Promise<void> {
  const host = await startBenchHost('0 */1 * * * *');
  const azurite = { connectionString: host.connectionString };
  const { token } = host;
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const api = (path: string) => `${host.url}${path}${path.includes('?') ? '&' : '?'}api-version=7.5`;
  let counter = 0;
  const newName = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

  async function create(name: string, keyProps: Record<string, unknown>): Promise<void> {
    const response = await fetch(api(`/certificates/${name}/create`), {
      method: 'POST',
      headers,
      body: JSON.stringify({ policy: { key_props: keyProps, x509_props: { subject: `CN=${name}` }, issuer: { name: 'Self' } } }),
    });
    await response.text();
    if (response.status !== 202) throw new Error(`create answered ${response.status}`);
  }

  async function waitCompleted(name: string): Promise<void> {
    for (;;) {
      const response = await fetch(api(`/certificates/${name}/pending`), { headers });
      const body = (await response.json()) as { status?: string };
      if (body.status === 'completed') return;
      if (body.status !== 'inProgress') throw new Error(`${name} ended ${body.status}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const memory = trackPeakRss();
  console.log(`Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${round(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}`);

  console.log('1. Create throughput, Self RSA-2048, POST …/create to completed');
  const keygen = await rateOf(n(40), cpus().length * 2, async () => {
    await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  });
  report({ figure: 'raw RSA-2048 key generation (Node crypto, all cores)', value: keygen.perSecond, unit: 'keys/s' });
  for (const concurrency of [1, 4, 16]) {
    const rate = await rateOf(n(concurrency === 1 ? 20 : 40), concurrency, async () => {
      const name = newName(`rsa${concurrency}`);
      await create(name, { kty: 'RSA', key_size: 2048 });
      await waitCompleted(name);
    });
    report({
      figure: `create RSA-2048, concurrency ${concurrency}`,
      value: rate.perSecond,
      unit: 'certs/s',
      baseline: keygen.perSecond,
      baselineUnit: 'keys/s',
      ratio: rate.perSecond / keygen.perSecond,
      target: '≥ 0.8',
    });
  }

  console.log('2. Create throughput, Self EC P-256, against raw Table Storage writes');
  const scratch = TableClient.fromConnectionString(azurite.connectionString, 'BenchScratch', { allowInsecureConnection: true });
  await scratch.createTable();
  const payload = 'x'.repeat(4096);
  const writes = await rateOf(n(400), 16, async (i) => {
    await scratch.createEntity({ partitionKey: `p${i}`, rowKey: 'r', data: payload });
  });
  report({ figure: 'raw Azurite entity writes (concurrency 16, 4 KiB)', value: writes.perSecond, unit: 'writes/s' });
  for (const concurrency of [1, 16]) {
    const rate = await rateOf(n(concurrency === 1 ? 30 : 100), concurrency, async () => {
      const name = newName(`ec${concurrency}`);
      await create(name, { kty: 'EC', crv: 'P-256' });
      await waitCompleted(name);
    });
    report({
      figure: `create EC P-256, concurrency ${concurrency}`,
      value: rate.perSecond,
      unit: 'certs/s',
      baseline: writes.perSecond,
      baselineUnit: 'writes/s',
      ratio: rate.perSecond / writes.perSecond,
    });
  }

  console.log('3. Read throughput at concurrency 32');
  const readName = newName('read');
  await create(readName, { kty: 'EC', crv: 'P-256' });
  await waitCompleted(readName);
  const table = TableClient.fromConnectionString(azurite.connectionString, TABLES.certificates, { allowInsecureConnection: true });
  const partition = readName.toLowerCase();
  const rawPending = await rateFor(4 * scale, 32, async () => {
    await table.getEntity(partition, 'pending');
  });
  const readPending = await rateFor(4 * scale, 32, async () => {
    await (await fetch(api(`/certificates/${readName}/pending`), { headers })).text();
  });
  report({
    figure: 'GET …/pending',
    value: readPending.perSecond,
    unit: 'req/s',
    baseline: rawPending.perSecond,
    baselineUnit: 'point reads/s',
    ratio: readPending.perSecond / rawPending.perSecond,
    target: '≥ 0.6',
  });
  // GET /certificates/{name}/ reads the operation, the head and the version: three point reads.
  const rawCertificate = await rateFor(4 * scale, 32, async () => {
    await Promise.all([table.getEntity(partition, 'pending'), table.getEntity(partition, 'head')]);
  });
  const readCertificate = await rateFor(4 * scale, 32, async () => {
    await (await fetch(api(`/certificates/${readName}/`), { headers })).text();
  });
  report({
    figure: 'GET /certificates/{name}/',
    value: readCertificate.perSecond,
    unit: 'req/s',
    baseline: rawPending.perSecond,
    baselineUnit: 'point reads/s',
    ratio: readCertificate.perSecond / rawPending.perSecond,
    target: '≥ 0.6',
  });
  report({ figure: '(for scale) pending + head read in parallel', value: rawCertificate.perSecond, unit: 'pairs/s' });

  const peakRss = memory.stop();
  report({ figure: 'peak resident memory of host + client during 1–3', value: peakRss, unit: 'MiB' });

  console.log('4. Latency from the 202 to completed (Self, RSA-2048, concurrency 4)');
  const latencies: number[] = [];
  await rateOf(n(200), 4, async () => {
    const name = newName('lat');
    await create(name, { kty: 'RSA', key_size: 2048 });
    const accepted = performance.now();
    await waitCompleted(name);
    latencies.push(performance.now() - accepted);
  });
  latencies.sort((a, b) => a - b);
  report({ figure: `median over ${latencies.length}`, value: percentile(latencies, 50), unit: 'ms' });
  report({ figure: 'p95', value: percentile(latencies, 95), unit: 'ms' });
  report({ figure: 'p99', value: percentile(latencies, 99), unit: 'ms' });

  const credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
  const client = new CertificateClient(host.url, credential, { allowInsecureConnection: true, disableChallengeResourceVerification: true });
  let firstPollDone = 0;
  const sdkCreates = n(20);
  for (let i = 0; i < sdkCreates; i++) {
    const poller = await client.beginCreateCertificate(newName('sdk'), { issuerName: 'Self', subject: 'CN=sdk' });
    if (poller.isDone()) firstPollDone += 1;
    await poller.pollUntilDone();
  }
  report({ figure: "SDK creates already completed at the poller's first poll", value: (100 * firstPollDone) / sdkCreates, unit: '%' });

  await host.stop();

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
  const startup = await measureFirst202();
  report({ figure: 'process start to first 202 (compiled host, embedded Azurite)', value: startup, unit: 'ms' });

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
  const token = await issueLocalToken(keyFile, { audience: DEFAULT_AUDIENCE });
  const env = {
    ...originalEnv,
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
