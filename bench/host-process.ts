// First import: `@azure/functions` must find our `@azure/functions-core` before any function module loads.
import '../scripts/local-host/register';
import { startLocalHost } from '../scripts/local-host/host';
import { countStorageRequests } from './storage-count';

/**
 * The app on the local host in a process of its own, as it runs in production, so the benchmark's client
 * never shares its event loop. Settings come from the environment; the first line on stdout is the host's URL.
 * The one argument, when given, is the HTTP port (an ACME CA's HTTP-01 validator must know it in advance).
 * With BENCH_STORAGE_ENDPOINTS (set by bench-host.ts) it counts its storage requests and answers the
 * bench's `storageCounts` messages on the IPC channel with the totals so far.
 */
async function main(): Promise<void> {
  const endpoints = process.env.BENCH_STORAGE_ENDPOINTS;
  if (endpoints && process.send) {
    const totals = countStorageRequests(JSON.parse(endpoints) as { table: string; queue: string });
    process.on('message', (message: unknown) => {
      if (message === 'storageCounts') process.send?.({ storageCounts: totals() });
    });
  }
  const host = await startLocalHost({ port: Number(process.argv[2] ?? '0'), log: () => undefined });
  process.stdout.write(`${JSON.stringify({ url: host.url })}\n`);
  process.once('SIGTERM', () => {
    // Exiting (rather than being killed) lets `--cpu-prof` write its profile.
    void host.stop().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
