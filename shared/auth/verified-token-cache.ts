import { createHash } from 'node:crypto';
import type { TokenVerifier, VerifiedCaller } from './token-verifier';

/**
 * Remembers tokens that verified, so a client that sends the same bearer token on every request (as the
 * SDKs do for an hour) pays for one signature check, not one per request: the profile of the read path
 * showed signature verification as its largest cost. An entry never outlives the token's `exp`, nor
 * `maxAgeSeconds` (so a key the issuer withdraws stops being trusted within that bound). Entries are keyed
 * by a SHA-256 of the token; tokens themselves are not kept. Failures are never cached.
 */
export function withVerifiedTokenCache(
  inner: TokenVerifier,
  options: { now?: () => Date; maxAgeSeconds?: number; maxEntries?: number } = {},
): TokenVerifier {
  const now = () => (options.now ? options.now().getTime() : Date.now());
  const maxAgeMs = (options.maxAgeSeconds ?? 300) * 1000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { caller: VerifiedCaller; until: number }>();

  return {
    async verify(token: string): Promise<VerifiedCaller> {
      const key = createHash('sha256').update(token).digest('base64url');
      const cached = entries.get(key);
      if (cached && cached.until > now()) return cached.caller;
      entries.delete(key);

      const caller = await inner.verify(token);
      const exp = caller.claims.exp;
      if (typeof exp === 'number') {
        if (entries.size >= maxEntries) {
          // Maps iterate in insertion order: drop the oldest entry.
          const oldest = entries.keys().next().value;
          if (oldest !== undefined) entries.delete(oldest);
        }
        entries.set(key, { caller, until: Math.min(exp * 1000, now() + maxAgeMs) });
      }
      return caller;
    },
  };
}
