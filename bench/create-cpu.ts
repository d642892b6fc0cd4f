import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { cpuMicrosOf, startBenchHost } from './bench-host';
import { appRequests, countsBetween, describePerOperation } from './storage-count';

/**
 * Host CPU per Self create, end to end (the create request, the issuer job, the completion), measured as the
 * host process's own CPU time (/proc) over N creates after a warm-up, then divided by N. Deterministic enough
 * on a shared machine, unlike a rate: what the host spends does not depend on what else the cores run.
 *   node dist/bench/create-cpu.js ec|rsa [creates] [concurrency]
 * With BENCH_CPU_PROF=1 the host runs under `--cpu-prof` (profile in ./profiles/ when it exits): a profile of
 * many creates, where the host's start-up is a small part (profile.js's short load is mostly start-up).
 * The completion is waited for by reading each operation once after the run (and again 250 ms later while it
 * is in progress): those reads are counted in the host's CPU too, about one per create.
 */
async function main(): Promise<void> {
  const kind = process.argv[2] ?? 'ec';
  const count = Number(process.argv[3] ?? '200');
  const concurrency = Number(process.argv[4] ?? '8');
  const keyProps = kind === 'rsa' ? { kty: 'RSA', key_size: 2048 } : { kty: 'EC', crv: 'P-256' };
  const profileDir = resolve('profiles');
  if (process.env.BENCH_CPU_PROF === '1') mkdirSync(profileDir, { recursive: true });
  const execArgv = process.env.BENCH_CPU_PROF === '1' ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const host = await startBenchHost({ statusSweepSchedule: '0 0 0 1 1 *', execArgv });
  const headers = { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' };
  const url = (path: string) => `${host.url}${path}?api-version=7.5`;
  const body = JSON.stringify({ policy: { key_props: keyProps, x509_props: { subject: 'CN=cpu' }, issuer: { name: 'Self' } } });

  async function run(prefix: string, n: number): Promise<void> {
    const names = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < names.length) {
          const name = names[next++] as string;
          const response = await fetch(url(`/certificates/${name}/create`), { method: 'POST', headers, body });
          await response.text();
          if (response.status !== 202) throw new Error(`create answered ${response.status}`);
        }
      }),
    );
    for (const name of names) {
      for (;;) {
        const response = await fetch(url(`/certificates/${name}/pending`), { headers });
        const { status } = (await response.json()) as { status?: string };
        if (status === 'completed') break;
        if (status !== 'inProgress') throw new Error(`${name} ended ${status}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  try {
    await run('warm', Math.min(50, count));
    const before = cpuMicrosOf(host.pid);
    const countsBefore = await host.storageCounts();
    const started = Date.now();
    await run('measured', count);
    const cpuMs = (cpuMicrosOf(host.pid) - before) / 1000;
    const counts = countsBetween(countsBefore, await host.storageCounts());
    console.log(
      `${kind}: ${count} creates at concurrency ${concurrency}, completed in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
        `host CPU ${cpuMs.toFixed(0)} ms, ${(cpuMs / count).toFixed(2)} ms per create (request, job and completion)`,
    );
    // The waits' reads of /pending are in these counts too: about one point read per create.
    console.log(`storage requests per create: ${(appRequests(counts) / count).toFixed(2)} (${describePerOperation(counts, count)})`);
  } finally {
    await host.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
