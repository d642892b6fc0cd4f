import { authorize, forbiddenByRbacMessage } from '../../../shared/auth/authorize';
import { KEY_VAULT_PERMISSIONS, type KeyVaultPermission } from '../../../shared/auth/permissions';
import { DATA_ACTIONS, KEY_VAULT_ROLES, rolesGrant } from '../../../shared/auth/roles';
import type { VerifiedCaller } from '../../../shared/auth/token-verifier';
import { KeyVaultError } from '../../../shared/api/key-vault-error';

/**
 * What each of Key Vault's built-in roles may do here, written out by hand from Key Vault's role definitions
 * (Azure built-in roles, Security: Key Vault *), so that a change to the table in shared/auth/roles.ts that
 * gives a role more or less than Key Vault does fails here.
 */
const CERTIFICATES: KeyVaultPermission[] = KEY_VAULT_PERMISSIONS.filter((p) => p.startsWith('certificates/'));
const KEYS: KeyVaultPermission[] = KEY_VAULT_PERMISSIONS.filter((p) => p.startsWith('keys/'));

const EXPECTED: Record<string, KeyVaultPermission[]> = {
  'KeyVault.Administrator': [...KEY_VAULT_PERMISSIONS],
  'KeyVault.CertificatesOfficer': CERTIFICATES,
  'KeyVault.CertificateUser': ['certificates/get', 'certificates/list', 'secrets/get', 'keys/get'],
  'KeyVault.SecretsOfficer': ['secrets/get'],
  'KeyVault.SecretsUser': ['secrets/get'],
  'KeyVault.CryptoOfficer': KEYS,
  'KeyVault.CryptoUser': KEYS,
  'KeyVault.Reader': ['certificates/get', 'certificates/list', 'certificates/getissuers', 'certificates/listissuers', 'keys/get'],
};

const granted = (roles: string[]) => KEY_VAULT_PERMISSIONS.filter((permission) => rolesGrant(roles, DATA_ACTIONS[permission]));

function caller(roles: string[], claims: Record<string, unknown> = {}): VerifiedCaller {
  return {
    subject: '3975aeed-7d08-453b-b6f4-445f32698091',
    roles,
    tenantId: 'tenant-1',
    claims: { appid: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', iss: 'https://sts.windows.net/tenant-1/', ...claims },
  };
}

describe("Key Vault's built-in roles", () => {
  it.each(Object.entries(EXPECTED))('%s grants exactly what Key Vault grants', (role, permissions) => {
    expect(granted([role]).sort()).toEqual([...permissions].sort());
  });

  it('are all in the table, and nothing else is', () => {
    expect(KEY_VAULT_ROLES.map((role) => role.value).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('keep the private key (the secret) from Certificates Officer and Reader, as Key Vault does', () => {
    expect(granted(['KeyVault.CertificatesOfficer'])).not.toContain('secrets/get');
    expect(granted(['KeyVault.Reader'])).not.toContain('secrets/get');
    expect(granted(['KeyVault.CertificatesOfficer', 'KeyVault.SecretsUser'])).toContain('secrets/get');
  });

  it('add up when a caller has several', () => {
    expect(granted(['KeyVault.Reader', 'KeyVault.CryptoUser']).sort()).toEqual([...new Set([...EXPECTED['KeyVault.Reader']!, ...KEYS])].sort());
  });

  it('grant nothing to no role, an unknown role, a display name or another casing of a value', () => {
    for (const roles of [[], ['Admin'], ['Key Vault Administrator'], ['keyvault.administrator'], ['KeyVault.*']]) expect(granted(roles)).toEqual([]);
  });

  it('map every permission to a Key Vault data action', () => {
    for (const permission of KEY_VAULT_PERMISSIONS) expect(DATA_ACTIONS[permission]).toMatch(/^Microsoft\.KeyVault\/vaults\/[a-zA-Z]+\/[a-zA-Z/]+$/);
    expect(DATA_ACTIONS['secrets/get']).toBe('Microsoft.KeyVault/vaults/secrets/getSecret/action');
    expect(DATA_ACTIONS['certificates/get']).toBe('Microsoft.KeyVault/vaults/certificates/read');
  });
});

describe('authorize', () => {
  it('refuses with Key Vault\'s 403: Forbidden, innererror ForbiddenByRbac, the caller and the action in its words', () => {
    let refusal: unknown;
    try {
      authorize(caller(['KeyVault.Reader']), 'secrets/get', 'roles', '/secrets/Web-Cert/abc');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(KeyVaultError);
    const error = refusal as KeyVaultError;
    expect(error.status).toBe(403);
    expect(error.toBody()).toEqual({
      error: {
        code: 'Forbidden',
        message:
          'Caller is not authorized to perform action on resource.\r\n' +
          'If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n' +
          'Caller: appid=04b07795-8ddb-461a-bbee-02f9e1bf7b46;oid=3975aeed-7d08-453b-b6f4-445f32698091;iss=https://sts.windows.net/tenant-1/\r\n' +
          "Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\r\n" +
          "Resource: '/secrets/web-cert/abc'\r\n" +
          'Assignment: (not found)\r\n' +
          'DenyAssignmentId: null\r\n' +
          "DecisionReason: 'DeniedWithNoValidRBAC' \r\n" +
          'Vault: local;location=local\r\n',
        innererror: { code: 'ForbiddenByRbac' },
      },
    });
  });

  it('names the v2 token\'s azp when there is no appid, and nothing it cannot print', () => {
    const message = forbiddenByRbacMessage(caller([], { appid: undefined, azp: 'client-2' }), 'Microsoft.KeyVault/vaults/certificates/read', '/certificates/\u0000x', {
      name: 'func-1',
      location: 'westeurope',
    });
    expect(message).toContain('Caller: appid=client-2;oid=3975aeed-7d08-453b-b6f4-445f32698091;');
    expect(message).toContain("Resource: '/certificates/?x'");
    expect(message).toContain('Vault: func-1;location=westeurope\r\n');
  });

  it('lets a caller through whose role grants the action, and anyone for the catch-all', () => {
    expect(() => authorize(caller(['KeyVault.SecretsUser']), 'secrets/get', 'roles', '/secrets/x')).not.toThrow();
    expect(() => authorize(caller([]), 'any-authenticated-caller', 'roles', '/no/such/path')).not.toThrow();
  });

  it('lets every verified caller through in any-valid-token mode, roles or none', () => {
    for (const permission of KEY_VAULT_PERMISSIONS) expect(() => authorize(caller([]), permission, 'any-valid-token', '/x')).not.toThrow();
  });
});
