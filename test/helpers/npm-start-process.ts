import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { azuriteConnectionString } from '../../scripts/local-host/azurite';
import { findFreePort } from '../../scripts/local-host/ports';
import { TABLES } from '../../shared/names';

/**
 * `npm start`'s own entry point (scripts/local-host/main.ts, with its own detached Azurite) as a child process
 * in a process group of its own, on a data folder the test owns (LOCAL_DATA_DIR), so a test can kill it the way
 * a crash does. Runs from the TypeScript sources (transpile-on-require.cjs), not from a dist/ build.
 */
export interface NpmStartProcess {
  readonly url: string;
  readonly pid: number;
  /** Everything the host printed so far. */
  output(): string;
  /** SIGKILL to the host's whole process group: what a crash, the OOM killer or `kill -9 -<pgid>` does. */
  killGroup(): Promise<void>;
  /** SIGTERM (a normal stop), resolved when the host has exited. */
  stop(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '..', '..');
const LISTENING = /Certificate service listening on http:\/\/localhost:(\d+)/;

export async function startNpmStart(dataDir: string, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<NpmStartProcess> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOCAL_DATA_DIR: dataDir, PORT: String(await findFreePort()), HTTPS_PORT: String(await findFreePort()), ...env };
  // Storage from the test run must not leak in: this host brings its own emulator.
  delete childEnv.CertStorage;
  delete childEnv.AzureWebJobsStorage;
  const child: ChildProcess = spawn(process.execPath, ['-r', path.join(__dirname, 'transpile-on-require.cjs'), path.join(ROOT, 'scripts', 'local-host', 'main.ts')], {
    cwd: ROOT,
    env: childEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + timeoutMs;
  let port: string | undefined;
  while (!(port = LISTENING.exec(output)?.[1])) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`npm start exited before listening:\n${output}`);
    if (Date.now() > deadline) {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
      throw new Error(`npm start did not listen within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    output: () => output,
    async killGroup() {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

interface RecordedAzurite {
  pid: number;
  service: string;
  port: number;
}

function recordedAzurite(dataDir: string): RecordedAzurite[] {
  try {
    return JSON.parse(readFileSync(path.join(dataDir, 'azurite-processes.json'), 'utf8')) as RecordedAzurite[];
  } catch {
    return [];
  }
}

/** The Azurite processes `npm start` recorded in the data folder (what a test must clean up if it fails midway). */
export function recordedAzuritePids(dataDir: string): number[] {
  return recordedAzurite(dataDir).map((p) => p.pid);
}

/**
 * The in-progress operations' job state as `npm start`'s Azurite holds it, read past the app (while it is down,
 * say): what a kill left behind, for a test to report. `callUnderWay`: a job had taken the operation (its lease).
 */
export async function inProgressJobStates(dataDir: string): Promise<{ name: string; callUnderWay: boolean }[]> {
  const port = (service: string) => recordedAzurite(dataDir).find((p) => p.service === service)?.port;
  const endpoint = (service: string) => `http://127.0.0.1:${port(service)}/devstoreaccount1`;
  const table = TableClient.fromConnectionString(azuriteConnectionString({ queue: endpoint('queue'), table: endpoint('table') }), TABLES.certificates, {
    allowInsecureConnection: true,
  });
  const states: { name: string; callUnderWay: boolean }[] = [];
  const rows = table.listEntities<{ data: string }>({ queryOptions: { filter: "RowKey eq 'pending' and status eq 'inProgress'" } });
  try {
    for await (const row of rows) {
      const op = JSON.parse(row.data) as { name: string; job?: { callUnderWay?: boolean } };
      states.push({ name: op.name, callUnderWay: op.job?.callUnderWay === true });
    }
  } catch (error) {
    // The app creates its tables on first use: none yet, no operations yet.
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  return states;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
