import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canConnect, findFreePort } from './ports';

/**
 * Azurite (the storage emulator) as child processes on free ports: one per service, using Azurite's own
 * per-service entry points, so only what the app uses runs (queues and tables; blob on request). Each test
 * run gets its own, so parallel jest workers never share state or collide on the well-known 10000-10002 ports.
 */

export interface AzuriteOptions {
  /** Keep data in this folder across restarts; without it everything lives in memory. */
  location?: string;
  /** Also start the blob service (the app itself needs only queues and tables). */
  blob?: boolean;
  /** Receives Azurite's output; without it the output is kept only to explain a failed start. */
  log?: (line: string) => void;
  /** How long the services may take to accept connections. */
  startTimeoutMs?: number;
  /**
   * Where to record the running services' pids (with `location`), so that a host that dies without stopping
   * them (kill -9) leaves enough behind for the next start to find them: see stopLeftoverAzurite.
   */
  processFile?: string;
  /**
   * Accounts to serve besides the well-known one, all with its public key. A test run shares one emulator
   * and gives each test file its own account, so the app's fixed table and queue names never collide.
   */
  accounts?: readonly string[];
}

export interface RunningAzurite {
  /** The well-known devstoreaccount1 account with explicit endpoints, usable by every Azure SDK client. */
  readonly connectionString: string;
  readonly queueEndpoint: string;
  readonly tableEndpoint: string;
  readonly blobEndpoint?: string;
  stop(): Promise<void>;
}

/** The emulator's fixed, public development account (documented by Microsoft; not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

type ServiceName = 'queue' | 'table' | 'blob';

interface Service {
  readonly name: ServiceName;
  readonly port: number;
  readonly child: ChildProcess;
  readonly output: string[];
  exited: boolean;
}

const HOST = '127.0.0.1';
const START_ATTEMPTS = 3;
const OUTPUT_LINES_KEPT = 40;
const STOP_GRACE_MS = 5_000;

function azuriteScript(service: ServiceName): string {
  const root = path.dirname(require.resolve('azurite/package.json'));
  return path.join(root, 'dist', 'src', service, 'main.js');
}

function spawnService(name: ServiceName, port: number, options: AzuriteOptions): Service {
  const args = [
    azuriteScript(name),
    `--${name}Host`,
    HOST,
    `--${name}Port`,
    String(port),
    '--skipApiVersionCheck',
    '--loose',
    '--silent',
    '--disableTelemetry',
    ...(options.location ? ['--location', options.location] : ['--inMemoryPersistence']),
  ];
  // In memory Azurite still treats its working directory as its workspace; keep that out of the repo.
  const env = options.accounts
    ? { ...process.env, AZURITE_ACCOUNTS: [AZURITE_ACCOUNT, ...options.accounts].map((a) => `${a}:${AZURITE_ACCOUNT_KEY}`).join(';') }
    : process.env;
  const child = spawn(process.execPath, args, { cwd: options.location ?? tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  const service: Service = { name, port, child, output: [], exited: false };
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split(/\r?\n/)) {
      if (!line.trim()) continue;
      service.output.push(line);
      if (service.output.length > OUTPUT_LINES_KEPT) service.output.shift();
      options.log?.(`[azurite-${name}] ${line}`);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.once('exit', () => {
    service.exited = true;
  });
  return service;
}

async function waitUntilListening(services: readonly Service[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(services);
  while (pending.size > 0) {
    for (const service of [...pending]) {
      if (service.exited) {
        throw new Error(`Azurite ${service.name} exited during startup:\n${service.output.join('\n')}`);
      }
      if (await canConnect(service.port, HOST)) pending.delete(service);
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      const names = [...pending].map((s) => s.name).join(', ');
      throw new Error(`Azurite ${names} did not accept connections within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopService(service: Service): Promise<void> {
  if (service.exited) return;
  const exited = new Promise<void>((resolve) => service.child.once('exit', () => resolve()));
  // SIGTERM lets a persisted Azurite flush its database; SIGKILL if it hangs.
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await findFreePort(HOST));
  return [...ports];
}

/** Endpoints end with the account name (`http://127.0.0.1:port/<account>`), as Azurite serves them. */
export function azuriteConnectionString(endpoints: { queue: string; table: string; blob?: string }, account = AZURITE_ACCOUNT): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${account}`,
    `AccountKey=${AZURITE_ACCOUNT_KEY}`,
    ...(endpoints.blob ? [`BlobEndpoint=${endpoints.blob}`] : []),
    `QueueEndpoint=${endpoints.queue}`,
    `TableEndpoint=${endpoints.table}`,
  ].join(';') + ';';
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const names: ServiceName[] = options.blob ? ['queue', 'table', 'blob'] : ['queue', 'table'];
  if (options.location) mkdirSync(options.location, { recursive: true });

  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const ports = await distinctFreePorts(names.length);
    const services = names.map((name, i) => spawnService(name, ports[i] ?? 0, options));
    // A test runner or Ctrl-C that ends this process must not leave emulators behind.
    const killOnExit = () => {
      for (const service of services) if (!service.exited) service.child.kill('SIGKILL');
    };
    process.on('exit', killOnExit);
    try {
      await waitUntilListening(services, options.startTimeoutMs ?? 30_000);
    } catch (error) {
      lastError = error;
      await Promise.all(services.map(stopService));
      process.off('exit', killOnExit);
      // Another process may have taken a port between our probe and Azurite's listen: try new ports.
      if (services.some((s) => s.output.some((line) => line.includes('EADDRINUSE')))) continue;
      throw error;
    }

    if (options.processFile) {
      const recorded: RecordedProcess[] = services.map((s) => ({ pid: s.child.pid ?? 0, service: s.name, port: s.port }));
      writeFileSync(options.processFile, JSON.stringify(recorded), { mode: 0o600 });
    }
    const endpoint = (name: ServiceName) => {
      const service = services.find((s) => s.name === name);
      return service ? `http://${HOST}:${service.port}/${AZURITE_ACCOUNT}` : undefined;
    };
    const queueEndpoint = endpoint('queue') ?? '';
    const tableEndpoint = endpoint('table') ?? '';
    const blobEndpoint = endpoint('blob');
    let stopping: Promise<void> | undefined;
    return {
      connectionString: azuriteConnectionString({ queue: queueEndpoint, table: tableEndpoint, ...(blobEndpoint ? { blob: blobEndpoint } : {}) }),
      queueEndpoint,
      tableEndpoint,
      ...(blobEndpoint ? { blobEndpoint } : {}),
      stop() {
        stopping ??= Promise.all(services.map(stopService)).then(() => {
          process.off('exit', killOnExit);
          if (options.processFile) rmSync(options.processFile, { force: true });
        });
        return stopping;
      },
    };
  }
  throw lastError instanceof Error ? lastError : new Error('Azurite did not start');
}

interface RecordedProcess {
  pid: number;
  service: string;
  port: number;
}

/** How long a leftover Azurite gets to save its data and exit after SIGTERM. */
const LEFTOVER_STOP_TIMEOUT_MS = 20_000;

/** The process is alive and is an Azurite (pids are reused: never signal a stranger). */
function isAzurite(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('azurite');
  } catch {
    // No /proc (macOS): the pid is alive and was ours; trust the record.
    return true;
  }
}

/**
 * A host killed without a chance to stop its emulators (kill -9, a crash) leaves them running on the data
 * folder. Two emulators on one folder would overwrite each other's files, so the next start stops the old ones
 * first, gracefully: SIGTERM lets Azurite save what it holds in memory. One that does not exit in time is left
 * alone and reported, never killed outright, since that would lose its unsaved writes.
 */
export async function stopLeftoverAzurite(processFile: string, log: (line: string) => void): Promise<void> {
  let recorded: RecordedProcess[];
  try {
    recorded = JSON.parse(readFileSync(processFile, 'utf8')) as RecordedProcess[];
  } catch {
    rmSync(processFile, { force: true });
    return;
  }
  const leftovers = recorded.filter((p) => Number.isInteger(p.pid) && p.pid > 0 && isAzurite(p.pid));
  for (const p of leftovers) {
    log(`Found Azurite ${p.service} (pid ${p.pid}, port ${p.port}) left running by a previous host on this data folder; stopping it gracefully.`);
    process.kill(p.pid, 'SIGTERM');
  }
  const deadline = Date.now() + LEFTOVER_STOP_TIMEOUT_MS;
  for (const p of leftovers) {
    while (isAzurite(p.pid)) {
      if (Date.now() > deadline) {
        throw new Error(
          `Azurite ${p.service} (pid ${p.pid}) from a previous host did not exit within ${LEFTOVER_STOP_TIMEOUT_MS / 1000} s of SIGTERM; stop it yourself (kill ${p.pid}), then start again.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  rmSync(processFile, { force: true });
}
