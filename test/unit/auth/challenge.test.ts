import { authenticate, MISSING_TOKEN_MESSAGE } from '../../../shared/auth/authenticate';
import { bearerChallenge } from '../../../shared/auth/challenge';
import type { TokenVerifier } from '../../../shared/auth/token-verifier';
import type { AuthConfig } from '../../../shared/config';
import { headersOf, parseChallengeLikeTheSdk, TENANT_ID } from './helpers';

const entra: AuthConfig = {
  mode: 'entra',
  tenantId: TENANT_ID,
  audience: 'https://vault.azure.net',
  authorityHost: 'https://login.microsoftonline.com',
};
const local: AuthConfig = { mode: 'local', keyFile: '.local/never-read.json', audience: 'https://vault.azure.net' };

/** A verifier that must not be reached: a request without a token is answered from its headers alone. */
const untouchable: TokenVerifier = {
  verify: () => {
    throw new Error('verifier called');
  },
};

describe('a request without a bearer token', () => {
  it('gets exactly what Key Vault answers, in entra mode', async () => {
    const result = await authenticate(headersOf(), untouchable, entra);
    expect(result).toMatchObject({
      ok: false,
      status: 401,
      headers: {
        'WWW-Authenticate': `Bearer authorization="https://login.microsoftonline.com/${TENANT_ID}", resource="https://vault.azure.net"`,
      },
      body: { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
    });
    if (result.ok) throw new Error('unreachable');
    expect(JSON.stringify(result.body)).toBe('{"error":{"code":"Unauthorized","message":"AKV10000: Request is missing a Bearer or PoP token."}}');
  });

  it.each([
    ['entra', entra, TENANT_ID],
    ['local', local, 'local'],
  ] as const)('carries a challenge the SDK turns into a tenant and the Key Vault scope (%s)', async (_mode, auth, tenant) => {
    const result = await authenticate(headersOf(), untouchable, auth);
    if (result.ok) throw new Error('accepted without a token');
    const challenge = result.headers['WWW-Authenticate'];
    expect(challenge).toBeDefined();
    const parsed = parseChallengeLikeTheSdk(challenge ?? '');
    expect(parsed.tenantId).toBe(tenant);
    expect(parsed.scope).toBe('https://vault.azure.net/.default');
    expect(() => new URL(parsed.parsed.authorization ?? '')).not.toThrow();
  });

  it.each(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer    ', 'PoP abc.def.ghi', 'Bearer a b', ''])(
    'treats the header %j as no token',
    async (value) => {
      const result = await authenticate(headersOf({ Authorization: value }), untouchable, local);
      expect(result).toMatchObject({ ok: false, status: 401, body: { error: { code: 'Unauthorized', message: MISSING_TOKEN_MESSAGE } } });
    },
  );
});

describe('bearerChallenge', () => {
  it('advertises the resource without a trailing slash, so the scope has a single one', () => {
    const challenge = bearerChallenge({ ...entra, audience: 'https://vault.azure.net/' });
    expect(parseChallengeLikeTheSdk(challenge).scope).toBe('https://vault.azure.net/.default');
  });

  it('follows the configured authority host (sovereign clouds)', () => {
    const challenge = bearerChallenge({ ...entra, authorityHost: 'https://login.microsoftonline.us/' });
    expect(challenge).toBe(`Bearer authorization="https://login.microsoftonline.us/${TENANT_ID}", resource="https://vault.azure.net"`);
  });

  it('advertises a custom audience', () => {
    expect(parseChallengeLikeTheSdk(bearerChallenge({ ...local, audience: 'https://certs.example.com' })).scope).toBe(
      'https://certs.example.com/.default',
    );
  });

  it('refuses a value the SDK parser would split', () => {
    expect(() => bearerChallenge({ ...local, audience: 'https://vault azure.net' })).toThrow(/no spaces/);
  });
});
