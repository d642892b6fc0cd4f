import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { TableClient } from '@azure/data-tables';
import { ensureDevTlsCredentials } from '../../scripts/local-host/dev-ca';
import { startLocalHost } from '../../scripts/local-host/host';
import { startAzurite, type RunningAzurite } from './azurite';
import { ensureLocalSigningKey, issueLocalToken } from '../../shared/auth/local-signing-key';
import { DEFAULT_AUDIENCE } from '../../shared/config';
import { LOCAL_DEVELOPER_ROLE } from '../../shared/auth/roles';

/** The app on the local host with its own Azurite, as a user's `npm start` runs it, on free ports. */
export interface ServiceUnderTest {
  /** Plain HTTP origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** HTTPS origin of the same service, e.g. `https://127.0.0.1:41235`; its certificate names localhost, 127.0.0.1 and ::1. */
  httpsUrl: string;
  /**
   * PEM of the CA that issued the HTTPS certificate (made in this run's temp dir by `npm start`'s dev-CA code):
   * what clients trust, e.g. `SSL_CERT_FILE` for .NET/OpenSSL, `REQUESTS_CA_BUNDLE` for Python, `ca` for Node.
   */
  caCertFile: string;
  /**
   * What an official JS SDK client needs against `httpsUrl`, and nothing else: the CA as its only extra trust,
   * and no check of the challenge's resource (it names vault.azure.net, not localhost).
   */
  sdkOptions: { disableChallengeResourceVerification: true; tlsOptions: { ca: string } };
  /** The local signing key the host trusts (AUTH_MODE=local). */
  keyFile: string;
  azurite: RunningAzurite;
  /** A token the host accepts; with the role `npm run token` gives by default (KeyVault.Administrator) unless `roles` says otherwise. */
  token(options?: { roles?: string[]; lifetimeSeconds?: number; subject?: string }): Promise<string>;
  credential: TokenCredential;
  table(name: string): TableClient;
  stop(): Promise<void>;
}

/**
 * `log` receives the host's log lines (request lines included); by default they are dropped. `port` fixes the
 * plain HTTP port (0, the default, picks a free one), for a peer that must know it first (Pebble's HTTP-01 port).
 */
export async function startService(settings: Record<string, string> = {}, options: { log?: (line: string) => void; port?: number } = {}): Promise<ServiceUnderTest> {
  const azurite = await startAzurite();
  const dataDir = mkdtempSync(join(tmpdir(), 'kv-e2e-'));
  const keyFile = join(dataDir, 'auth-signing-key.json');
  await ensureLocalSigningKey(keyFile);
  const env = { ...testHostSettings(azurite.connectionString, keyFile), ...settings };
  const tls = await ensureDevTlsCredentials({
    dir: join(dataDir, 'dev-ca'),
    keyEncryptionKey: Buffer.from(env.KEY_ENCRYPTION_KEY, 'base64'),
    log: () => undefined,
  });
  const host = await startLocalHost({ port: options.port ?? 0, https: { port: 0, credentials: () => Promise.resolve(tls) }, env, log: options.log ?? (() => undefined) });
  if (!host.httpsUrl) throw new Error('The local host did not start HTTPS');
  const token = (options: { roles?: string[]; lifetimeSeconds?: number; subject?: string } = {}) =>
    issueLocalToken(keyFile, { audience: DEFAULT_AUDIENCE, roles: [LOCAL_DEVELOPER_ROLE], ...options });
  const credential: TokenCredential = {
    async getToken(): Promise<AccessToken> {
      return { token: await token(), expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
  return {
    url: host.url,
    httpsUrl: host.httpsUrl,
    caCertFile: tls.caCertificateFile,
    sdkOptions: { disableChallengeResourceVerification: true, tlsOptions: { ca: readFileSync(tls.caCertificateFile, 'utf8') } },
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

/**
 * The app settings a test runs the local host with (in-process here, as a child process in host-process.ts):
 * this Azurite, a fresh key-encryption key, local tokens, and timers and queue polling fast enough for tests.
 */
export function testHostSettings(connectionString: string, keyFile: string) {
  return {
    CertStorage: connectionString,
    AzureWebJobsStorage: connectionString,
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    AUTH_MODE: 'local',
    AUTH_LOCAL_KEY_FILE: keyFile,
    STATUS_SWEEP_SCHEDULE: '*/1 * * * * *',
    // Nothing comes due within a test (retention is days); the timer runs so that it is known to run.
    PURGE_SCHEDULE: '*/5 * * * * *',
    // Nothing is due unless a test moves the clock (CLOCK_OFFSET_SECONDS); runs so that it is known to run.
    LIFETIME_SCHEDULE: '*/5 * * * * *',
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
