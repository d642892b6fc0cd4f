// First import, as in scripts/local-host/main.ts: `@azure/functions` must find our `@azure/functions-core`.
import '../../scripts/local-host/register';

import path from 'node:path';
import { ensureDevTlsCredentials } from '../../scripts/local-host/dev-ca';
import { startLocalHost, type LocalHost } from '../../scripts/local-host/host';

/**
 * The child process of test/helpers/host-process.ts: the local host as `npm start` runs it (the same function
 * modules, host.json, queue listeners, timers, HTTP and HTTPS with the development CA), minus what only suits
 * a developer's own folder (the `.local/` data folder and its lock, local.settings.json, the embedded Azurite):
 * app settings come from the environment the parent gives, storage is the parent's Azurite. Started with
 * `node -r test/helpers/transpile-on-require.cjs`, so no build is needed.
 *
 * HOST_PROCESS_OPTIONS (JSON): { port, httpsPort, devCaDir, preload }. `preload` lists modules required before
 * the app loads: the test seams of shared/composition.ts (a DNS-01 responder) that an in-process test would set
 * itself. Once listening, prints one line `HOST_PROCESS_READY {"url":…,"httpsUrl":…}`; every other line is the
 * host's log.
 */

/** What host-process.ts waits for. */
const READY_MARKER = 'HOST_PROCESS_READY ';

interface ChildOptions {
  port: number;
  httpsPort: number;
  devCaDir: string;
  preload: string[];
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env.HOST_PROCESS_OPTIONS ?? '{}') as ChildOptions;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const module of options.preload) require(path.resolve(module));
  const keyEncryptionKey = Buffer.from(process.env.KEY_ENCRYPTION_KEY ?? '', 'base64');
  const host: LocalHost = await startLocalHost({
    port: options.port,
    log,
    https: { port: options.httpsPort, credentials: () => ensureDevTlsCredentials({ dir: options.devCaDir, keyEncryptionKey, log }) },
  });
  log(`${READY_MARKER}${JSON.stringify({ url: host.url, httpsUrl: host.httpsUrl })}`);
  const shutdown = () => {
    void host.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`The local host could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
