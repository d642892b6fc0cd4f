/**
 * What a caller must be allowed to do for each operation, in Key Vault's own vocabulary: the access-policy
 * permissions (`certificates get`, `secrets get`, ...) that Key Vault names in its 403 messages ("does not
 * have secrets get permission on key vault ..."), each also granted by an RBAC data action.
 *
 * Every route declares the one it needs (functions/http/register-route.ts); the route wrapper enforces it
 * through the data action it maps to and the caller's roles (shared/auth/roles.ts, shared/auth/authorize.ts).
 * Only what the registered routes need is listed.
 */
export const KEY_VAULT_PERMISSIONS = [
  'certificates/get',
  'certificates/list',
  'certificates/create',
  'certificates/import',
  'certificates/update',
  'certificates/delete',
  'certificates/backup',
  'certificates/restore',
  'certificates/recover',
  'certificates/purge',
  'certificates/managecontacts',
  'certificates/deleteissuers',
  'certificates/getissuers',
  'certificates/listissuers',
  'certificates/setissuers',
  'secrets/get',
  'keys/get',
  'keys/sign',
  'keys/verify',
  'keys/encrypt',
  'keys/decrypt',
  'keys/wrapKey',
  'keys/unwrapKey',
] as const;

export type KeyVaultPermission = (typeof KEY_VAULT_PERMISSIONS)[number];

/**
 * For routes that reveal nothing of the vault (the catch-all that says a path or method does not exist):
 * a valid token is enough.
 */
export const ANY_AUTHENTICATED_CALLER = 'any-authenticated-caller';

export type RoutePermission = KeyVaultPermission | typeof ANY_AUTHENTICATED_CALLER;
