import type { TokenVerifier, VerifiedCaller } from '../../../shared/auth/token-verifier';
import { withVerifiedTokenCache } from '../../../shared/auth/verified-token-cache';

/** A verifier that accepts tokens named "good-<exp>" and counts how often it is asked. */
function countingVerifier(): TokenVerifier & { calls: number } {
  const verifier = {
    calls: 0,
    async verify(token: string): Promise<VerifiedCaller> {
      verifier.calls += 1;
      const match = /^good-(\d+)$/.exec(token);
      if (!match) throw new Error('signature invalid');
      return { subject: 'someone', roles: [], claims: { exp: Number(match[1]) } };
    },
  };
  return verifier;
}

describe('verified token cache', () => {
  let nowMs = 1_000_000_000_000;
  const now = () => new Date(nowMs);

  it('checks a token once while it stays valid', async () => {
    const inner = countingVerifier();
    const cached = withVerifiedTokenCache(inner, { now });
    const token = `good-${nowMs / 1000 + 3600}`;
    for (let i = 0; i < 5; i++) expect((await cached.verify(token)).subject).toBe('someone');
    expect(inner.calls).toBe(1);
  });

  it('never answers from the cache past the token expiry', async () => {
    const inner = countingVerifier();
    const cached = withVerifiedTokenCache(inner, { now });
    const token = `good-${nowMs / 1000 + 10}`;
    await cached.verify(token);
    nowMs += 11_000;
    await cached.verify(token);
    expect(inner.calls).toBe(2);
  });

  it('re-checks after maxAgeSeconds even for long-lived tokens', async () => {
    const inner = countingVerifier();
    const cached = withVerifiedTokenCache(inner, { now, maxAgeSeconds: 60 });
    const token = `good-${nowMs / 1000 + 86_400}`;
    await cached.verify(token);
    nowMs += 61_000;
    await cached.verify(token);
    expect(inner.calls).toBe(2);
  });

  it('never caches a refusal', async () => {
    const inner = countingVerifier();
    const cached = withVerifiedTokenCache(inner, { now });
    await expect(cached.verify('forged')).rejects.toThrow('signature invalid');
    await expect(cached.verify('forged')).rejects.toThrow('signature invalid');
    expect(inner.calls).toBe(2);
  });

  it('stays within maxEntries, dropping the oldest', async () => {
    const inner = countingVerifier();
    const cached = withVerifiedTokenCache(inner, { now, maxEntries: 2 });
    const exp = nowMs / 1000 + 3600;
    await cached.verify(`good-${exp}`);
    await cached.verify(`good-${exp + 1}`);
    await cached.verify(`good-${exp + 2}`);
    await cached.verify(`good-${exp}`);
    expect(inner.calls).toBe(4);
  });
});
