import type { TokenSource } from './token-source';

export type LocalRole = 'reader' | 'officer';

interface LocalTokenResponse {
  token: string;
  account: string;
  roles: string[];
  /** Unix seconds. */
  expiresOn: number;
}

/** Asks again this long before the token expires, so no call goes out with a token about to lapse. */
const RENEW_BEFORE_MS = 5 * 60_000;

async function mint(role: LocalRole): Promise<LocalTokenResponse> {
  const response = await fetch('local-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role }),
    cache: 'no-store',
  });
  const body = (await response.json().catch(() => undefined)) as (LocalTokenResponse & { error?: { message?: string } }) | undefined;
  if (!response.ok || !body?.token) throw new Error(body?.error?.message ?? `The local host refused a ${role} token (HTTP ${response.status}).`);
  return body;
}

/**
 * Local mode (AUTH_MODE=local): the host signs a one-hour token for the chosen role with its own local key
 * (POST /dashboard/local-token). Kept in this closure only: a reload signs in again.
 */
export async function signInLocally(role: LocalRole): Promise<TokenSource> {
  let current: LocalTokenResponse | undefined = await mint(role);
  const first = current;
  return {
    account: first.account,
    roles: first.roles,
    async token() {
      if (!current || current.expiresOn * 1000 - Date.now() < RENEW_BEFORE_MS) current = await mint(role);
      return current.token;
    },
    async signOut() {
      current = undefined;
    },
  };
}
