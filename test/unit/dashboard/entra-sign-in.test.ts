import { build } from 'esbuild';
import { BrowserCacheLocation, PublicClientApplication } from '@azure/msal-browser';
import { carriesAuthResponse, rolesFromAccessToken } from '../../../functions/dashboard/page/sign-in/access-token';
import { msalConfiguration } from '../../../functions/dashboard/page/sign-in/entra';

/**
 * The dashboard's Entra ID sign-in, as far as it can be checked without Entra ID: the MSAL configuration it
 * builds, what it reads from the access token, which URLs it takes for Entra ID's answers, and that it
 * bundles for the browser. (Signing in against a live tenant is not possible here; docs/dashboard.md.)
 */

/** An unsigned JWT with this payload: the page decodes, it never verifies (the API does). */
function jwt(payload: unknown): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(payload)}.c2lnbmF0dXJl`;
}

const ENTRA = { clientId: '6c9a1f0e-2b7d-4c3e-9a8f-1d2e3f4a5b6c', authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com', scopes: ['api://0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0/user_impersonation'] };
const REDIRECT = 'https://func-abc.azurewebsites.net/dashboard/';

describe('MSAL configuration', () => {
  // MSAL opens BroadcastChannels (tabs of one session tell each other of sign-ins); Node's would keep this
  // test's process alive, so they are unref'd here. Nothing else about them changes.
  const NodeBroadcastChannel = globalThis.BroadcastChannel;
  beforeAll(() => {
    globalThis.BroadcastChannel = class extends NodeBroadcastChannel {
      constructor(name: string) {
        super(name);
        (this as unknown as { unref(): void }).unref();
      }
    };
  });
  afterAll(() => {
    globalThis.BroadcastChannel = NodeBroadcastChannel;
  });

  it('keeps tokens in sessionStorage (never beyond the session), and returns to the dashboard page after sign-in and sign-out', () => {
    const configuration = msalConfiguration(ENTRA, REDIRECT);
    expect(configuration).toEqual({
      auth: { clientId: ENTRA.clientId, authority: ENTRA.authority, redirectUri: REDIRECT, postLogoutRedirectUri: REDIRECT },
      cache: { cacheLocation: 'sessionStorage' },
    });
    expect(configuration.cache?.cacheLocation).toBe(BrowserCacheLocation.SessionStorage);
    // MSAL takes it: the module loads (outside a browser too) and builds its client from it.
    expect(new PublicClientApplication(configuration).getConfiguration().cache.cacheLocation).toBe('sessionStorage');
  });
});

describe('roles from the access token (only to show or hide the page\'s actions)', () => {
  it('reads the roles claim, non-ASCII names and all', () => {
    const token = jwt({ aud: 'api://x', name: 'Zoë Ångström', roles: ['KeyVault.Reader', 'KeyVault.CertificatesOfficer'] });
    expect(rolesFromAccessToken(token)).toEqual(['KeyVault.Reader', 'KeyVault.CertificatesOfficer']);
  });

  it('has no roles when the token has none, or a malformed claim, or is no JWT at all', () => {
    expect(rolesFromAccessToken(jwt({ aud: 'api://x', scp: 'user_impersonation' }))).toEqual([]);
    expect(rolesFromAccessToken(jwt({ roles: 'KeyVault.Administrator' }))).toEqual([]);
    expect(rolesFromAccessToken(jwt({ roles: ['KeyVault.Reader', 7, null] }))).toEqual(['KeyVault.Reader']);
    expect(rolesFromAccessToken(jwt(['KeyVault.Administrator']))).toEqual([]);
    for (const notAJwt of ['', 'opaque-token', 'a.b', 'a.!!!.c', `x.${Buffer.from('{"roles":').toString('base64url')}.y`]) {
      expect(rolesFromAccessToken(notAJwt)).toEqual([]);
    }
  });
});

describe("which URLs carry Entra ID's answer", () => {
  it("takes an authorization answer, in the fragment or the query, success or error", () => {
    expect(carriesAuthResponse({ hash: '#code=0.AX&client_info=e30&state=eyJpZCI6IjEifQ&session_state=s', search: '' })).toBe(true);
    expect(carriesAuthResponse({ hash: '', search: '?code=0.AX&state=eyJpZCI6IjEifQ' })).toBe(true);
    expect(carriesAuthResponse({ hash: '#error=access_denied&error_description=AADSTS50105&state=eyJ9', search: '' })).toBe(true);
  });

  it("never takes the page's own URLs for one, so the dashboard starts", () => {
    expect(carriesAuthResponse({ hash: '', search: '' })).toBe(false);
    expect(carriesAuthResponse({ hash: '#/certificates/web', search: '' })).toBe(false);
    expect(carriesAuthResponse({ hash: '#state=x', search: '?view=pending' })).toBe(false);
    expect(carriesAuthResponse({ hash: '#/certificates?code=x', search: '' })).toBe(false);
  });
});

describe('the browser bundle', () => {
  it('bundles for the browser with MSAL alone: no Node built-in, nothing fetched at run time', async () => {
    const result = await build({
      entryPoints: ['functions/dashboard/page/sign-in/entra.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((input) => !input.startsWith('functions/dashboard/page/sign-in/') && !/^node_modules\/@azure\/msal-(browser|common)\//.test(input))).toEqual([]);
    // MSAL 5.30 alone is about 300 KB minified (80 KB gzipped): a jump well past it is a change to look at.
    expect(result.outputFiles[0]!.contents.byteLength).toBeLessThan(360_000);
  });
});
