import { findFreePort } from '../scripts/local-host/ports';
import { type RunningPebble, pebbleUnavailable, startPebble } from '../test/helpers/pebble-server';

/**
 * Pebble (Let's Encrypt's small ACME test server) for the benchmark's ACME latency, started as the tests start
 * it (test/helpers/pebble-server.ts: real validation, no random sleep before it, no authorization reuse). The
 * bench host answers HTTP-01 on its own anonymous route, as a deployment without a DNS zone does, so the host
 * needs no test hook: Pebble is told the host's port first, and the host trusts Pebble's API CA through the
 * ordinary ACME_CA_BUNDLE setting. Every name resolves to 127.0.0.1 through pebble-challtestsrv.
 */
export interface BenchPebble {
  pebble: RunningPebble;
  /** The port the bench host must listen on, where Pebble's validator fetches HTTP-01 tokens. */
  hostPort: number;
  /** App settings for the bench host. */
  hostSettings: Record<string, string>;
}

/** Pebble started, or why the ACME figures are skipped (the benchmark never fails for want of Pebble). */
export async function startBenchPebble(): Promise<BenchPebble | { skipped: string }> {
  const unavailable = pebbleUnavailable();
  if (unavailable) return { skipped: unavailable };
  const hostPort = await findFreePort('127.0.0.1');
  const pebble = await startPebble({ httpChallengePort: hostPort });
  return {
    pebble,
    hostPort,
    hostSettings: {
      ACME_CA_BUNDLE: pebble.apiCaCertificateFile,
      // HTTP-01 for certain, whatever the caller's environment holds: without a zone there is no DNS-01.
      ACME_DNS_ZONE_RESOURCE_ID: '',
    },
  };
}
