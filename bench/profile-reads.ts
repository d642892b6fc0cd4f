import '../scripts/local-host/register';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite } from '../scripts/local-host/azurite';
import { startLocalHost } from '../scripts/local-host/host';
import { ensureLocalSigningKey, issueLocalToken } from '../shared/auth/local-signing-key';
import { DEFAULT_AUDIENCE } from '../shared/config';
import { rateFor } from './measure';

/**
 * A read load to run under `node --cpu-prof dist/bench/profile-reads.js`: GET …/pending at concurrency 32
 * against the in-process host, so the profile shows where a read's time goes.
 */
async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kv-prof-'));
  const keyFile = join(dir, 'key.json');
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
      STATUS_SWEEP_SCHEDULE: '0 0 0 1 1 *',
    },
    log: () => undefined,
  });
  const token = await issueLocalToken(keyFile, { audience: DEFAULT_AUDIENCE });
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const url = (path: string) => `${host.url}${path}?api-version=7.5`;
  await fetch(url('/certificates/prof/create'), { method: 'POST', headers, body: JSON.stringify({ policy: { x509_props: { subject: 'CN=p' } } }) });
  const rate = await rateFor(Number(process.env.PROFILE_SECONDS ?? '5'), 32, async () => {
    await (await fetch(url('/certificates/prof/pending'), { headers })).text();
  });
  console.log(`GET …/pending: ${Math.round(rate.perSecond)} req/s`);
  await host.stop();
  await azurite.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
