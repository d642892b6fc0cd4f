import type { KeyVaultPermission } from './permissions';

/**
 * Who may do what, as Azure Key Vault's RBAC decides it, in one pure table.
 *
 * Each operation needs one Key Vault *data action* (what Key Vault names in its 403 as `Action: '…'`), and a
 * caller is allowed when one of the app roles in its token (`roles` claim) is a built-in Key Vault role whose
 * data actions cover it. The roles and their data actions are Key Vault's own built-in role definitions
 * (role ids below; `az role definition list --name "<role name>"` shows them), including their wildcards:
 * Certificates Officer's `certificates/*` covers every certificate action, Reader's `vaults/<any>/read` every
 * read and no action. The mapping from access-policy permission (`certificates/get`, what Key Vault's REST
 * reference says each operation "requires") to data action follows Key Vault's RBAC migration guide.
 *
 * Entra app role values cannot contain spaces, so each role is claimed as `KeyVault.<Name>`
 * (`KeyVault.CertificatesOfficer`); docs/deploy.md creates them on the app registration.
 *
 * Note what follows from Key Vault's definitions: the certificate's private key (its secret,
 * `secrets/getSecret/action`) is readable with Secrets User / Secrets Officer, Certificate User (which Key
 * Vault defines as "read certificate contents", secret included) and Administrator, but not with Certificates
 * Officer or Reader: managing certificates does not give their keys away.
 */

const VAULT = 'Microsoft.KeyVault/vaults';

/** The data action each permission needs (Key Vault's RBAC migration guide, access policy → data action). */
export const DATA_ACTIONS: Readonly<Record<KeyVaultPermission, string>> = {
  'certificates/get': `${VAULT}/certificates/read`,
  'certificates/list': `${VAULT}/certificates/read`,
  'certificates/create': `${VAULT}/certificates/create/action`,
  'certificates/import': `${VAULT}/certificates/import/action`,
  'certificates/update': `${VAULT}/certificates/update/action`,
  'certificates/delete': `${VAULT}/certificates/delete`,
  'certificates/backup': `${VAULT}/certificates/backup/action`,
  'certificates/restore': `${VAULT}/certificates/restore/action`,
  'certificates/recover': `${VAULT}/certificates/recover/action`,
  'certificates/purge': `${VAULT}/certificates/purge/action`,
  'certificates/managecontacts': `${VAULT}/certificatecontacts/write`,
  'certificates/getissuers': `${VAULT}/certificatecas/read`,
  'certificates/listissuers': `${VAULT}/certificatecas/read`,
  'certificates/setissuers': `${VAULT}/certificatecas/write`,
  'certificates/deleteissuers': `${VAULT}/certificatecas/delete`,
  'secrets/get': `${VAULT}/secrets/getSecret/action`,
  'keys/get': `${VAULT}/keys/read`,
  'keys/sign': `${VAULT}/keys/sign/action`,
  'keys/verify': `${VAULT}/keys/verify/action`,
  'keys/encrypt': `${VAULT}/keys/encrypt/action`,
  'keys/decrypt': `${VAULT}/keys/decrypt/action`,
  'keys/wrapKey': `${VAULT}/keys/wrap/action`,
  'keys/unwrapKey': `${VAULT}/keys/unwrap/action`,
};

export interface KeyVaultRole {
  /** What the token's `roles` claim carries (the Entra app role's `value`). */
  readonly value: string;
  /** Key Vault's name for the role (the app role's display name). */
  readonly displayName: string;
  /** Key Vault's built-in role definition id, where its data actions are published. */
  readonly builtInRoleId: string;
  readonly description: string;
  /** Key Vault's data actions for the role, wildcards included (`*` matches any run of characters). */
  readonly dataActions: readonly string[];
}

export const KEY_VAULT_ROLES: readonly KeyVaultRole[] = [
  {
    value: 'KeyVault.Administrator',
    displayName: 'Key Vault Administrator',
    builtInRoleId: '00482a5a-887f-4fb3-b363-3b7fe8e74483',
    description: 'Every data operation on the vault: certificates, their keys and secrets, issuers, contacts.',
    dataActions: [`${VAULT}/*`],
  },
  {
    value: 'KeyVault.CertificatesOfficer',
    displayName: 'Key Vault Certificates Officer',
    builtInRoleId: 'a4417e6f-fecd-4de8-b567-7b0420556985',
    description: 'Every certificate operation, issuers and contacts; not the private key (the secret).',
    dataActions: [`${VAULT}/certificatecas/*`, `${VAULT}/certificates/*`, `${VAULT}/certificatecontacts/write`],
  },
  {
    value: 'KeyVault.CertificateUser',
    displayName: 'Key Vault Certificate User',
    builtInRoleId: 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba',
    description: 'Read certificates and their contents, the secret (private key) included; the public key.',
    dataActions: [
      `${VAULT}/certificates/read`,
      `${VAULT}/secrets/getSecret/action`,
      `${VAULT}/secrets/readMetadata/action`,
      `${VAULT}/keys/read`,
    ],
  },
  {
    value: 'KeyVault.SecretsOfficer',
    displayName: 'Key Vault Secrets Officer',
    builtInRoleId: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
    description: 'Every secret operation: here, reading a certificate’s secret (its private key).',
    dataActions: [`${VAULT}/secrets/*`],
  },
  {
    value: 'KeyVault.SecretsUser',
    displayName: 'Key Vault Secrets User',
    builtInRoleId: '4633458b-17de-408a-b874-0445c86b69e6',
    description: 'Read secrets: here, a certificate’s secret (its private key).',
    dataActions: [`${VAULT}/secrets/getSecret/action`, `${VAULT}/secrets/readMetadata/action`],
  },
  {
    value: 'KeyVault.CryptoOfficer',
    displayName: 'Key Vault Crypto Officer',
    builtInRoleId: '14b46e9e-c2b7-41b4-b07b-48a6ebf60603',
    description: 'Every key operation on the certificates’ keys.',
    dataActions: [`${VAULT}/keys/*`, `${VAULT}/keyrotationpolicies/*`],
  },
  {
    value: 'KeyVault.CryptoUser',
    displayName: 'Key Vault Crypto User',
    builtInRoleId: '12338af0-0e69-4776-bea7-57ae8d297424',
    description: 'Cryptographic operations with the certificates’ keys (sign, verify, encrypt, decrypt, wrap, unwrap).',
    dataActions: [
      `${VAULT}/keys/read`,
      `${VAULT}/keys/update/action`,
      `${VAULT}/keys/backup/action`,
      `${VAULT}/keys/encrypt/action`,
      `${VAULT}/keys/decrypt/action`,
      `${VAULT}/keys/wrap/action`,
      `${VAULT}/keys/unwrap/action`,
      `${VAULT}/keys/sign/action`,
      `${VAULT}/keys/verify/action`,
    ],
  },
  {
    value: 'KeyVault.Reader',
    displayName: 'Key Vault Reader',
    builtInRoleId: '21090545-7ca7-4776-b22c-e363652d74d2',
    description: 'Read metadata: certificates, policies, issuers, public keys; never a secret or a private key.',
    dataActions: [`${VAULT}/*/read`, `${VAULT}/secrets/readMetadata/action`],
  },
];

/** The role `npm run token` puts in a local token unless told otherwise: the developer may do everything. */
export const LOCAL_DEVELOPER_ROLE = 'KeyVault.Administrator';

/** The data action an operation needs. */
export function dataActionOf(permission: KeyVaultPermission): string {
  return DATA_ACTIONS[permission];
}

/** Whether any of the caller's roles grants the data action. Roles the table does not know grant nothing. */
export function rolesGrant(roles: readonly string[], dataAction: string): boolean {
  return KEY_VAULT_ROLES.some((role) => roles.includes(role.value) && role.dataActions.some((pattern) => matches(pattern, dataAction)));
}

/** Azure's action matching: case-insensitive, `*` standing for any run of characters (slashes included). */
function matches(pattern: string, action: string): boolean {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 'i').test(action);
}

/**
 * A role as a person types it (`npm run token -- --roles "Key Vault Reader"`): a known role by its value or its
 * display name, in any case, becomes its value; anything else is kept as typed (and grants nothing).
 */
export function roleValueOf(typed: string): string {
  const wanted = typed.trim().toLowerCase();
  const role = KEY_VAULT_ROLES.find((r) => r.value.toLowerCase() === wanted || r.displayName.toLowerCase() === wanted);
  return role?.value ?? typed.trim();
}

export function isKnownRole(value: string): boolean {
  return KEY_VAULT_ROLES.some((role) => role.value === value);
}
