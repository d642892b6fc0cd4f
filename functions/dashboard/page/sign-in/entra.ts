import {
  type AccountInfo,
  type AuthenticationResult,
  BrowserCacheLocation,
  type Configuration,
  InteractionRequiredAuthError,
  PublicClientApplication,
} from '@azure/msal-browser';
import { broadcastResponseToMainFrame } from '@azure/msal-browser/redirect-bridge';
import { carriesAuthResponse, rolesFromAccessToken } from './access-token';
import type { EntraSignInConfig, TokenSource } from './token-source';

/**
 * Sign-in with Microsoft Entra ID, for the dashboard in Azure (docs/dashboard.md).
 *
 * MSAL for the browser, authorization code flow with PKCE, full-page redirects (no popup to be blocked). The
 * dashboard's own registration (`clientId`, a single-page app) asks for the API's delegated scope, so the
 * access token is one the API accepts, for the API's audience, with the user's Key Vault app roles in its
 * `roles` claim. MSAL keeps its tokens in sessionStorage: they end with the browser tab, as the issue asks
 * (never localStorage). The page never sees a private key from here: it only gets an access token.
 *
 * The redirect URI is the dashboard page itself (`https://<app host>/dashboard/`, registered as an SPA
 * redirect URI). MSAL 5 sends every answer of Entra ID (to a redirect, a popup or the hidden iframe that
 * renews tokens) through a "redirect bridge" on that page, so the page hands such an answer over before
 * anything else, and starts no dashboard in that window. This needs the page to be served without
 * `Cross-Origin-Opener-Policy` and framable by itself (`frame-ancestors 'self'`, not `'none'`).
 */

/** Where the dashboard is served; the app registration lists `<origin>/dashboard/` as its redirect URI. */
export const DASHBOARD_PATH = '/dashboard/';

export interface EntraSignInOptions {
  /** Defaults to the dashboard's own URL on the origin the browser is on. */
  redirectUri?: string;
}

/** MSAL's configuration for the dashboard; exported for its tests. */
export function msalConfiguration(config: EntraSignInConfig, redirectUri: string): Configuration {
  return {
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      redirectUri,
      postLogoutRedirectUri: redirectUri,
    },
    // Never localStorage: no token outlives the browser session (issue 14).
    cache: { cacheLocation: BrowserCacheLocation.SessionStorage },
  };
}

/**
 * Signs the user in (a redirect to Entra ID when there is no account in this session yet) and resolves with
 * the token source the page calls the API with. Never resolves in a window that is only carrying Entra ID's
 * answer, nor while the browser is leaving for Entra ID: the page then starts nothing.
 */
export async function signInWithEntra(config: EntraSignInConfig, options: EntraSignInOptions = {}): Promise<TokenSource> {
  if (carriesAuthResponse(window.location)) {
    // A popup or renewal iframe: broadcast to the window that asked, which closes or removes this one. Back
    // from a redirect: cache the answer and go back to the page that left, where handleRedirectPromise reads it.
    await broadcastResponseToMainFrame();
    return leavingThisPage();
  }
  const redirectUri = options.redirectUri ?? new URL(DASHBOARD_PATH, window.location.origin).href;
  const app = new PublicClientApplication(msalConfiguration(config, redirectUri));
  await app.initialize();
  const returned = await app.handleRedirectPromise();
  const account = returned?.account ?? app.getActiveAccount() ?? app.getAllAccounts()[0];
  if (!account) {
    await app.loginRedirect({ scopes: config.scopes });
    return leavingThisPage();
  }
  app.setActiveAccount(account);

  const token = async (): Promise<string> => (await acquire(app, config.scopes, account)).accessToken;
  // Straight back from Entra ID the answer holds the token already; otherwise it comes from the session's cache.
  const first = returned?.accessToken ? returned.accessToken : await token();
  return {
    token,
    account: account.username || account.name || account.homeAccountId,
    roles: rolesFromAccessToken(first),
    signOut: async () => {
      await app.logoutRedirect({ account });
      await leavingThisPage();
    },
  };
}

/**
 * From the cache, refreshed with the refresh token or the hidden iframe when due; a redirect to Entra ID when
 * only the user can answer (session ended, consent, MFA). Other failures (offline, Entra ID down) are thrown
 * for the page to show, rather than sending the user round in redirects.
 */
async function acquire(app: PublicClientApplication, scopes: string[], account: AccountInfo): Promise<AuthenticationResult> {
  try {
    return await app.acquireTokenSilent({ scopes, account });
  } catch (error) {
    if (!(error instanceof InteractionRequiredAuthError)) throw error;
    await app.acquireTokenRedirect({ scopes, account });
    return leavingThisPage();
  }
}

/** The browser is navigating away (or this window is closing): nothing after this should run. */
function leavingThisPage(): Promise<never> {
  return new Promise<never>(() => undefined);
}
