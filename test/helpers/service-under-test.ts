import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { TableClient } from '@azure/data-tables';
import { startLocalHost } from '../../scripts/local-host/host';
import { startAzurite, type RunningAzurite } from './azurite';
import { ensureLocalSigningKey, issueLocalToken } from '../../shared/auth/local-signing-key';
import { DEFAULT_AUDIENCE } from '../../shared/config';

/** The app on the local host with its own Azurite, as a user's `npm start` runs it, on free ports. */
export interface ServiceUnderTest {
  url: string;
  /** The local signing key the host trusts (AUTH_MODE=local). */
  keyFile: string;
  azurite: RunningAzurite;
  token(options?: { roles?: string[]; lifetimeSeconds?: number }): Promise<string>;
  credential: TokenCredential;
  table(name: string): TableClient;
  stop(): Promise<void>;
}

export async function startService(settings: Record<string, string> = {}): Promise<ServiceUnderTest> {
  const azurite = await startAzurite();
  const dataDir = mkdtempSync(join(tmpdir(), 'kv-e2e-'));
  const keyFile = join(dataDir, 'auth-signing-key.json');
  await ensureLocalSigningKey(keyFile);
  const host = await startLocalHost({
    port: 0,
    env: {
      CertStorage: azurite.connectionString,
      AzureWebJobsStorage: azurite.connectionString,
      KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      AUTH_MODE: 'local',
      AUTH_LOCAL_KEY_FILE: keyFile,
      STATUS_SWEEP_SCHEDULE: '*/1 * * * * *',
      ...settings,
    },
    log: () => undefined,
  });
  const token = (options: { roles?: string[]; lifetimeSeconds?: number } = {}) =>
    issueLocalToken(keyFile, { audience: DEFAULT_AUDIENCE, ...options });
  const credential: TokenCredential = {
    async getToken(): Promise<AccessToken> {
      return { token: await token(), expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
  return {
    url: host.url,
    keyFile,
    azurite,
    token,
    credential,
    table: (name) => TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true }),
    async stop() {
      await host.stop();
      await azurite.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a value, or fails after `timeoutMs` saying what it waited for. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
