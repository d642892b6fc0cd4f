import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { TableClient } from '@azure/data-tables';
import { ensureDevTlsCredentials } from '../../scripts/local-host/dev-ca';
import { findFreePort } from '../../scripts/local-host/ports';
import { ensureLocalSigningKey, issueLocalToken } from '../../shared/auth/local-signing-key';
import { LOCAL_DEVELOPER_ROLE } from '../../shared/auth/roles';
import { DEFAULT_AUDIENCE } from '../../shared/config';
import { startAzurite, type RunningAzurite } from './azurite';
import { testHostSettings } from './service-under-test';

/**
 * The local host as a separate process, for tests that kill it: the app as `npm start` serves it (see
 * host-process-main.ts for what differs), against an Azurite this test process owns, so storage outlives the
 * host. A restart keeps everything a real restart keeps: the same ports (clients and Pebble's HTTP-01
 * validator keep their address), app settings, key-encryption key, token signing key, development CA and
 * storage. Startup takes about a second and a half once the sources are transpiled (cached in the temp folder
 * across runs; the first start of a run with changed sources takes a few seconds more).
 *
 *   const host = await startHostProcess({ settings: { ACME_CA_BUNDLE: file } });
 *   await host.kill('SIGKILL');  // no shutdown: in-flight queue messages and runs are lost as in a crash
 *   await host.restart();
 *   await host.restart({ CLOCK_OFFSET_SECONDS: '345600' });  // as an operator changing app settings
 *   ...
 *   await host.stop();
 */

export interface HostProcessOptions {
  /** App settings on top of the defaults below (storage, key-encryption key, local auth, fast timers). */
  settings?: Record<string, string>;
  /** The plain HTTP port; 0 (the default) picks a free one, kept across restarts. */
  port?: number;
  /**
   * Modules (paths) the child requires before the app loads: the test seams an in-process test sets itself,
   * e.g. test/helpers/challtestsrv-dns-preload.ts for a DNS-01 responder in Pebble's DNS.
   */
  preload?: string[];
  /** Receives every line the host logs (both runs); kept for `logs()` in any case. */
  log?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface HostProcess {
  /** Plain HTTP origin, e.g. `http://127.0.0.1:41234`, the same after a restart. */
  readonly url: string;
  /** HTTPS origin (the SDKs' endpoint), the same after a restart. */
  readonly httpsUrl: string;
  /** The development CA's certificate (PEM file) that the HTTPS certificate chains to. */
  readonly caCertFile: string;
  /** What an official JS SDK client needs against `httpsUrl`. */
  readonly sdkOptions: { disableChallengeResourceVerification: true; tlsOptions: { ca: string } };
  readonly azurite: RunningAzurite;
  /** The app settings the host runs with (defaults and `settings`, and what a restart changed). */
  readonly settings: Readonly<Record<string, string>>;
  /** The running process's id; undefined while it is down. */
  readonly pid: number | undefined;
  /** A bearer token the host accepts (AUTH_MODE=local). */
  token(options?: { roles?: string[]; lifetimeSeconds?: number }): Promise<string>;
  credential: TokenCredential;
  table(name: string): TableClient;
  /** Signals the process and waits until it has exited. SIGKILL is a crash: nothing of the app runs after it. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /**
   * Starts the host again (killing it first if it still runs) with the same ports and storage, and the same
   * settings but for `changes` (undefined removes one), kept for later restarts: what an operator does when
   * changing a Function App's settings, which restarts the app. Settings the process reads once at start
   * (e.g. CLOCK_OFFSET_SECONDS) change only this way.
   */
  restart(changes?: Record<string, string | undefined>): Promise<void>;
  /** Everything the host processes logged so far, for a failure message. */
  logs(): string;
  /** Stops the host (SIGTERM) and releases its temp files; the storage of a shared Azurite account stays. */
  stop(): Promise<void>;
}

const ROOT = resolve(__dirname, '..', '..');
const CHILD_ENTRY = join(__dirname, 'host-process-main.ts');
const TRANSPILER = join(__dirname, 'transpile-on-require.cjs');
/** Printed by host-process-main.ts once both servers listen. */
const READY_MARKER = 'HOST_PROCESS_READY ';
const STOP_GRACE_MS = 5_000;

export async function startHostProcess(options: HostProcessOptions = {}): Promise<HostProcess> {
  const azurite = await startAzurite();
  const dataDir = mkdtempSync(join(tmpdir(), 'kv-host-process-'));
  const keyFile = join(dataDir, 'auth-signing-key.json');
  await ensureLocalSigningKey(keyFile);
  const settings: Record<string, string> = { ...testHostSettings(azurite.connectionString, keyFile), ...options.settings };
  const devCaDir = join(dataDir, 'dev-ca');
  // Made here, before the first start, so the CA is known up front; the child finds and keeps the same files.
  const tls = await ensureDevTlsCredentials({ dir: devCaDir, keyEncryptionKey: Buffer.from(settings.KEY_ENCRYPTION_KEY ?? '', 'base64'), log: () => undefined });
  const ports = { port: options.port || (await findFreePort('127.0.0.1')), httpsPort: await findFreePort('127.0.0.1') };
  const lines: string[] = [];
  const record = (line: string) => {
    lines.push(line);
    options.log?.(line);
  };

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const killOnExit = () => child?.kill('SIGKILL');
  process.on('exit', killOnExit);

  async function launch(): Promise<{ url: string; httpsUrl: string }> {
    const started = spawn(process.execPath, ['-r', TRANSPILER, CHILD_ENTRY], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...settings,
        HOST_PROCESS_OPTIONS: JSON.stringify({ ...ports, devCaDir, preload: options.preload ?? [] }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    exited = new Promise((done) => started.once('exit', () => done()));
    void exited.then(() => {
      if (child === started) child = undefined;
    });
    createInterface({ input: started.stderr }).on('line', (line) => record(`[stderr] ${line}`));
    const ready = new Promise<{ url: string; httpsUrl: string }>((resolveReady, reject) => {
      createInterface({ input: started.stdout }).on('line', (line) => {
        if (line.startsWith(READY_MARKER)) resolveReady(JSON.parse(line.slice(READY_MARKER.length)) as { url: string; httpsUrl: string });
        else record(line);
      });
      void exited.then(() => reject(new Error(`The host process exited before it was ready:\n${lines.slice(-40).join('\n')}`)));
      const timer = setTimeout(() => reject(new Error(`The host process was not ready within ${options.startTimeoutMs ?? 30_000} ms:\n${lines.slice(-40).join('\n')}`)), options.startTimeoutMs ?? 30_000);
      void exited.then(() => clearTimeout(timer));
      started.stdout.once('close', () => clearTimeout(timer));
    });
    try {
      const origins = await ready;
      return origins;
    } catch (error) {
      started.kill('SIGKILL');
      await exited;
      throw error;
    }
  }

  async function kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!child) return;
    child.kill(signal);
    await exited;
  }

  let origins: { url: string; httpsUrl: string };
  try {
    origins = await launch();
  } catch (error) {
    process.off('exit', killOnExit);
    rmSync(dataDir, { recursive: true, force: true });
    await azurite.stop();
    throw error;
  }

  const token = (tokenOptions: { roles?: string[]; lifetimeSeconds?: number } = {}) =>
    issueLocalToken(keyFile, { audience: DEFAULT_AUDIENCE, roles: [LOCAL_DEVELOPER_ROLE], ...tokenOptions });
  return {
    url: origins.url,
    httpsUrl: origins.httpsUrl,
    caCertFile: tls.caCertificateFile,
    sdkOptions: { disableChallengeResourceVerification: true, tlsOptions: { ca: readFileSync(tls.caCertificateFile, 'utf8') } },
    azurite,
    settings,
    get pid() {
      return child?.pid;
    },
    token,
    credential: {
      async getToken(): Promise<AccessToken> {
        return { token: await token(), expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    },
    table: (name) => TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true }),
    kill,
    async restart(changes = {}) {
      await kill('SIGKILL');
      for (const [setting, value] of Object.entries(changes)) {
        if (value === undefined) delete settings[setting];
        else settings[setting] = value;
      }
      const again = await launch();
      if (again.url !== origins.url || again.httpsUrl !== origins.httpsUrl) throw new Error(`The restarted host moved from ${origins.url} to ${again.url}`);
    },
    logs: () => lines.join('\n'),
    async stop() {
      if (child) {
        const timer = setTimeout(() => child?.kill('SIGKILL'), STOP_GRACE_MS);
        await kill('SIGTERM');
        clearTimeout(timer);
      }
      process.off('exit', killOnExit);
      await azurite.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
