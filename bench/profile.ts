import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { cpuMicrosOf, startBenchHost } from './bench-host';

/**
 * A load on the host process while it runs under `--cpu-prof`, so the profile shows where the time goes:
 *   node dist/bench/profile.js pending|certificate|create-rsa|create-ec [seconds]
 * The profile is written to ./profiles/ when the host exits.
 */
const KINDS = ['pending', 'certificate', 'create-rsa', 'create-ec'] as const;
type Kind = (typeof KINDS)[number];

async function main(): Promise<void> {
  const kind = (process.argv[2] ?? 'pending') as Kind;
  if (!KINDS.includes(kind)) throw new Error(`usage: profile.js ${KINDS.join('|')} [seconds]`);
  const seconds = Number(process.argv[3] ?? '5');
  const dir = resolve('profiles');
  mkdirSync(dir, { recursive: true });
  const host = await startBenchHost({ statusSweepSchedule: '0 0 0 1 1 *', execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  const headers = { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' };
  const url = (path: string) => `${host.url}${path}?api-version=7.5`;
  const createBody = (keyProps: object) => JSON.stringify({ policy: { key_props: keyProps, x509_props: { subject: 'CN=p' }, issuer: { name: 'Self' } } });
  await fetch(url('/certificates/prof/create'), { method: 'POST', headers, body: createBody({ kty: 'EC', crv: 'P-256' }) });
  // The reads are of a completed certificate, as a client polling to the end and then reading it would see.
  while (((await (await fetch(url('/certificates/prof/pending'), { headers })).json()) as { status?: string }).status === 'inProgress') {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const cpuBefore = cpuMicrosOf(host.pid);

  let counter = 0;
  const result =
    kind === 'create-rsa' || kind === 'create-ec'
      ? await autocannon({
          url: host.url,
          duration: seconds,
          connections: 16,
          requests: [
            {
              method: 'POST',
              headers,
              body: createBody(kind === 'create-rsa' ? { kty: 'RSA', key_size: 2048 } : { kty: 'EC', crv: 'P-256' }),
              setupRequest: (request) => ({ ...request, path: `/certificates/prof-${++counter}/create?api-version=7.5` }),
            },
          ],
        })
      : await autocannon({ url: url(kind === 'pending' ? '/certificates/prof/pending' : '/certificates/prof/'), headers, duration: seconds, connections: 32 });
  // The host's own CPU (user + system, from /proc) per request: steadier than the rate on a shared machine.
  const cpuMicrosPerRequest = Math.round((cpuMicrosOf(host.pid) - cpuBefore) / result.requests.total);
  console.log(
    `${kind}: ${Math.round(result.requests.total / result.duration)} req/s, ${result.non2xx} non-2xx, ${result.errors} errors, ` +
      `host CPU ${cpuMicrosPerRequest} µs per request over ${result.requests.total}`,
  );
  await host.stop();
  console.log(`profile written to ${dir}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
