export interface TokenSource { token(): Promise<string>; readonly account: string; readonly roles: readonly string[]; signOut(): Promise<void>; }
export interface EntraSignInConfig { clientId: string; authority: string; scopes: string[]; }
