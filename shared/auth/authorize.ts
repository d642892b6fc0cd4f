import { KeyVaultError } from '../api/key-vault-error';
import type { AuthorizationMode } from '../config';
import { ANY_AUTHENTICATED_CALLER, type RoutePermission } from './permissions';
import { dataActionOf, rolesGrant } from './roles';
import type { VerifiedCaller } from './token-verifier';

/**
 * The second thing every HTTP function does, right after authentication: may this caller do this operation?
 * In `roles` mode the answer comes from the token's `roles` claim and Key Vault's built-in roles
 * (shared/auth/roles.ts); in `any-valid-token` mode every verified caller may. A refusal is thrown as Key
 * Vault's own 403, which the route wrapper answers like any other KeyVaultError:
 *
 *   {"error":{"code":"Forbidden","message":"Caller is not authorized to perform action on resource.\r\n…",
 *             "innererror":{"code":"ForbiddenByRbac"}}}
 *
 * The message has Key Vault's lines, in its order and with its CRLFs, so that whatever a team greps for in
 * Key Vault's refusals (the `Caller:` oid, the `Action:`) works here too. `Resource:` is the object's path on
 * this vault (Key Vault shows the object's ARM id, which this service does not have) and `Vault:` the Function
 * App's name and region (`WEBSITE_SITE_NAME`, `REGION_NAME`; `local` on the local host).
 */
export function authorize(caller: VerifiedCaller, permission: RoutePermission, mode: AuthorizationMode, resource: string): void {
  if (mode === 'any-valid-token' || permission === ANY_AUTHENTICATED_CALLER) return;
  const action = dataActionOf(permission);
  if (rolesGrant(caller.roles, action)) return;
  throw new KeyVaultError(403, 'Forbidden', forbiddenByRbacMessage(caller, action, resource), 'ForbiddenByRbac');
}

export function forbiddenByRbacMessage(caller: VerifiedCaller, action: string, resource: string, vault = vaultOfEnvironment()): string {
  const appid = claim(caller.claims.appid) ?? claim(caller.claims.azp) ?? '';
  const lines = [
    'Caller is not authorized to perform action on resource.',
    'If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.',
    `Caller: appid=${appid};oid=${printable(caller.subject)};iss=${claim(caller.claims.iss) ?? ''}`,
    `Action: '${action}'`,
    `Resource: '${printable(resource.toLowerCase())}'`,
    'Assignment: (not found)',
    'DenyAssignmentId: null',
    // Key Vault writes a space before this line's CRLF; kept, for anyone matching the line exactly.
    "DecisionReason: 'DeniedWithNoValidRBAC' ",
    `Vault: ${vault.name};location=${vault.location}`,
  ];
  return `${lines.join('\r\n')}\r\n`;
}

function vaultOfEnvironment(): { name: string; location: string } {
  return { name: printable(process.env.WEBSITE_SITE_NAME?.trim() || 'local'), location: printable(process.env.REGION_NAME?.trim() || 'local') };
}

function claim(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? printable(value) : undefined;
}

/** Claims come from a verified token, paths from the caller: printable ASCII, bounded, in any case. */
function printable(value: string): string {
  const text = value.replace(/[^\x20-\x7e]/g, '?');
  return text.length > 256 ? `${text.slice(0, 256)}...` : text;
}
