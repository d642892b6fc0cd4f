import type { AuthConfig } from '../../shared/config';

/**
 * GET /dashboard/config.json: how the page signs in, from the app's AUTH_MODE. The page (sign-in/*.ts) reads
 * `signIn` and nothing else in local mode.
 */
export type SignInConfig =
  | { signIn: 'local' }
  | { signIn: 'entra'; clientId: string; authority: string; scopes: string[] };

export function signInConfigOf(auth: AuthConfig): SignInConfig {
  if (auth.mode === 'local') return { signIn: 'local' };
  return entraSignInConfig(auth);
}

/**
 * ENTRA SIGN-IN (owned by the Entra ID / MSAL work): fill clientId from the app settings that name the
 * dashboard's app registration, and check authority and scopes. What stands here is the shape only.
 */
function entraSignInConfig(auth: Extract<AuthConfig, { mode: 'entra' }>): SignInConfig {
  return { signIn: 'entra', clientId: '', authority: `${auth.authorityHost}/${auth.tenantId}`, scopes: [`${auth.audience}/.default`] };
}

/** Origins the page's connect-src must allow beyond its own, for the sign-in of this mode. */
export function signInConnectSources(config: SignInConfig): string[] {
  return config.signIn === 'entra' && config.authority ? [new URL(config.authority).origin] : [];
}
