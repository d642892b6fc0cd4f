import { mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningAzurite, azuriteConnectionString, startAzurite } from '../../scripts/local-host/azurite';

/**
 * One Azurite for the whole test run (started by jest's global setup for the integration and e2e projects),
 * instead of one per test file. Isolation comes from storage accounts: the emulator serves a pool of
 * accounts, and every test file (every `startAzurite()` / `startService()`) claims one nobody else has
 * used in this run. The app's table and queue names are fixed (shared/names.ts) and the queue triggers
 * listen on them, so separate accounts, not name prefixes, are what keep test files apart.
 */

/** How the global setup tells test files (jest workers inherit its environment) where the emulator is. */
export const SHARED_AZURITE_ENV = 'KV_TEST_SHARED_AZURITE';

/** More than a run claims (one per emulator-using test file or service start, about 20 today). */
const POOL_SIZE = 200;

interface SharedAzuriteInfo {
  queueEndpoint: string;
  tableEndpoint: string;
  accounts: string[];
  /** A claim is an exclusively created file named after the account: atomic across jest workers. */
  claimDir: string;
}

/** Account names: 3-24 lower-case letters and digits. */
function poolAccounts(): string[] {
  return Array.from({ length: POOL_SIZE }, (_, i) => `kvtest${String(i).padStart(4, '0')}`);
}

export async function startSharedAzurite(): Promise<{ stop(): Promise<void> }> {
  const accounts = poolAccounts();
  const log = process.env.AZURITE_LOG ? (line: string) => console.log(line) : undefined;
  const azurite = await startAzurite({ accounts, ...(log ? { log } : {}) });
  const claimDir = mkdtempSync(join(tmpdir(), 'kv-azurite-claims-'));
  const info: SharedAzuriteInfo = { queueEndpoint: azurite.queueEndpoint, tableEndpoint: azurite.tableEndpoint, accounts, claimDir };
  process.env[SHARED_AZURITE_ENV] = JSON.stringify(info);
  return {
    async stop() {
      delete process.env[SHARED_AZURITE_ENV];
      await azurite.stop();
      rmSync(claimDir, { recursive: true, force: true });
    },
  };
}

/** The endpoint of the same service for another account: Azurite puts the account in the path. */
function forAccount(endpoint: string, account: string): string {
  return `${new URL(endpoint).origin}/${account}`;
}

function tryClaim(claimDir: string, account: string): boolean {
  try {
    closeSync(openSync(join(claimDir, account), 'wx'));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * An account of the shared emulator that no one else in this run has used, or undefined when there is no
 * shared emulator (a run without the global setup: the caller starts a private one). Its `stop` does
 * nothing: the emulator lives until the run ends, and the account is never handed out again.
 */
export function claimSharedAccount(): RunningAzurite | undefined {
  const raw = process.env[SHARED_AZURITE_ENV];
  if (!raw) return undefined;
  const info = JSON.parse(raw) as SharedAzuriteInfo;
  const account = info.accounts.find((a) => tryClaim(info.claimDir, a));
  if (!account) throw new Error(`All ${info.accounts.length} accounts of the shared Azurite are taken; raise POOL_SIZE in ${__filename}.`);
  const queueEndpoint = forAccount(info.queueEndpoint, account);
  const tableEndpoint = forAccount(info.tableEndpoint, account);
  return {
    connectionString: azuriteConnectionString({ queue: queueEndpoint, table: tableEndpoint }, account),
    queueEndpoint,
    tableEndpoint,
    stop: () => Promise.resolve(),
  };
}
