import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { getLatestCertificate } from '../../shared/services/certificate-reads';
import { createCertificate } from '../../shared/services/create-certificate';
import { runIssuerJob } from '../../shared/services/issuer-job';
import { memoryServiceContext } from '../helpers/service-context';

/**
 * What a new Functions instance loads before its first request: every function module, as the worker loads
 * `main`. Packages that only some requests need (an ACME order, a managed-identity sign-in, certificate
 * parsing and signing, PKCS#12, sending to a queue) must not be among them, since each instance's cold start
 * pays for what it loads (shared/lazy-packages.ts); nor may a read load them. Checked in a plain Node process
 * (jest keeps its own module registry), from the TypeScript sources.
 */
const root = join(__dirname, '..', '..');

/** Loaded on first use only: none of these may be loaded by the function modules, nor by a read. */
const FIRST_USE_ONLY = [
  'acme-client',
  '@azure/identity',
  '@azure/eventgrid',
  '@azure/arm-dns',
  '@azure/storage-queue',
  'reflect-metadata',
  'tsyringe',
  'asn1js',
  'webcrypto-core',
];
const FIRST_USE_SCOPES = ['@peculiar/', '@noble/'];

function firstUseOnly(packages: readonly string[]): string[] {
  return packages.filter((name) => FIRST_USE_ONLY.includes(name) || FIRST_USE_SCOPES.some((scope) => name.startsWith(scope)));
}

/**
 * Certificate records cross to the child as JSON; Dates and Buffers are tagged so they come back as such
 * (both have a toJSON of their own, so the replacer looks at the value before it).
 */
function tagged(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Date) return { $date: raw.toISOString() };
  if (raw instanceof Uint8Array) return { $bytes: Buffer.from(raw).toString('base64') };
  return value;
}

interface Loaded {
  atStart: string[];
  afterGet: string[];
  served: { kind: string; version?: string };
}

/**
 * In one fresh process: load every function module, then serve a GET of `seed`'s certificate as the
 * certificateGet route's handler does (the read, then the wire shape), on memory storage seeded with it.
 */
function packagesLoaded(seed: { version: unknown; head: unknown }): Loaded {
  const script = `
    const packagesNow = () => {
      const loaded = new Set();
      for (const file of Object.keys(require.cache)) {
        const match = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(file);
        if (match) loaded.add(match[1].replace(/\\\\/g, '/'));
      }
      return [...loaded].sort();
    };
    const { listFunctionModules, loadFunctionModules } = require('./scripts/local-host/load-functions.ts');
    loadFunctionModules(listFunctionModules());
    const atStart = packagesNow();

    const seed = JSON.parse(require('fs').readFileSync(0, 'utf8'), (key, value) =>
      value && typeof value === 'object' && '$date' in value ? new Date(value.$date)
      : value && typeof value === 'object' && '$bytes' in value ? Buffer.from(value.$bytes, 'base64')
      : value);
    const { memoryServiceContext } = require('./test/helpers/service-context.ts');
    const { getLatestCertificate } = require('./shared/services/certificate-reads.ts');
    const { certificateViewToWire } = require('./shared/api/wire/certificate-bundle.wire.ts');
    const { recoveryOf } = require('./shared/domain/soft-delete.ts');
    (async () => {
      const { ctx, storage } = memoryServiceContext();
      storage.certificates.seedIssued(seed.version, seed.head);
      const view = await getLatestCertificate(ctx, seed.head.name);
      const wire = certificateViewToWire('https://vault.test', recoveryOf(90), view);
      const served = { kind: view.kind, version: wire.id.split('/').pop() };
      process.stdout.write(JSON.stringify({ atStart, afterGet: packagesNow(), served }));
    })().catch((error) => { console.error(error); process.exit(1); });
  `;
  const out = execFileSync(process.execPath, ['-r', './test/helpers/transpile-on-require.cjs', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    input: JSON.stringify(seed, tagged),
  });
  return JSON.parse(out) as Loaded;
}

/** An issued EC certificate's records, made here (issuing loads the crypto packages, but in this process). */
async function issuedCertificate(): Promise<{ version: unknown; head: unknown; versionId: string }> {
  const setup = memoryServiceContext();
  const body = { policy: { key_props: { kty: 'EC', crv: 'P-256' }, x509_props: { subject: 'CN=cold.example' }, issuer: { name: 'Self' } } };
  await createCertificate(setup.ctx, 'cold-start', body);
  for (const job of await setup.takeJobs()) expect(await runIssuerJob(setup.ctx, job)).toBe('issued');
  const latest = await getLatestCertificate(setup.ctx, 'cold-start');
  if (latest.kind !== 'issued') throw new Error('the certificate was not issued');
  const head = await setup.storage.certificates.getHead('cold-start');
  const version = await setup.storage.certificates.getVersion('cold-start', latest.version.version);
  return { version, head, versionId: latest.version.version };
}

let loaded: Loaded;
let versionId: string;

beforeAll(async () => {
  const issued = await issuedCertificate();
  versionId = issued.versionId;
  loaded = packagesLoaded(issued);
});

it('loading every function module loads the app (storage, the Functions library) and none of the packages loaded on first use', () => {
  expect(loaded.atStart).toEqual(expect.arrayContaining(['@azure/data-tables', '@azure/functions']));
  expect(firstUseOnly(loaded.atStart)).toEqual([]);
});

it('serving a GET of an issued certificate loads none of them either: no certificate parsing, no queue', () => {
  expect(loaded.served).toEqual({ kind: 'issued', version: versionId });
  expect(firstUseOnly(loaded.afterGet)).toEqual([]);
});
