import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
   * Run the services in their own process group, writing their output to `azurite-<service>.log` in `location`,
   * so that they outlive a host that is killed (SIGKILL, the OOM killer, a killed process group): Azurite keeps
   * what it acknowledged in memory and saves it every 5 s and when it stops, so it must not die with the host.
   * `stop()` still stops them gracefully; a host that died leaves them for reattachAzurite. Needs `location`.
   */
  detached?: boolean;
  /** Listen on these ports instead of free ones (a test that restarts its emulator on the same endpoints). */
  ports?: { queue: number; table: number; blob?: number };
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
  /** The emulator's processes (absent for an account on a shared emulator, which is not this file's to stop). */
  readonly pids?: readonly number[];
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
  /** The last lines Azurite printed (for a detached one, read from its log file when asked). */
  output(): string[];
  exited: boolean;
}

const HOST = '127.0.0.1';
const START_ATTEMPTS = 3;
const OUTPUT_LINES_KEPT = 40;
const STOP_GRACE_MS = 5_000;
/**
 * What Azurite 3.35's per-service entry points (dist/src/{queue,table}/main.js) stop cleanly on, saving their
 * LokiJS database: both handle SIGINT; only the queue service handles SIGTERM.
 */
const GRACEFUL_STOP_SIGNAL = 'SIGINT';

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
  const cwd = options.location ?? tmpdir();
  if (options.detached && options.location) return spawnDetached(name, port, args, { cwd, env, location: options.location });
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const service: Service = { name, port, child, output: () => output, exited: false };
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split(/\r?\n/)) {
      if (!line.trim()) continue;
      output.push(line);
      if (output.length > OUTPUT_LINES_KEPT) output.shift();
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

/**
 * Its own process group (a signal to the host's group does not reach it) and no pipe to the host (a pipe
 * whose reader died would fail Azurite's next write): output goes to a file in the data folder.
 */
function spawnDetached(name: ServiceName, port: number, args: string[], where: { cwd: string; env: NodeJS.ProcessEnv; location: string }): Service {
  const logFile = path.join(where.location, `azurite-${name}.log`);
  const fd = openSync(logFile, 'a', 0o600);
  const child = spawn(process.execPath, args, { cwd: where.cwd, env: where.env, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  // The host may exit without waiting for it.
  child.unref();
  const output = () => {
    try {
      return readFileSync(logFile, 'utf8').split(/\r?\n/).filter((line) => line.trim()).slice(-OUTPUT_LINES_KEPT);
    } catch {
      return [];
    }
  };
  const service: Service = { name, port, child, output, exited: false };
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
        throw new Error(`Azurite ${service.name} exited during startup:\n${service.output().join('\n')}`);
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
  // SIGINT lets a persisted Azurite save its database (the table service has no SIGTERM handler: SIGTERM kills it
  // unsaved); SIGKILL if it hangs.
  service.child.kill(GRACEFUL_STOP_SIGNAL);
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
    const fixed = options.ports;
    const ports = fixed ? names.map((name) => fixed[name] ?? 0) : await distinctFreePorts(names.length);
    const services = names.map((name, i) => spawnService(name, ports[i] ?? 0, options));
    // A test runner or Ctrl-C that ends this process must not leave emulators behind (a detached one must outlive it).
    const killOnExit = () => {
      if (options.detached) return;
      for (const service of services) if (!service.exited) service.child.kill('SIGKILL');
    };
    process.on('exit', killOnExit);
    // Recorded before they listen: a host killed during the wait leaves them where the next start finds them.
    if (options.processFile) recordProcesses(options.processFile, services, options.location);
    try {
      await waitUntilListening(services, options.startTimeoutMs ?? 30_000);
    } catch (error) {
      lastError = error;
      await Promise.all(services.map(stopService));
      process.off('exit', killOnExit);
      // Another process may have taken a port between our probe and Azurite's listen: try new ports.
      if (!options.ports && services.some((s) => s.output().some((line) => line.includes('EADDRINUSE')))) continue;
      throw error;
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
      pids: services.map((s) => s.child.pid ?? 0),
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

function recordProcesses(processFile: string, services: readonly Service[], location: string | undefined): void {
  const recorded: RecordedProcess[] = services.map((s) => ({
    pid: s.child.pid ?? 0,
    service: s.name,
    port: s.port,
    ...(location ? { location: path.resolve(location) } : {}),
  }));
  writeFileSync(processFile, JSON.stringify(recorded), { mode: 0o600 });
}

interface RecordedProcess {
  pid: number;
  service: string;
  port: number;
  /** The data folder it serves (absolute). */
  location?: string;
}

/** How long a leftover Azurite gets to save its data and exit after SIGINT. */
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

function readRecord(processFile: string): RecordedProcess[] {
  try {
    const parsed: unknown = JSON.parse(readFileSync(processFile, 'utf8'));
    return Array.isArray(parsed) ? (parsed as RecordedProcess[]) : [];
  } catch {
    return [];
  }
}

/** The arguments a process was started with, from /proc; undefined where there is none (macOS). */
function argumentsOf(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
}

/** It is the recorded Azurite service on this data folder and port, and it accepts connections. */
async function servesHere(p: RecordedProcess, location: string): Promise<boolean> {
  if (!Number.isInteger(p.pid) || p.pid <= 0 || !isAzurite(p.pid) || p.location !== location) return false;
  const args = argumentsOf(p.pid);
  if (args) {
    const valueOf = (flag: string) => args[args.indexOf(flag) + 1];
    if (!args.includes(flag(p.service, 'Port')) || valueOf(flag(p.service, 'Port')) !== String(p.port)) return false;
    if (valueOf('--location') !== location) return false;
  }
  return canConnect(p.port, HOST);
}

function flag(service: string, suffix: string): string {
  return `--${service}${suffix}`;
}

/** SIGINT (Azurite saves its database), then waits for each to exit; never SIGKILL, which would lose writes. */
async function stopGracefully(processes: readonly RecordedProcess[], timeoutMs: number): Promise<void> {
  for (const p of processes) process.kill(p.pid, GRACEFUL_STOP_SIGNAL);
  const deadline = Date.now() + timeoutMs;
  for (const p of processes) {
    while (isAzurite(p.pid)) {
      if (Date.now() > deadline) {
        throw new Error(
          `Azurite ${p.service} (pid ${p.pid}) did not exit within ${timeoutMs / 1000} s of ${GRACEFUL_STOP_SIGNAL}; it is left running (the next start reattaches to it, or stop it yourself: kill ${p.pid}).`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * The emulators a host that died (SIGKILL, OOM) left running on this data folder, taken over as they are:
 * nothing they acknowledged is lost, and nothing restarts. Only when every service the app needs is the
 * recorded one (same data folder, same port, still an Azurite, accepting connections); otherwise undefined,
 * and stopLeftoverAzurite stops whatever is left before a fresh start.
 */
export async function reattachAzurite(options: { processFile: string; location: string }): Promise<RunningAzurite | undefined> {
  const location = path.resolve(options.location);
  const recorded = readRecord(options.processFile);
  const queue = recorded.find((p) => p.service === 'queue');
  const table = recorded.find((p) => p.service === 'table');
  if (!queue || !table || !(await servesHere(queue, location)) || !(await servesHere(table, location))) return undefined;
  const others = recorded.filter((p) => p !== queue && p !== table);
  if (!(await Promise.all(others.map((p) => servesHere(p, location)))).every(Boolean)) return undefined;

  const endpoint = (p: RecordedProcess) => `http://${HOST}:${p.port}/${AZURITE_ACCOUNT}`;
  const blob = recorded.find((p) => p.service === 'blob');
  let stopping: Promise<void> | undefined;
  return {
    connectionString: azuriteConnectionString({ queue: endpoint(queue), table: endpoint(table), ...(blob ? { blob: endpoint(blob) } : {}) }),
    queueEndpoint: endpoint(queue),
    tableEndpoint: endpoint(table),
    ...(blob ? { blobEndpoint: endpoint(blob) } : {}),
    pids: recorded.map((p) => p.pid),
    stop() {
      stopping ??= stopGracefully(recorded, LEFTOVER_STOP_TIMEOUT_MS).then(() => rmSync(options.processFile, { force: true }));
      return stopping;
    },
  };
}

/**
 * A host killed without a chance to stop its emulators (kill -9, a crash) leaves them running on the data
 * folder. Two emulators on one folder would overwrite each other's files, so the next start stops the old ones
 * first, gracefully: SIGINT lets Azurite save what it holds in memory. One that does not exit in time is left
 * alone and reported, never killed outright, since that would lose its unsaved writes.
 */
export async function stopLeftoverAzurite(processFile: string, log: (line: string) => void): Promise<void> {
  const leftovers = readRecord(processFile).filter((p) => Number.isInteger(p.pid) && p.pid > 0 && isAzurite(p.pid));
  for (const p of leftovers) {
    log(`Found Azurite ${p.service} (pid ${p.pid}, port ${p.port}) left running by a previous host on this data folder; stopping it gracefully.`);
  }
  await stopGracefully(leftovers, LEFTOVER_STOP_TIMEOUT_MS);
  rmSync(processFile, { force: true });
}
