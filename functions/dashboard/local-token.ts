import { issueLocalToken } from '../../shared/auth/local-signing-key';

/**
 * POST /dashboard/local-token in local mode: the page signs in without anyone copying `npm run token` output.
 * It signs with the key the local host verifies with (AUTH_LOCAL_KEY_FILE, created at host start), for one of
 * two roles only: a reader sees, a Certificates Officer acts. Never the Administrator: the page has no use for
 * private keys, so it cannot be made to hand out a token that reads them.
 */
export const DASHBOARD_ROLES = {
  reader: 'KeyVault.Reader',
  officer: 'KeyVault.CertificatesOfficer',
} as const;

export type DashboardRole = keyof typeof DASHBOARD_ROLES;

/** An hour: long enough for a session at the page, short enough that a leaked one soon stops working. */
export const DASHBOARD_TOKEN_LIFETIME_SECONDS = 3600;

export interface DashboardToken {
  token: string;
  account: string;
  roles: string[];
  /** Unix seconds. */
  expiresOn: number;
}

/** Reads `{"role":"reader"|"officer"}`; undefined for anything else. */
export function dashboardRoleOf(body: string): DashboardRole | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const role = typeof parsed === 'object' && parsed !== null ? (parsed as { role?: unknown }).role : undefined;
  return role === 'reader' || role === 'officer' ? role : undefined;
}

export async function mintDashboardToken(keyFile: string, audience: string, role: DashboardRole, now: () => number = Date.now): Promise<DashboardToken> {
  const account = `local-${role}`;
  const roles = [DASHBOARD_ROLES[role]];
  const token = await issueLocalToken(keyFile, { audience, roles, subject: account, lifetimeSeconds: DASHBOARD_TOKEN_LIFETIME_SECONDS });
  return { token, account, roles, expiresOn: Math.floor(now() / 1000) + DASHBOARD_TOKEN_LIFETIME_SECONDS };
}
