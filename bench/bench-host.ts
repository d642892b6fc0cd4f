import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startAzurite } from '../scripts/local-host/azurite';
import { ensureLocalSigningKey, issueLocalToken } from '../shared/auth/local-signing-key';
import { LOCAL_DEVELOPER_ROLE } from '../shared/auth/roles';
import { DEFAULT_AUDIENCE } from '../shared/config';
import type { StorageCounts } from './storage-count';

/**
 * The compiled app on the local host in a child process, with its own in-memory Azurite (children of this
 * process) and signing key. The benchmark process is only the client, as a load generator would be.
 */
export interface BenchHost {
  url: string;
  connectionString: string;
  tableEndpoint: string;
  token: string;
  /** The host process, to read its memory from /proc. */
  pid: number;
  /** The storage requests the host process has sent so far, by kind (see storage-count.ts). */
  storageCounts(): Promise<StorageCounts>;
  stop(): Promise<void>;
}

export interface BenchHostOptions {
  /** The status sweep's schedule; absent, the timers stay quiet (yearly) so counts and CPU are the requests' own. */
  statusSweepSchedule?: string;
  /** Node options for the host process, e.g. `--cpu-prof`. */
  execArgv?: string[];
  /** The HTTP port on 127.0.0.1; a free one when absent. */
  port?: number;
  /** More app settings, e.g. ACME_CA_BUNDLE for a local ACME server. */
  settings?: Record<string, string>;
}

const STOP_GRACE_MS = 10_000;
/** A schedule that never fires during a bench: once a year. */
const QUIET_SCHEDULE = '0 0 0 1 1 *';
/** USER_HZ, which Linux fixes at 100 for /proc on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

export async function startBenchHost(options: BenchHostOptions): Promise<BenchHost> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kv-bench-'));
  const keyFile = join(dataDir, 'auth-signing-key.json');
  await ensureLocalSigningKey(keyFile);
  const azurite = await startAzurite();
  const child = spawn(process.execPath, [...(options.execArgv ?? []), join(__dirname, 'host-process.js'), String(options.port ?? 0)], {
    env: {
      ...process.env,
      CertStorage: azurite.connectionString,
      AzureWebJobsStorage: azurite.connectionString,
      KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      AUTH_MODE: 'local',
      AUTH_LOCAL_KEY_FILE: keyFile,
      STATUS_SWEEP_SCHEDULE: options.statusSweepSchedule ?? QUIET_SCHEDULE,
      PURGE_SCHEDULE: QUIET_SCHEDULE,
      LIFETIME_SCHEDULE: QUIET_SCHEDULE,
      BENCH_STORAGE_ENDPOINTS: JSON.stringify({ table: azurite.tableEndpoint, queue: azurite.queueEndpoint }),
      ...options.settings,
    },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanUp = async () => {
    await azurite.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };

  const { stdout } = child;
  if (!stdout) throw new Error('the benchmark host has no stdout');
  const firstLine = await new Promise<string | undefined>((resolve) => {
    const lines = createInterface({ input: stdout });
    lines.once('line', (line) => resolve(line));
    void exited.then(() => resolve(undefined));
  });
  if (firstLine === undefined || child.pid === undefined) {
    await cleanUp();
    throw new Error(`the benchmark host exited before it listened (exit code ${child.exitCode})`);
  }
  const { url } = JSON.parse(firstLine) as { url: string };
  const pid = child.pid;

  return {
    url,
    connectionString: azurite.connectionString,
    tableEndpoint: azurite.tableEndpoint,
    token: await issueLocalToken(keyFile, { audience: DEFAULT_AUDIENCE, roles: [LOCAL_DEVELOPER_ROLE] }),
    pid,
    storageCounts: () =>
      new Promise<StorageCounts>((resolve, reject) => {
        const onMessage = (message: unknown) => {
          if (typeof message !== 'object' || message === null || !('storageCounts' in message)) return;
          child.off('message', onMessage);
          resolve((message as { storageCounts: StorageCounts }).storageCounts);
        };
        child.on('message', onMessage);
        if (!child.send('storageCounts')) reject(new Error('the bench host took no storage-count request'));
      }),
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
      await cleanUp();
    },
  };
}

/**
 * CPU time a live process has used so far, in microseconds, from /proc (Linux): the sum of its threads' time
 * on a CPU (`/proc/<pid>/task/<tid>/schedstat`, in nanoseconds), so that a load of a few requests is not lost
 * in /proc/<pid>/stat's 10 ms ticks. Node's threads (main, libuv pool, V8 workers) live as long as the
 * process, so no thread's time leaves the sum. Without schedstat, the ticks of utime + stime.
 */
export function cpuMicrosOf(pid: number): number {
  try {
    let nanos = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        nanos += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return nanos / 1000;
  } catch {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in ticks.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
  }
}

/** The peak resident memory of a live process, in MiB (Linux's VmHWM). */
export function peakRssOf(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmHWM for process ${pid}`);
  return Number(match[1]) / 1024;
}
