import { createHash } from 'node:crypto';

/**
 * ACME Renewal Information (RFC 9773) as the lifetime code uses it: the window the CA suggests for renewing a
 * certificate, when to act in it, and when to ask again. No I/O here: the ACME provider fetches, the renewal
 * information checks (shared/services/renewal-info-checks.ts) act.
 */
export interface RenewalInfo {
  /** Unix seconds: the CA's suggested window, start before end. */
  start: number;
  end: number;
  /** A page where the CA explains the window (e.g. an incident), when it gives one. */
  explanationUrl?: string;
  /** The CA's Retry-After, in seconds, when it sent one. */
  retryAfterSeconds?: number;
}

/** How often the CA is asked again: its Retry-After kept within an hour and a day, six hours when it says nothing. */
export const RENEWAL_INFO_MIN_RECHECK_SECONDS = 3600;
export const RENEWAL_INFO_MAX_RECHECK_SECONDS = 24 * 3600;
export const RENEWAL_INFO_DEFAULT_RECHECK_SECONDS = 6 * 3600;

/**
 * When in the window this certificate version is renewed: RFC 9773 §4.2 asks for a uniformly random time, so
 * that a fleet does not renew at once; it is a hash of the name and version here, not a random draw, so every
 * check of the same window agrees (as the lifetime jitter does).
 */
export function renewalTimeInWindow(info: Pick<RenewalInfo, 'start' | 'end'>, name: string, version: string): number {
  const spread = createHash('sha256').update(`ari/${name.toLowerCase()}/${version}`).digest().readUInt32BE(0) / 2 ** 32;
  return info.start + Math.floor((info.end - info.start) * spread);
}

/** When to ask the CA again after an answer (or a failure to get one: no Retry-After). */
export function nextRenewalInfoCheck(now: number, retryAfterSeconds: number | undefined): number {
  const wait = retryAfterSeconds ?? RENEWAL_INFO_DEFAULT_RECHECK_SECONDS;
  return now + Math.min(RENEWAL_INFO_MAX_RECHECK_SECONDS, Math.max(RENEWAL_INFO_MIN_RECHECK_SECONDS, wait));
}
