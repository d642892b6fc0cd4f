import { startBenchHost } from './bench-host';
import { rateFor } from './measure';

/**
 * A read load to run under `node --cpu-prof dist/bench/profile-reads.js`: GET …/pending at concurrency 32
 * against the in-process host, so the profile shows where a read's time goes.
 */
async function main(): Promise<void> {
  const host = await startBenchHost('0 0 0 1 1 *');
  const headers = { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' };
  const url = (path: string) => `${host.url}${path}?api-version=7.5`;
  await fetch(url('/certificates/prof/create'), { method: 'POST', headers, body: JSON.stringify({ policy: { x509_props: { subject: 'CN=p' } } }) });
  const rate = await rateFor(Number(process.env.PROFILE_SECONDS ?? '5'), 32, async () => {
    await (await fetch(url('/certificates/prof/pending'), { headers })).text();
  });
  console.log(`GET …/pending: ${Math.round(rate.perSecond)} req/s`);
  await host.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
