// First import: `@azure/functions` must find our `@azure/functions-core` before any function module loads.
import './register';

import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ensureLocalSigningKey } from '../../shared/auth/local-signing-key';
import { ConfigError, parseConfig, SETTINGS } from '../../shared/config';
import { STORAGE_CONNECTION } from '../../shared/names';
import { reattachAzurite, startAzurite, stopLeftoverAzurite, type RunningAzurite } from './azurite';
import { devCaFiles, ensureDevTlsCredentials } from './dev-ca';
import { findHostJson, startLocalHost, type LocalHost } from './host';
import { PortInUseError } from './http-server';
import { acquireInstanceLock, InstanceLockError } from './instance-lock';
import { describeError } from './invoke';
import { ensureKeyEncryptionKey } from './key-encryption-key';
import { applyLocalSettings } from './local-settings';
import { isPortFree } from './ports';

/**
 * `npm start`: the app on this machine, without Functions Core Tools. Local state lives in `.local/`
 * (Azurite's data, the key-encryption key, the local token signing key), so restarts keep certificates;
 * LOCAL_DATA_DIR puts it elsewhere. Every setting can be overridden from the environment or
 * local.settings.json; defaults fill the rest.
 *
 * Azurite runs as processes of its own (own process group), so a host that is killed (kill -9, OOM) does not
 * take with it the writes Azurite acknowledged but has not saved yet (it saves every 5 s and when stopped).
 * A normal stop (Ctrl-C, SIGTERM) stops it gracefully; the next start after a crash reattaches to it.
 */

const AZURE_WEBJOBS_STORAGE = 'AzureWebJobsStorage';
/** What `func start` users put in local.settings.json for "the local emulator": ours, on its own ports. */
const DEVELOPMENT_STORAGE = 'UseDevelopmentStorage=true';

function setDefault(name: string, value: string): void {
  if (process.env[name] === undefined || process.env[name] === '') process.env[name] = value;
}

/** Local lines carry a time, as Core Tools prints them. */
function log(line: string): void {
  console.log(`[${new Date().toISOString()}] ${line}`);
}

const LISTEN_HOST = '127.0.0.1';

function portInUse(port: number, setting: string): ConfigError {
  return new ConfigError([`port ${port} is in use; set ${setting} to a free port (for example ${setting}=${port + 1} npm start)`]);
}

/** Busy ports are found before the emulator starts, so the answer is immediate and names the setting. */
async function checkPortsFree(ports: Record<string, number>): Promise<void> {
  for (const [setting, port] of Object.entries(ports)) {
    if (port !== 0 && !(await isPortFree(port, LISTEN_HOST))) throw portInUse(port, setting);
  }
}

/**
 * Every setting checked before anything listens, as the app will read them; storage that the embedded
 * Azurite will provide counts as set. A bad one stops the start with the app's own message naming it.
 */
function validateSettings(emulatorWillProvide: readonly string[]): void {
  const env = { ...process.env };
  for (const name of emulatorWillProvide) env[name] = DEVELOPMENT_STORAGE;
  parseConfig(env);
}

/**
 * A key-encryption key from the environment or local.settings.json that differs from the one `npm start`
 * generated cannot open the certificates already stored in .local/azurite: say so before requests fail.
 */
async function warnOnForeignKeyEncryptionKey(file: string): Promise<void> {
  const configured = process.env[SETTINGS.keyEncryptionKey]?.trim();
  if (!configured || !existsSync(file)) return;
  const generated = (await readFile(file, 'utf8')).trim();
  if (generated !== configured) {
    log(
      `Warning: ${SETTINGS.keyEncryptionKey} is set, and differs from ${path.relative(process.cwd(), file)}: private keys stored ` +
        `under the other key (by an earlier npm start) cannot be read. To keep them, set ${SETTINGS.keyEncryptionKey} to that file's content.`,
    );
  }
}

function needsEmulator(name: string): boolean {
  const value = process.env[name]?.trim();
  return !value || value === DEVELOPMENT_STORAGE;
}

async function main(): Promise<void> {
  const root = path.dirname(findHostJson());
  // Relative settings (AUTH_LOCAL_KEY_FILE) mean the same file for the host, `npm run token` and the user, as
  // in Azure, where the app runs from its root.
  process.chdir(root);
  const localDir = localDataDir(root);
  mkdirSync(localDir, { recursive: true, mode: 0o700 });
  acquireInstanceLock(path.join(localDir, 'host.lock'));

  const fromFile = applyLocalSettings(path.join(root, 'local.settings.json'), process.env);
  if (fromFile.length > 0) log(`Loaded ${fromFile.length} setting(s) from local.settings.json`);

  const keyFile = path.join(localDir, 'key-encryption-key');
  await warnOnForeignKeyEncryptionKey(keyFile);
  if (!process.env[SETTINGS.keyEncryptionKey]) process.env[SETTINGS.keyEncryptionKey] = await ensureKeyEncryptionKey(keyFile);
  setDefault(SETTINGS.authMode, 'local');
  setDefault(SETTINGS.authLocalKeyFile, path.relative(root, path.join(localDir, 'auth-signing-key.json')));
  setDefault(SETTINGS.statusSweepSchedule, '0 */1 * * * *');
  setDefault(SETTINGS.purgeSchedule, '0 */5 * * * *');
  setDefault(SETTINGS.lifetimeSchedule, '0 */10 * * * *');
  const port = portSetting('PORT', 7071);
  const httpsPort = portSetting('HTTPS_PORT', 7443);
  const emulated = [STORAGE_CONNECTION, AZURE_WEBJOBS_STORAGE].filter(needsEmulator);
  validateSettings(emulated);
  if (process.env[SETTINGS.authMode] === 'local') {
    await ensureLocalSigningKey(path.resolve(process.env[SETTINGS.authLocalKeyFile] ?? ''));
  }

  await checkPortsFree({ PORT: port, HTTPS_PORT: httpsPort });

  // Start the emulator only when some storage setting has nowhere else to point.
  let azurite: RunningAzurite | undefined;
  if (emulated.length > 0) {
    azurite = await localAzurite(localDir);
    for (const name of emulated) process.env[name] = azurite.connectionString;
  }

  const devCaDir = path.join(localDir, 'dev-ca');
  const keyEncryptionKey = Buffer.from(process.env[SETTINGS.keyEncryptionKey] ?? '', 'base64');
  let host: LocalHost | undefined;
  try {
    host = await startLocalHost({
      port,
      hostname: LISTEN_HOST,
      log,
      https: { port: httpsPort, credentials: () => ensureDevTlsCredentials({ dir: devCaDir, keyEncryptionKey, log }) },
    });
  } catch (error) {
    await azurite?.stop();
    // Taken between the check above and the listen.
    if (error instanceof PortInUseError) throw portInUse(error.port, error.scheme === 'https' ? 'HTTPS_PORT' : 'PORT');
    throw error;
  }

  const storage = azurite
    ? `Azurite tables :${new URL(azurite.tableEndpoint).port}, queues :${new URL(azurite.queueEndpoint).port}`
    : `storage from ${STORAGE_CONNECTION}`;
  log(`Certificate service listening on http://localhost:${host.port} and https://localhost:${host.httpsPort} (${storage})`);
  log(`HTTPS clients trust the development CA ${devCaFiles(devCaDir).caCertificate} (NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, REQUESTS_CA_BUNDLE)`);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C means "now".
      process.exit(130);
    }
    stopping = true;
    log(`${signal}: stopping...`);
    void (async () => {
      await host?.stop().catch((error: unknown) => console.error(describeError(error)));
      await azurite?.stop().catch((error: unknown) => console.error(describeError(error)));
      process.exit(0);
    })();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** `.local` in the repository, or LOCAL_DATA_DIR (relative to the repository root), for tests or state kept apart. */
function localDataDir(root: string): string {
  const configured = process.env.LOCAL_DATA_DIR?.trim();
  return configured ? path.resolve(root, configured) : path.join(root, '.local');
}

/**
 * The emulator a previous host left running on this data folder (it was killed, or stopped with a second
 * Ctrl-C), or a new one, detached so that it survives this host the same way.
 */
async function localAzurite(localDir: string): Promise<RunningAzurite> {
  const processFile = path.join(localDir, 'azurite-processes.json');
  const location = path.join(localDir, 'azurite');
  const running = await reattachAzurite({ processFile, location });
  if (running) {
    log(`Reattached to Azurite (pids ${running.pids?.join(', ')}) left running by a previous host on this data folder; nothing it acknowledged is lost.`);
    return running;
  }
  await stopLeftoverAzurite(processFile, log);
  return startAzurite({ location, processFile, detached: true });
}

/** A port setting, checked before anything starts. */
function portSetting(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  const port = raw ? Number(raw) : fallback;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError([`${name} must be a port number (0-65535), got "${raw}"`]);
  return port;
}

main().catch((error: unknown) => {
  // Settings and ports are the user's to fix: their message alone, no stack.
  const usersToFix = error instanceof ConfigError || error instanceof InstanceLockError;
  console.error(`The local host could not start: ${usersToFix ? error.message : describeError(error)}`);
  process.exit(1);
});
