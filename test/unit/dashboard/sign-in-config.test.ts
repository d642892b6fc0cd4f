import { randomBytes } from 'node:crypto';
import { ConfigError, SETTINGS, parseConfig } from '../../../shared/config';
import { dashboardSignInConfig, identityProviderOrigins } from '../../../shared/dashboard/sign-in-config';

/** What `GET /dashboard/config.json` answers, from the app settings as a deployment sets them. */
const CLIENT_ID = '6c9a1f0e-2b7d-4c3e-9a8f-1d2e3f4a5b6c';
const API_APP_ID = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';

const entraSettings = {
  [SETTINGS.storageConnectionString]: 'UseDevelopmentStorage=true',
  [SETTINGS.keyEncryptionKey]: randomBytes(32).toString('base64'),
  [SETTINGS.authMode]: 'entra',
  [SETTINGS.authTenantId]: 'contoso.onmicrosoft.com',
  [SETTINGS.authAudience]: `api://${API_APP_ID}`,
  // As the template sets it: the cloud's login endpoint, with its trailing slash.
  [SETTINGS.authAuthorityHost]: 'https://login.microsoftonline.com/',
};

const signInFor = (env: Record<string, string>) => dashboardSignInConfig(parseConfig(env));

describe('the dashboard sign-in configuration (GET /dashboard/config.json)', () => {
  it('in entra mode with a dashboard registration: MSAL signs in at the tenant and asks for the API scope, so the token carries the API roles', () => {
    const signIn = signInFor({ ...entraSettings, [SETTINGS.dashboardClientId]: ` ${CLIENT_ID.toUpperCase()} ` });
    expect(signIn).toEqual({
      signIn: 'entra',
      clientId: CLIENT_ID,
      authority: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
      scopes: [`api://${API_APP_ID}/user_impersonation`],
    });
    // What the page's Content-Security-Policy must let it reach.
    expect(identityProviderOrigins(signIn)).toEqual(['https://login.microsoftonline.com']);
  });

  it('follows the audience as the API checks it: a bare client id (v2 tokens), a trailing slash, a sovereign cloud', () => {
    const v2 = signInFor({ ...entraSettings, [SETTINGS.authAudience]: API_APP_ID, [SETTINGS.dashboardClientId]: CLIENT_ID });
    expect(v2).toMatchObject({ scopes: [`${API_APP_ID}/user_impersonation`] });
    const slash = signInFor({ ...entraSettings, [SETTINGS.authAudience]: 'https://certs.contoso.com/', [SETTINGS.dashboardClientId]: CLIENT_ID });
    expect(slash).toMatchObject({ scopes: ['https://certs.contoso.com/user_impersonation'] });
    const gov = signInFor({ ...entraSettings, [SETTINGS.authAuthorityHost]: 'https://login.microsoftonline.us', [SETTINGS.dashboardClientId]: CLIENT_ID });
    expect(gov).toMatchObject({ authority: 'https://login.microsoftonline.us/contoso.onmicrosoft.com' });
    expect(identityProviderOrigins(gov)).toEqual(['https://login.microsoftonline.us']);
  });

  it('in entra mode without a dashboard registration: says so and names the setting, instead of a sign-in that can only fail; the API still starts', () => {
    const signIn = signInFor(entraSettings);
    expect(signIn).toEqual({ signIn: 'unavailable', reason: expect.stringContaining('DASHBOARD_CLIENT_ID') });
    expect(identityProviderOrigins(signIn)).toEqual([]);
    expect(signInFor({ ...entraSettings, [SETTINGS.dashboardClientId]: '  ' }).signIn).toBe('unavailable');
  });

  it('in local mode: the local token, whatever else is set', () => {
    const local = { ...entraSettings, [SETTINGS.authMode]: 'local', [SETTINGS.dashboardClientId]: CLIENT_ID };
    expect(signInFor(local)).toEqual({ signIn: 'local' });
    expect(identityProviderOrigins(signInFor(local))).toEqual([]);
  });

  it('refuses at start a DASHBOARD_CLIENT_ID that is not a client id, naming the setting', () => {
    for (const wrong of ['certificate-dashboard', `api://${CLIENT_ID}`]) {
      let problems: readonly string[] = [];
      try {
        parseConfig({ ...entraSettings, [SETTINGS.dashboardClientId]: wrong });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems = error.problems;
      }
      expect(problems).toEqual([`DASHBOARD_CLIENT_ID must be the application (client) id of the dashboard's app registration (a GUID), got "${wrong}"`]);
    }
  });
});
