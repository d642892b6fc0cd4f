import autocannon from 'autocannon';
import type { Rate } from './measure';

/**
 * Closed-loop HTTP load with autocannon: `connections` clients each send the next request when the previous
 * answer arrives, for `seconds`. Used alike for the service and for the raw-storage baseline, so both sides of
 * a ratio pay the same client cost. Any non-2xx answer or connection error fails the run: a fast error is not
 * throughput.
 */
export async function httpLoad(url: string, headers: Record<string, string>, seconds: number, connections = 32): Promise<Rate> {
  const result = await autocannon({ url, headers, duration: seconds, connections });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`load on ${new URL(url).pathname}: ${result.non2xx} non-2xx answers, ${result.errors} errors of ${result.requests.total}`);
  }
  // The rate counts answers; the cost per request divides by what was sent (in-flight ones at the stop included).
  return { count: result.requests.total, sent: Math.max(result.requests.sent, result.requests.total), seconds: result.duration, perSecond: result.requests.total / result.duration };
}
