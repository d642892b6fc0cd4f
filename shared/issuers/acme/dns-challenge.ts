/**
 * Where an ACME DNS-01 challenge is answered: the TXT record `_acme-challenge.<name>` holding the digest of
 * the key authorization (RFC 8555 §8.4). One implementation per DNS provider (Azure DNS ships; the tests use
 * Pebble's challenge test server), so the ACME provider never knows which DNS it writes to.
 *
 * Both calls are idempotent, because the issuer job may run a step twice (a redelivered message, a host
 * killed mid-flight): setting a value already present and removing one already gone both succeed. A name may
 * hold several values at once (a wildcard and its apex share `_acme-challenge.example.com`, and two orders may
 * overlap), so each call adds or removes its own value and leaves the others alone.
 */
export interface DnsChallengeResponder {
  /** Publishes `value` as one TXT value at `fqdn` (e.g. `_acme-challenge.www.example.com`, no trailing dot needed). */
  setTxt(fqdn: string, value: string): Promise<void>;
  /** Withdraws `value` from `fqdn`; the record set goes when its last value does. */
  removeTxt(fqdn: string, value: string): Promise<void>;
}

/** The name a DNS-01 challenge for `identifier` is answered at (a wildcard's `*.` is not part of it). */
export function dnsChallengeName(identifier: string): string {
  return `_acme-challenge.${identifier.replace(/^\*\./, '').replace(/\.$/, '')}`;
}
