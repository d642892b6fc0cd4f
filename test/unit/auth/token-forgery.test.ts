import { createHmac, createPublicKey, randomBytes } from 'node:crypto';
import { authenticate } from '../../../shared/auth/authenticate';
import { loadJose, type Jose } from '../../../shared/auth/jose';
import { readLocalSigningKey } from '../../../shared/auth/local-signing-key';
import { createTokenVerifier, type TokenVerifier } from '../../../shared/auth/token-verifier';
import type { AuthConfig } from '../../../shared/config';
import { invokeRoute, loadAllFunctions, localToken, localAuthForTests } from '../../helpers/in-process-routes';
import { FakeOidcIssuer, headersOf, TENANT_ID } from './helpers';

/**
 * The token-forgery suite: tokens an attacker can build, each of which must be refused 401 with Key Vault's
 * bearer challenge and envelope, and none accepted. The verifier is the unit (Entra mode against a look-alike
 * tenant that publishes a real RS256 key); a handful go through the HTTP route wrapper too (local mode, ES256),
 * where a forged token must also leave an audit record that names no caller. The counts are printed.
 */

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const json = (value: unknown) => b64url(JSON.stringify(value));
const now = () => Math.floor(Date.now() / 1000);

/** A JWT assembled by hand, signed (or not) however the forger likes. */
function assemble(header: Record<string, unknown>, payload: Record<string, unknown>, sign: (input: string) => string): string {
  const input = `${json(header)}.${json(payload)}`;
  return `${input}.${sign(input)}`;
}

const counts = { forged: 0, refused401: 0, accepted: 0 };

afterAll(() => {
  console.log(`token forgery suite: ${counts.forged} forged tokens, refused 401 = ${counts.refused401}, accepted = ${counts.accepted}`);
});

describe('forged Entra tokens, at the verifier', () => {
  let issuer: FakeOidcIssuer;
  let verifier: TokenVerifier;
  let auth: AuthConfig;
  let jose: Jose;
  let good: string;
  let publicPem: string;
  let publicJwk: Record<string, unknown>;
  const cases: Array<[string, () => Promise<string>]> = [];

  beforeAll(async () => {
    jose = await loadJose();
    issuer = await FakeOidcIssuer.start();
    auth = { mode: 'entra', tenantId: TENANT_ID, audience: 'https://vault.azure.net', authorityHost: issuer.authorityHost };
    verifier = createTokenVerifier(auth);
    good = await issuer.token({ roles: ['KeyVault.Reader'] });
    // What anyone can download from the tenant's JWKS: the public key, as JWK and as PEM.
    const jwks = (await (await fetch(`${issuer.authorityHost}/${TENANT_ID}/discovery/v2.0/keys`)).json()) as { keys: Record<string, unknown>[] };
    publicJwk = jwks.keys[0] ?? {};
    publicPem = createPublicKey({ key: publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  });
  afterAll(() => issuer.stop());

  const parts = (token: string) => token.split('.') as [string, string, string];
  const claimsOf = (token: string) => JSON.parse(Buffer.from(parts(token)[1], 'base64url').toString()) as Record<string, unknown>;
  const headerOf = (token: string) => JSON.parse(Buffer.from(parts(token)[0], 'base64url').toString()) as Record<string, unknown>;
  const hs256 = (secret: string | Buffer) => (input: string) => createHmac('sha256', secret).update(input).digest('base64url');

  const forged: Array<[string, () => Promise<string>]> = [
    ['expired (beyond the 60 s of skew)', () => issuer.token({}, undefined, -120)],
    ['not yet valid (nbf in 10 minutes)', () => issuer.token({ nbf: now() + 600, exp: now() + 3600 })],
    ['wrong audience (Azure Resource Manager)', () => issuer.token({ aud: 'https://management.azure.com/' })],
    ['wrong audience (another app)', () => issuer.token({ aud: 'api://00000000-0000-0000-0000-000000000001' })],
    ['wrong issuer (not Entra)', () => issuer.token({ iss: 'https://evil.example/' })],
    ['wrong tenant (v1 issuer of another tenant)', () => issuer.token({ iss: 'https://sts.windows.net/00000000-0000-0000-0000-000000000000/', tid: '00000000-0000-0000-0000-000000000000' })],
    ['wrong tenant (v2 issuer of another tenant)', () => issuer.token({ iss: `${issuer.authorityHost}/00000000-0000-0000-0000-000000000000/v2.0`, tid: '00000000-0000-0000-0000-000000000000' })],
    ['alg none, empty signature', async () => assemble({ alg: 'none', typ: 'JWT' }, claimsOf(good), () => '')],
    ['alg none, kid of the tenant key, a signature', async () => assemble({ alg: 'none', kid: 'key-1' }, claimsOf(good), () => b64url('x'))],
    ['alg "None" (case games)', async () => assemble({ alg: 'None', kid: 'key-1' }, claimsOf(good), () => '')],
    ['HS256 signed with the RSA public key PEM (key confusion)', async () => assemble({ alg: 'HS256', typ: 'JWT', kid: 'key-1' }, claimsOf(good), hs256(publicPem))],
    ['HS256 signed with the public JWK JSON (key confusion)', async () => assemble({ alg: 'HS256', kid: 'key-1' }, claimsOf(good), hs256(JSON.stringify(publicJwk)))],
    ['HS256 signed with the modulus bytes (key confusion)', async () => assemble({ alg: 'HS256', kid: 'key-1' }, claimsOf(good), hs256(Buffer.from(String(publicJwk.n), 'base64url')))],
    ['unknown kid, signed by the forger', async () => issuer.token({}, await issuer.newKey('forger-key'))],
    ['same kid as the tenant key, another key', async () => issuer.token({}, await issuer.newKey('key-1'))],
    ['no kid, signed by the forger', async () => {
      const key = await issuer.newKey('x');
      return new jose.SignJWT(claimsOf(good)).setProtectedHeader({ alg: 'RS256' }).sign(key.privateKey);
    }],
    ['the forger\'s key embedded in the header (jwk)', async () => {
      const key = await issuer.newKey('key-1');
      return new jose.SignJWT(claimsOf(good)).setProtectedHeader({ alg: 'RS256', kid: 'key-1', jwk: { kty: 'RSA', n: String(key.publicJwk.n), e: 'AQAB' } }).sign(key.privateKey);
    }],
    ['the forger\'s key set named in the header (jku)', async () => {
      const key = await issuer.newKey('key-1');
      return new jose.SignJWT(claimsOf(good)).setProtectedHeader({ alg: 'RS256', kid: 'key-1', jku: 'https://evil.example/keys' }).sign(key.privateKey);
    }],
    ['ES256 signed by the forger under the tenant kid', async () => {
      const { privateKey } = await jose.generateKeyPair('ES256');
      return new jose.SignJWT(claimsOf(good)).setProtectedHeader({ alg: 'ES256', kid: 'key-1' }).sign(privateKey);
    }],
    ['tampered payload: roles escalated, signature kept', async () => {
      const [header, , signature] = parts(good);
      return `${header}.${json({ ...claimsOf(good), roles: ['KeyVault.Administrator'] })}.${signature}`;
    }],
    ['tampered payload: another object id, signature kept', async () => {
      const [header, , signature] = parts(good);
      return `${header}.${json({ ...claimsOf(good), oid: '11111111-1111-1111-1111-111111111111' })}.${signature}`;
    }],
    ['tampered payload: expiry extended, signature kept', async () => {
      const expired = await issuer.token({}, undefined, -120);
      const [header, , signature] = parts(expired);
      return `${header}.${json({ ...claimsOf(expired), exp: now() + 3600 })}.${signature}`;
    }],
    ['tampered header: alg switched to RS512, signature kept', async () => {
      const [, payload, signature] = parts(good);
      return `${json({ ...headerOf(good), alg: 'RS512' })}.${payload}.${signature}`;
    }],
    ['signature of another valid token', async () => {
      const other = await issuer.token({ oid: '22222222-2222-2222-2222-222222222222' });
      const [header, payload] = parts(good);
      return `${header}.${payload}.${parts(other)[2]}`;
    }],
    // Signed by the tenant's own key: the claims themselves must be refused, not just a broken signature.
    ['no expiry at all (properly signed)', () => issuer.token({ exp: undefined })],
    ['expiry as a string (properly signed)', () => issuer.token({ exp: '99999999999' })],
    ['no subject: neither oid nor sub (properly signed)', () => issuer.token({ oid: undefined, sub: undefined })],
    ['truncated: signature dropped', async () => parts(good).slice(0, 2).join('.')],
    ['truncated: signature halved', async () => {
      const [header, payload, signature] = parts(good);
      return `${header}.${payload}.${signature.slice(0, signature.length / 2)}`;
    }],
    ['truncated: empty signature', async () => `${parts(good).slice(0, 2).join('.')}.`],
    ['truncated: cut in the middle', async () => good.slice(0, Math.floor(good.length / 2))],
    ['an extra segment (JWE-like)', async () => `${good}.${b64url('x')}`],
    ['garbage: one word', async () => 'garbage'],
    ['garbage: three dots', async () => '...'],
    ['garbage: random base64url segments', async () => `${b64url(randomBytes(30))}.${b64url(randomBytes(60))}.${b64url(randomBytes(256))}`],
    ['garbage: header that is not JSON', async () => `${b64url('not json')}.${parts(good)[1]}.${parts(good)[2]}`],
    ['garbage: payload that is not JSON', async () => `${parts(good)[0]}.${b64url('not json')}.${parts(good)[2]}`],
    ['garbage: characters outside base64url', async () => `${parts(good)[0]}.${parts(good)[1]}.${parts(good)[2]}!`],
    ['garbage: 64 KiB token', async () => `${b64url(randomBytes(16_000))}.${b64url(randomBytes(16_000))}.${b64url(randomBytes(16_000))}`],
  ];
  cases.push(...forged);

  it('accepts the genuine token the forgeries start from (so a refusal below is about the forgery)', async () => {
    const result = await authenticate(headersOf({ authorization: `Bearer ${good}` }), verifier, auth);
    expect(result.ok).toBe(true);
  });

  it.each(forged)('refuses %s: 401, the bearer challenge, Key Vault\'s envelope', async (_name, build) => {
    const token = await build();
    counts.forged += 1;
    const result = await authenticate(headersOf({ authorization: `Bearer ${token}` }), verifier, auth);
    if (result.ok) counts.accepted += 1;
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(401);
    if (result.status !== 401) return;
    counts.refused401 += 1;
    expect(result.headers['WWW-Authenticate']).toBe(`Bearer authorization="${issuer.authorityHost}/${TENANT_ID}", resource="https://vault.azure.net"`);
    expect(result.body).toEqual({ error: { code: 'Unauthorized', message: expect.stringMatching(/\S/) } });
    if (token.length > 20) expect(result.body.error.message).not.toContain(token);
  });
});

describe('forged local tokens, through the HTTP route wrapper', () => {
  loadAllFunctions(['secret-get.ts']);
  const keyFile = localAuthForTests();
  let jose: Jose;

  beforeAll(async () => {
    jose = await loadJose();
  });

  const parts = (token: string) => token.split('.') as [string, string, string];
  const claimsOf = (token: string) => JSON.parse(Buffer.from(parts(token)[1], 'base64url').toString()) as Record<string, unknown>;

  const forged: Array<[string, () => Promise<string>]> = [
    ['alg none with Administrator', async () => assemble({ alg: 'none' }, claimsOf(await localToken(keyFile, { roles: ['KeyVault.Administrator'] })), () => '')],
    ['HS256 signed with the local public key (key confusion)', async () => {
      const { kid, publicJwk } = await readLocalSigningKey(keyFile);
      const pem = createPublicKey({ key: publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
      return assemble({ alg: 'HS256', kid }, claimsOf(await localToken(keyFile)), (input) => createHmac('sha256', pem).update(input).digest('base64url'));
    }],
    ['expired, signed with the real key', async () => {
      const { kid, privateJwk } = await readLocalSigningKey(keyFile);
      const key = await jose.importJWK({ ...privateJwk }, 'ES256');
      return new jose.SignJWT({ ...claimsOf(await localToken(keyFile)), exp: now() - 120, iat: now() - 3600, nbf: now() - 3600 })
        .setProtectedHeader({ alg: 'ES256', kid })
        .sign(key);
    }],
    ['Reader escalated to Administrator by editing the payload', async () => {
      const token = await localToken(keyFile, { roles: ['KeyVault.Reader'] });
      const [header, , signature] = parts(token);
      return `${header}.${json({ ...claimsOf(token), roles: ['KeyVault.Administrator'] })}.${signature}`;
    }],
    ['same kid, another key', async () => {
      const { kid } = await readLocalSigningKey(keyFile);
      const { privateKey } = await jose.generateKeyPair('ES256');
      return new jose.SignJWT(claimsOf(await localToken(keyFile))).setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey);
    }],
    ['garbage', async () => 'not-a-token'],
  ];

  it.each(forged)('refuses %s: 401, challenge, envelope, request id, and an audit record without a caller', async (_name, build) => {
    const token = await build();
    counts.forged += 1;
    const answer = await invokeRoute('secretGet', {
      method: 'GET',
      path: '/secrets/forged',
      query: '?api-version=7.5',
      params: { name: 'forged' },
      headers: { authorization: `Bearer ${token}` },
    });
    if (answer.status < 400) counts.accepted += 1;
    expect(answer.status).toBe(401);
    counts.refused401 += 1;
    expect(answer.headers.get('www-authenticate')).toBe('Bearer authorization="https://localhost/local", resource="https://vault.azure.net"');
    expect(answer.body).toEqual({ error: { code: 'Unauthorized', message: expect.stringMatching(/\S/) } });
    expect(answer.headers.get('x-ms-request-id')).toMatch(/\S/);
    const audit = answer.lines.filter((line) => line.includes(' audit={'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toContain('"caller":null');
    expect(answer.lines.join('\n')).not.toContain(token);
  });
});
