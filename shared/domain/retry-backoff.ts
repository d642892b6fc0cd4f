/** How the issuer job retries a transient failure (ISSUER_RETRY_* settings, shared/config.ts). */
export interface RetryPolicy {
  /** A request fails for good after this many failed attempts in a row. */
  maxAttempts: number;
  /** The ceiling of the first retry's delay; each further retry doubles it. */
  baseDelaySeconds: number;
  /** No ceiling grows beyond this. */
  maxDelaySeconds: number;
}

/**
 * The delay before the retry that follows failed attempt number `failedAttempts` (1 for the first):
 * exponential backoff with full jitter, a uniformly random delay between 0 and the ceiling
 * `base * 2^(failedAttempts - 1)` capped at `maxDelaySeconds`, so that many requests failing together (an
 * issuer's outage) do not retry together. Whole seconds, at least 1, because that is what a queue message's
 * visibility delay takes. `random` returns [0, 1), as Math.random does.
 */
export function retryDelaySeconds(policy: RetryPolicy, failedAttempts: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelaySeconds, policy.baseDelaySeconds * 2 ** Math.max(0, failedAttempts - 1));
  return Math.max(1, Math.ceil(random() * ceiling));
}
