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

/** GET /dashboard/config.json in entra mode (functions/dashboard/sign-in-config.ts). */
export interface EntraSignInConfig {
  clientId: string;
  authority: string;
  scopes: string[];
}

export type SignInConfig = ({ signIn: 'entra' } & EntraSignInConfig) | { signIn: 'local' };
