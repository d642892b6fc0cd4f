import { authenticate } from '../../../shared/auth/authenticate';
import { AuthenticationError, AuthenticationUnavailableError, createTokenVerifier } from '../../../shared/auth/token-verifier';
import type { AuthConfig } from '../../../shared/config';
import { FakeOidcIssuer, headersOf, TENANT_ID } from './helpers';

let issuer: FakeOidcIssuer;
let auth: Extract<AuthConfig, { mode: 'entra' }>;

beforeEach(async () => {
  issuer = await FakeOidcIssuer.start();
  auth = { mode: 'entra', tenantId: TENANT_ID, audience: 'https://vault.azure.net', authorityHost: issuer.authorityHost };
});

afterEach(() => issuer.stop());

const bearer = (token: string) => headersOf({ Authorization: `Bearer ${token}` });

describe('entra mode', () => {
  it('accepts v1 and v2 tokens from the tenant, fetching metadata and keys once', async () => {
    const verifier = createTokenVerifier(auth);
    const v1 = await issuer.token();
    const v2 = await issuer.token({ iss: issuer.v2Issuer, ver: '2.0', roles: ['Reader'] });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => authenticate(bearer(i % 2 ? v1 : v2), verifier, auth)));
    for (let i = 0; i < 5; i += 1) results.push(await authenticate(bearer(v1), verifier, auth));

    expect(results.every((r) => r.ok)).toBe(true);
    expect(results[0]).toMatchObject({
      ok: true,
      caller: { subject: '3975aeed-7d08-453b-b6f4-445f32698091', tenantId: TENANT_ID, roles: ['Reader'] },
    });
    expect(issuer.metadataRequests).toBe(1);
    expect(issuer.jwksRequests).toBe(1);
  });

  it('accepts the audience with a trailing slash, and falls back to sub without oid', async () => {
    const token = await issuer.token({ aud: 'https://vault.azure.net/', oid: undefined });
    const result = await authenticate(bearer(token), createTokenVerifier(auth), auth);
    expect(result).toMatchObject({ ok: true, caller: { subject: 'pairwise-subject', roles: [] } });
  });

  it('refuses a token signed by a key the tenant does not publish', async () => {
    const verifier = createTokenVerifier(auth);
    const stranger = await issuer.token({}, await issuer.newKey('someone-elses-key'));
    await expect(verifier.verify(stranger)).rejects.toMatchObject({ reason: 'signature' });
    const result = await authenticate(bearer(stranger), verifier, auth);
    expect(result).toMatchObject({ ok: false, status: 401, body: { error: { code: 'Unauthorized' } } });
    expect(result.ok || result.headers['WWW-Authenticate']).toContain(`authorization="${issuer.authorityHost}/${TENANT_ID}"`);
  });

  it('refuses a token signed by another key under a published kid', async () => {
    const impostor = await issuer.token({}, await issuer.newKey('key-1'));
    const result = await authenticate(bearer(impostor), createTokenVerifier(auth), auth);
    expect(result).toMatchObject({ ok: false, status: 401, body: { error: { message: 'Token signature is invalid.' } } });
  });

  it('refuses another tenant, another audience, and expired tokens', async () => {
    const verifier = createTokenVerifier(auth);
    const refusal = async (token: string) => {
      const result = await authenticate(bearer(token), verifier, auth);
      if (result.ok) throw new Error('accepted');
      expect(result.status).toBe(401);
      expect(JSON.stringify(result)).not.toContain(token);
      return result.body.error.message;
    };
    expect(await refusal(await issuer.token({ iss: 'https://sts.windows.net/00000000-0000-0000-0000-000000000000/' }))).toBe(
      `AKV10032: Invalid issuer. Expected one of ${issuer.v2Issuer}, https://sts.windows.net/${TENANT_ID}/, found https://sts.windows.net/00000000-0000-0000-0000-000000000000/.`,
    );
    expect(await refusal(await issuer.token({ aud: 'https://management.azure.com/' }))).toBe(
      'AKV10022: Invalid audience. Expected https://vault.azure.net, found: https://management.azure.com/.',
    );
    expect(await refusal(await issuer.token({}, undefined, -120))).toBe('Token is expired.');
    expect(await refusal('bm90IGpzb24.e30.c2ln')).toBe('Bearer token is malformed.');
  });

  it('answers 503 while the tenant metadata is unavailable, and recovers without a restart', async () => {
    const verifier = createTokenVerifier(auth);
    const token = await issuer.token();
    issuer.metadataStatus = 500;

    await expect(verifier.verify(token)).rejects.toBeInstanceOf(AuthenticationUnavailableError);
    const during = await authenticate(bearer(token), verifier, auth);
    expect(during).toMatchObject({
      ok: false,
      status: 503,
      headers: { 'Retry-After': '10' },
      body: { error: { code: 'ServiceUnavailable' } },
    });
    expect(during.ok || during.headers).not.toHaveProperty('WWW-Authenticate');
    expect(during.ok ? '' : during.reason).toContain('HTTP 500');
    // A request without a token still gets its challenge: that never needs the metadata.
    expect(await authenticate(headersOf(), verifier, auth)).toMatchObject({ status: 401 });
    // Garbage is still the caller's problem.
    await expect(verifier.verify('garbage')).rejects.toBeInstanceOf(AuthenticationError);

    issuer.metadataStatus = undefined;
    expect(await authenticate(bearer(token), verifier, auth)).toMatchObject({ ok: true });
    expect(issuer.metadataRequests).toBe(3);
  });

  it('answers 503 when the authority cannot be reached at all', async () => {
    const token = await issuer.token();
    const verifier = createTokenVerifier(auth);
    await issuer.stop();
    expect(await authenticate(bearer(token), verifier, auth)).toMatchObject({ ok: false, status: 503 });
  });

  it('uses the injected fetch for metadata and keys', async () => {
    const seen: string[] = [];
    const spy: typeof fetch = (input, init) => {
      seen.push(String(input));
      return fetch(input, init);
    };
    const verifier = createTokenVerifier(auth, { fetch: spy });
    await verifier.verify(await issuer.token());
    expect(seen).toEqual([
      `${issuer.authorityHost}/${TENANT_ID}/v2.0/.well-known/openid-configuration`,
      `${issuer.authorityHost}/${TENANT_ID}/discovery/v2.0/keys`,
    ]);
  });
});
