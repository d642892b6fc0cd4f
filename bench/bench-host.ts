import '../scripts/local-host/register';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite } from '../scripts/local-host/azurite';
import { startLocalHost } from '../scripts/local-host/host';
import { ensureLocalSigningKey, issueLocalToken } from '../shared/auth/local-signing-key';
import { DEFAULT_AUDIENCE } from '../shared/config';

/** The compiled app on the local host with its own in-memory Azurite and signing key, for the benchmarks. */
export interface BenchHost {
  url: string;
  connectionString: string;
  /** The folder holding the signing key; removed by stop(). */
  dataDir: string;
  token: string;
  stop(): Promise<void>;
}

export async function startBenchHost(statusSweepSchedule: string): Promise<BenchHost> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kv-bench-'));
  const keyFile = join(dataDir, 'auth-signing-key.json');
  await ensureLocalSigningKey(keyFile);
  const azurite = await startAzurite();
  const host = await startLocalHost({
    port: 0,
    env: {
      CertStorage: azurite.connectionString,
      AzureWebJobsStorage: azurite.connectionString,
      KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      AUTH_MODE: 'local',
      AUTH_LOCAL_KEY_FILE: keyFile,
      STATUS_SWEEP_SCHEDULE: statusSweepSchedule,
    },
    log: () => undefined,
  });
  return {
    url: host.url,
    connectionString: azurite.connectionString,
    dataDir,
    token: await issueLocalToken(keyFile, { audience: DEFAULT_AUDIENCE }),
    async stop() {
      await host.stop();
      await azurite.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
