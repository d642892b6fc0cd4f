/**
 * What the page needs from a sign-in, whichever mode: a bearer token for each API call, who is signed in, and
 * the app roles the token carries (to hide actions the API would refuse anyway). Tokens stay in memory.
 */
export interface TokenSource {
  token(): Promise<string>;
  readonly account: string;
  readonly roles: readonly string[];
  signOut(): Promise<void>;
}

/** GET /dashboard/config.json in entra mode (shared/dashboard/sign-in-config.ts). */
export interface EntraSignInConfig {
  clientId: string;
  authority: string;
  scopes: string[];
}

/** The whole of GET /dashboard/config.json: `unavailable` when entra mode has no dashboard registration. */
export type SignInConfig = ({ signIn: 'entra' } & EntraSignInConfig) | { signIn: 'local' } | { signIn: 'unavailable'; reason: string };
