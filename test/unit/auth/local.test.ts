import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { authenticate } from '../../../shared/auth/authenticate';
import { LOCAL_ISSUER } from '../../../shared/auth/constants';
import { loadJose } from '../../../shared/auth/jose';
import { ensureLocalSigningKey, issueLocalToken, readLocalSigningKey } from '../../../shared/auth/local-signing-key';
import { createTokenVerifier } from '../../../shared/auth/token-verifier';
import type { AuthConfig } from '../../../shared/config';
import { headersOf, parseChallengeLikeTheSdk, temporaryDirectory } from './helpers';

let dir: { path: string; remove(): Promise<void> };
let keyFile: string;
let auth: Extract<AuthConfig, { mode: 'local' }>;

beforeEach(async () => {
  dir = await temporaryDirectory();
  keyFile = join(dir.path, 'nested', '.local', 'auth-signing-key.json');
  auth = { mode: 'local', keyFile, audience: 'https://vault.azure.net' };
  await ensureLocalSigningKey(keyFile);
});

afterEach(() => dir.remove());

const bearer = (token: string) => headersOf({ Authorization: `Bearer ${token}` });

/** Authenticates and, for a refusal, checks what every refusal must satisfy. */
async function refusal(token: string, config: AuthConfig = auth, now?: () => Date) {
  const result = await authenticate(bearer(token), createTokenVerifier(config, now ? { now } : {}), config);
  if (result.ok) throw new Error('token accepted');
  expect(result.status).toBe(401);
  expect(parseChallengeLikeTheSdk(result.headers['WWW-Authenticate'] ?? '').scope).toBe('https://vault.azure.net/.default');
  expect(JSON.stringify(result)).not.toContain(token);
  const signature = token.split('.')[2];
  if (signature) expect(JSON.stringify(result)).not.toContain(signature);
  return result.body.error.message;
}

describe('the local signing key', () => {
  it('is an ES256 private JWK with a kid, readable by its owner only', async () => {
    const key = await readLocalSigningKey(keyFile);
    expect(key.privateJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: key.kid });
    expect(key.privateJwk.d).toEqual(expect.any(String));
    expect(key.publicJwk).not.toHaveProperty('d');
    if (process.platform !== 'win32') expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
  });

  it('is never overwritten, even by racing creators, and leaves no temporary files', async () => {
    const before = await readFile(keyFile, 'utf8');
    await ensureLocalSigningKey(keyFile);
    expect(await readFile(keyFile, 'utf8')).toBe(before);

    const fresh = join(dir.path, 'race', 'key.json');
    await Promise.all(Array.from({ length: 8 }, () => ensureLocalSigningKey(fresh)));
    const kid = (await readLocalSigningKey(fresh)).kid;
    expect(await readdir(join(dir.path, 'race'))).toEqual(['key.json']);
    const token = await issueLocalToken(fresh, { audience: auth.audience });
    expect((await authenticate(bearer(token), createTokenVerifier({ ...auth, keyFile: fresh }), auth)).ok).toBe(true);
    expect((await readLocalSigningKey(fresh)).kid).toBe(kid);
  });

  it('is refused when it is not an ES256 private JWK', async () => {
    const bad = join(dir.path, 'bad.json');
    await writeFile(bad, JSON.stringify({ kty: 'RSA', kid: 'x' }));
    await expect(readLocalSigningKey(bad)).rejects.toThrow(/not an ES256/);
  });
});

describe('local tokens', () => {
  it('are accepted, with their subject and roles', async () => {
    const token = await issueLocalToken(keyFile, { audience: auth.audience, subject: 'alice', roles: ['Key Vault Certificates Officer'] });
    const result = await authenticate(bearer(token), createTokenVerifier(auth), auth);
    expect(result).toMatchObject({ ok: true, caller: { subject: 'alice', roles: ['Key Vault Certificates Officer'], tenantId: 'local' } });
    if (result.ok) expect(result.caller.claims.iss).toBe(LOCAL_ISSUER);
  });

  it('are accepted with a lower-case scheme and without roles', async () => {
    const token = await issueLocalToken(keyFile, { audience: auth.audience });
    const result = await authenticate(headersOf({ authorization: `bearer ${token}` }), createTokenVerifier(auth), auth);
    expect(result).toMatchObject({ ok: true, caller: { subject: 'local-user', roles: [] } });
  });

  it('are accepted when issued for the audience with a trailing slash', async () => {
    const token = await issueLocalToken(keyFile, { audience: 'https://vault.azure.net/' });
    expect((await authenticate(bearer(token), createTokenVerifier(auth), auth)).ok).toBe(true);
  });

  it('are refused once expired (beyond 60 s of clock skew)', async () => {
    const token = await issueLocalToken(keyFile, { audience: auth.audience, lifetimeSeconds: 600 });
    const justAfter = () => new Date(Date.now() + 630_000);
    expect((await authenticate(bearer(token), createTokenVerifier(auth, { now: justAfter }), auth)).ok).toBe(true);
    expect(await refusal(token, auth, () => new Date(Date.now() + 700_000))).toBe('Token is expired.');
  });

  it('are refused before they are valid', async () => {
    const token = await issueLocalToken(keyFile, { audience: auth.audience });
    expect(await refusal(token, auth, () => new Date(Date.now() - 600_000))).toBe('Token is not yet valid.');
  });

  it('are refused for another audience, saying which one was expected', async () => {
    const token = await issueLocalToken(keyFile, { audience: 'https://management.azure.com/' });
    expect(await refusal(token)).toBe('AKV10022: Invalid audience. Expected https://vault.azure.net, found: https://management.azure.com/.');
  });

  it('are refused when signed by another key', async () => {
    const otherFile = join(dir.path, 'other.json');
    await ensureLocalSigningKey(otherFile);
    const token = await issueLocalToken(otherFile, { audience: auth.audience });
    expect(await refusal(token)).toMatch(/different local signing key/);
  });

  it('are refused when signed by another key under the same kid', async () => {
    const otherFile = join(dir.path, 'impostor.json');
    await ensureLocalSigningKey(otherFile);
    const impostor = JSON.parse(await readFile(otherFile, 'utf8')) as Record<string, unknown>;
    await writeFile(otherFile, JSON.stringify({ ...impostor, kid: (await readLocalSigningKey(keyFile)).kid }));
    const token = await issueLocalToken(otherFile, { audience: auth.audience });
    expect(await refusal(token)).toBe('Token signature is invalid.');
  });

  it('are refused from another issuer, even when signed with the right key', async () => {
    const jose = await loadJose();
    const key = await readLocalSigningKey(keyFile);
    const token = await new jose.SignJWT({ sub: 'mallory' })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setIssuer('https://sts.windows.net/someone-else/')
      .setAudience(auth.audience)
      .setExpirationTime('1h')
      .sign(await jose.importJWK({ ...key.privateJwk }, 'ES256'));
    expect(await refusal(token)).toBe(
      'AKV10032: Invalid issuer. Expected one of https://localhost/local, found https://sts.windows.net/someone-else/.',
    );
  });

  it('are refused without an expiry, unsigned, or garbled', async () => {
    const jose = await loadJose();
    const key = await readLocalSigningKey(keyFile);
    const forever = await new jose.SignJWT({ sub: 'x' })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setIssuer(LOCAL_ISSUER)
      .setAudience(auth.audience)
      .sign(await jose.importJWK({ ...key.privateJwk }, 'ES256'));
    expect(await refusal(forever)).toBe('Token has no valid expiry ("exp" claim).');

    const unsigned = new jose.UnsecuredJWT({ sub: 'x' }).setIssuer(LOCAL_ISSUER).setAudience(auth.audience).setExpirationTime('1h').encode();
    expect(await refusal(unsigned)).toBe('Bearer token is malformed.');

    const hmac = await new jose.SignJWT({ sub: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(LOCAL_ISSUER)
      .setAudience(auth.audience)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a shared secret of thirty-two bytes!'));
    expect(await refusal(hmac)).toBe('Token signing algorithm is not allowed; expected ES256.');

    expect(await refusal('not-a-token')).toBe('Bearer token is malformed.');
    expect(await refusal('eyJhbGciOiJFUzI1NiJ9.e30.!!!')).toBe('Bearer token is malformed.');
  });

  it('cannot be checked while the key file is missing (503), and are accepted once it exists', async () => {
    const later = join(dir.path, 'later', 'key.json');
    const config = { ...auth, keyFile: later };
    const verifier = createTokenVerifier(config);
    const otherDir = join(dir.path, 'elsewhere.json');
    await ensureLocalSigningKey(otherDir);
    const early = await authenticate(bearer(await issueLocalToken(otherDir, { audience: auth.audience })), verifier, config);
    expect(early).toMatchObject({ ok: false, status: 503, body: { error: { code: 'ServiceUnavailable' } }, headers: { 'Retry-After': '10' } });

    await ensureLocalSigningKey(later);
    const token = await issueLocalToken(later, { audience: auth.audience });
    expect((await authenticate(bearer(token), verifier, config)).ok).toBe(true);
  });
});
