// First import: `@azure/functions` must find our `@azure/functions-core` before any function module loads.
import './register';

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ensureLocalSigningKey } from '../../shared/auth/local-signing-key';
import { SETTINGS } from '../../shared/config';
import { STORAGE_CONNECTION } from '../../shared/names';
import { startAzurite, type RunningAzurite } from './azurite';
import { devCaFiles, ensureDevTlsCredentials } from './dev-ca';
import { findHostJson, startLocalHost, type LocalHost } from './host';
import { PortInUseError } from './http-server';
import { acquireInstanceLock } from './instance-lock';
import { describeError } from './invoke';
import { ensureKeyEncryptionKey } from './key-encryption-key';
import { applyLocalSettings } from './local-settings';

/**
 * `npm start`: the app on this machine, without Functions Core Tools. Local state lives in `.local/`
 * (Azurite's data, the key-encryption key, the local token signing key, the development CA behind HTTPS),
 * so restarts keep certificates.
 * Every setting can be overridden from the environment or local.settings.json; defaults fill the rest.
 */

const AZURE_WEBJOBS_STORAGE = 'AzureWebJobsStorage';
/** What `func start` users put in local.settings.json for "the local emulator": ours, on its own ports. */
const DEVELOPMENT_STORAGE = 'UseDevelopmentStorage=true';

function setDefault(name: string, value: string): void {
  if (process.env[name] === undefined || process.env[name] === '') process.env[name] = value;
}

function portSetting(name: string, fallback: number): number {
  const port = Number(process.env[name] || fallback);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got "${process.env[name]}"`);
  return port;
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
  const localDir = path.join(root, '.local');
  mkdirSync(localDir, { recursive: true, mode: 0o700 });
  acquireInstanceLock(path.join(localDir, 'host.lock'));

  const fromFile = applyLocalSettings(path.join(root, 'local.settings.json'), process.env);
  if (fromFile.length > 0) console.log(`Loaded ${fromFile.length} setting(s) from local.settings.json`);

  // Start the emulator only when some storage setting has nowhere else to point.
  let azurite: RunningAzurite | undefined;
  if (needsEmulator(STORAGE_CONNECTION) || needsEmulator(AZURE_WEBJOBS_STORAGE)) {
    azurite = await startAzurite({ location: path.join(localDir, 'azurite') });
    for (const name of [STORAGE_CONNECTION, AZURE_WEBJOBS_STORAGE]) {
      if (needsEmulator(name)) process.env[name] = azurite.connectionString;
    }
  }

  if (!process.env[SETTINGS.keyEncryptionKey]) {
    process.env[SETTINGS.keyEncryptionKey] = await ensureKeyEncryptionKey(path.join(localDir, 'key-encryption-key'));
  }
  setDefault(SETTINGS.authMode, 'local');
  setDefault(SETTINGS.authLocalKeyFile, path.join('.local', 'auth-signing-key.json'));
  if (process.env[SETTINGS.authMode] === 'local') {
    await ensureLocalSigningKey(path.resolve(process.env[SETTINGS.authLocalKeyFile] ?? ''));
  }
  setDefault(SETTINGS.statusSweepSchedule, '0 */1 * * * *');

  const port = portSetting('PORT', 7071);
  const httpsPort = portSetting('HTTPS_PORT', 7443);
  const devCaDir = path.join(localDir, 'dev-ca');
  const keyEncryptionKey = Buffer.from(process.env[SETTINGS.keyEncryptionKey] ?? '', 'base64');

  let host: LocalHost | undefined;
  try {
    host = await startLocalHost({
      port,
      https: { port: httpsPort, credentials: () => ensureDevTlsCredentials({ dir: devCaDir, keyEncryptionKey }) },
    });
  } catch (error) {
    await azurite?.stop();
    if (error instanceof PortInUseError) throw new StartError(`${error.message} Set ${error.scheme === 'https' ? 'HTTPS_PORT' : 'PORT'} to a free port.`);
    throw error;
  }

  const storage = azurite
    ? `Azurite tables :${new URL(azurite.tableEndpoint).port}, queues :${new URL(azurite.queueEndpoint).port}`
    : `storage from ${STORAGE_CONNECTION}`;
  console.log(`Certificate service listening on http://localhost:${host.port} and https://localhost:${host.httpsPort} (${storage})`);
  console.log(`HTTPS clients trust the development CA ${devCaFiles(devCaDir).caCertificate} (NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, REQUESTS_CA_BUNDLE)`);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C means "now".
      process.exit(130);
    }
    stopping = true;
    console.log(`${signal}: stopping...`);
    void (async () => {
      await host?.stop().catch((error: unknown) => console.error(describeError(error)));
      await azurite?.stop().catch((error: unknown) => console.error(describeError(error)));
      process.exit(0);
    })();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** A failure the user fixes from its message alone: one line, no stack. */
class StartError extends Error {}

main().catch((error: unknown) => {
  console.error(`The local host could not start: ${error instanceof StartError ? error.message : describeError(error)}`);
  process.exit(1);
});
