import type { EntraSignInConfig, TokenSource } from './token-source';

/**
 * Microsoft Entra ID sign-in (MSAL for the browser). Placeholder: the Entra sign-in work replaces this file.
 * main.ts loads it by dynamic import in entra mode only, so local mode never downloads it.
 */
export async function signInWithEntra(config: EntraSignInConfig): Promise<TokenSource> {
  void config;
  throw new Error('Entra sign-in is not built into this page yet');
}
