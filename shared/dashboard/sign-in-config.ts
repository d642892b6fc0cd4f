import type { Config } from '../config';
import { SETTINGS } from '../config';

/**
 * How the dashboard signs its user in, as `GET /dashboard/config.json` tells the page (docs/dashboard.md):
 * - `local`: AUTH_MODE=local; the page asks `POST /dashboard/local-token` for a token, no sign-in.
 * - `entra`: Microsoft Entra ID with MSAL for the browser: the dashboard's own app registration (`clientId`)
 *   signs the user in at `authority` and asks for `scopes`, a delegated scope of this API, so the access token
 *   has the API's audience and carries the user's Key Vault app roles (the same token the API checks).
 * - `unavailable`: entra mode without a dashboard registration: the page shows `reason` instead of a sign-in
 *   that could only fail. The API is unaffected.
 */
export type DashboardSignInConfig =
  | { signIn: 'local' }
  | { signIn: 'entra'; clientId: string; authority: string; scopes: string[] }
  | { signIn: 'unavailable'; reason: string };

/**
 * The delegated scope the dashboard asks for, which docs/deploy.md step 1 exposes on the API registration.
 *
 * Not `<audience>/.default`: for a user, `.default` asks for the permissions listed on the client's own
 * registration and consented; the dashboard's registration is pre-authorized on the API for this one named
 * scope instead (no consent prompt, nothing listed), so it asks for it by name. The token's audience is the
 * API's either way, and that is what makes Entra put the user's app roles in it.
 */
export const DASHBOARD_API_SCOPE = 'user_impersonation';

export function dashboardSignInConfig(config: Pick<Config, 'auth' | 'dashboardClientId'>): DashboardSignInConfig {
  const { auth } = config;
  if (auth.mode === 'local') return { signIn: 'local' };
  if (!config.dashboardClientId) {
    return {
      signIn: 'unavailable',
      reason:
        `Sign-in to the dashboard is not set up: the app setting ${SETTINGS.dashboardClientId} must hold the client id ` +
        `of the dashboard's app registration (docs/dashboard.md, "Azure setup"). The API works without it.`,
    };
  }
  // An audience is a URL or a bare client id; a scope is the audience, one slash, the scope's name.
  const resource = auth.audience.replace(/\/+$/, '');
  return {
    signIn: 'entra',
    clientId: config.dashboardClientId,
    authority: `${auth.authorityHost}/${auth.tenantId}`,
    scopes: [`${resource}/${DASHBOARD_API_SCOPE}`],
  };
}

/**
 * The origins the page talks to besides its own, for the dashboard's Content-Security-Policy: MSAL fetches
 * the authority's metadata and redeems codes there (`connect-src`), and renews tokens in a hidden iframe
 * there (`frame-src`). None in local mode.
 */
export function identityProviderOrigins(signIn: DashboardSignInConfig): string[] {
  return signIn.signIn === 'entra' ? [new URL(signIn.authority).origin] : [];
}
