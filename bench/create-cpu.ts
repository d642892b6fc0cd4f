import { cpuMicrosOf, startBenchHost } from './bench-host';

/**
 * Host CPU per Self create, end to end (the create request, the issuer job, the completion), measured as the
 * host process's own CPU time (/proc) over N creates after a warm-up, then divided by N. Deterministic enough
 * on a shared machine, unlike a rate: what the host spends does not depend on what else the cores run.
 *   node dist/bench/create-cpu.js ec|rsa [creates] [concurrency]
 * The completion is waited for by reading each operation once after the run (and again 250 ms later while it
 * is in progress): those reads are counted in the host's CPU too, about one per create.
 */
async function main(): Promise<void> {
  const kind = process.argv[2] ?? 'ec';
  const count = Number(process.argv[3] ?? '200');
  const concurrency = Number(process.argv[4] ?? '8');
  const keyProps = kind === 'rsa' ? { kty: 'RSA', key_size: 2048 } : { kty: 'EC', crv: 'P-256' };
  const host = await startBenchHost({ statusSweepSchedule: '0 0 0 1 1 *' });
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
    const started = Date.now();
    await run('measured', count);
    const cpuMs = (cpuMicrosOf(host.pid) - before) / 1000;
    console.log(
      `${kind}: ${count} creates at concurrency ${concurrency}, completed in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
        `host CPU ${cpuMs.toFixed(0)} ms, ${(cpuMs / count).toFixed(2)} ms per create (request, job and completion)`,
    );
  } finally {
    await host.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
