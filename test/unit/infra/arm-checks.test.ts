/**
 * The template checks of arm-template.test.ts, tried on small hand-written templates shaped like `bicep build`
 * output: they must pass a good template and catch each kind of mistake. Needs no Bicep CLI.
 */
import {
  type ArmResource,
  type ArmTemplate,
  allScopes,
  findResources,
  parseCall,
  resolve,
  resourceLeafNames,
  scopeResourceType,
  stringLiteral,
} from './arm';
import { functionAppSettings, outputProblems, roleAssignments, secureParameterFlow } from './checks';

const BLOB_OWNER = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b';
const SECRETS_USER = '4633458b-17de-408a-b874-0445c86b69e6';

function module(name: string, parameters: Record<string, unknown>, template: ArmTemplate): ArmResource {
  return {
    type: 'Microsoft.Resources/deployments',
    apiVersion: '2022-09-01',
    name,
    properties: {
      expressionEvaluationOptions: { scope: 'inner' },
      mode: 'Incremental',
      parameters: Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, { value: v }])),
      template,
    },
  };
}

function roleAssignment(overrides: Partial<ArmResource> = {}): ArmResource {
  return {
    type: 'Microsoft.Authorization/roleAssignments',
    apiVersion: '2022-04-01',
    scope: "[format('Microsoft.Storage/storageAccounts/{0}', parameters('storageAccountName'))]",
    name: "[guid(resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName')), parameters('principalId'), variables('blobOwner'))]",
    properties: {
      roleDefinitionId: "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('blobOwner'))]",
      principalId: "[parameters('principalId')]",
      principalType: 'ServicePrincipal',
    },
    ...overrides,
  };
}

/** A small template in the shape Bicep emits: modules for storage, roles, the vault and the function app. */
function fixture(): ArmTemplate {
  const storage: ArmTemplate = {
    parameters: { name: { type: 'string' }, tableNames: { type: 'array' } },
    resources: [
      {
        type: 'Microsoft.Storage/storageAccounts',
        apiVersion: '2023-05-01',
        name: "[parameters('name')]",
        properties: { allowSharedKeyAccess: false },
      },
      {
        copy: { name: 'tables', count: "[length(parameters('tableNames'))]" },
        type: 'Microsoft.Storage/storageAccounts/tableServices/tables',
        apiVersion: '2023-05-01',
        name: "[format('{0}/{1}/{2}', parameters('name'), 'default', parameters('tableNames')[copyIndex()])]",
      },
      {
        type: 'Microsoft.Storage/storageAccounts/queueServices/queues',
        apiVersion: '2023-05-01',
        name: "[format('{0}/{1}/{2}', parameters('name'), 'default', 'jobs')]",
      },
    ],
    outputs: { name: { type: 'string', value: "[parameters('name')]" } },
  };
  const roles: ArmTemplate = {
    parameters: { storageAccountName: { type: 'string' }, principalId: { type: 'string' } },
    variables: { blobOwner: BLOB_OWNER },
    resources: [roleAssignment()],
  };
  const vault: ArmTemplate = {
    parameters: { name: { type: 'string' }, kek: { type: 'securestring', defaultValue: '' } },
    resources: [
      { type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', name: "[parameters('name')]" },
      {
        condition: "[not(empty(parameters('kek')))]",
        type: 'Microsoft.KeyVault/vaults/secrets',
        apiVersion: '2023-07-01',
        name: "[format('{0}/{1}', parameters('name'), 'kek')]",
        properties: { value: "[parameters('kek')]" },
      },
      {
        type: 'Microsoft.Authorization/roleAssignments',
        apiVersion: '2022-04-01',
        scope: "[format('Microsoft.KeyVault/vaults/{0}/secrets/{1}', parameters('name'), 'kek')]",
        name: `[guid(resourceId('Microsoft.KeyVault/vaults/secrets', parameters('name'), 'kek'), '00000000-0000-0000-0000-000000000001', '${SECRETS_USER}')]`,
        properties: {
          roleDefinitionId: `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${SECRETS_USER}')]`,
          principalId: '00000000-0000-0000-0000-000000000001',
          principalType: 'ServicePrincipal',
        },
      },
    ],
    outputs: {
      secretUri: { type: 'string', value: "[format('{0}secrets/kek', reference(resourceId('Microsoft.KeyVault/vaults', parameters('name')), '2023-07-01').vaultUri)]" },
    },
  };
  const app: ArmTemplate = {
    parameters: { secretUri: { type: 'string' }, audience: { type: 'string' }, nodeVersion: { type: 'string' } },
    resources: [
      {
        type: 'Microsoft.Web/sites',
        apiVersion: '2024-04-01',
        name: 'app',
        kind: 'functionapp,linux',
        properties: {
          functionAppConfig: { runtime: { name: 'node', version: "[parameters('nodeVersion')]" } },
          siteConfig: {
            appSettings: [
              { name: 'AUTH_AUDIENCE', value: "[parameters('audience')]" },
              { name: 'KEY_ENCRYPTION_KEY', value: "[format('@Microsoft.KeyVault(SecretUri={0})', parameters('secretUri'))]" },
            ],
          },
        },
      },
    ],
  };
  return {
    parameters: {
      environmentName: { type: 'string' },
      audience: { type: 'string' },
      keyEncryptionKey: { type: 'securestring', defaultValue: '' },
      nodeVersion: { type: 'string', defaultValue: '20' },
    },
    variables: { tableNames: ['Certificates', 'Issuers'] },
    resources: [
      module('storage', { name: 'stabc', tableNames: "[variables('tableNames')]" }, storage),
      module(
        'roles',
        {
          storageAccountName: "[reference(resourceId('Microsoft.Resources/deployments', 'storage'), '2022-09-01').outputs.name.value]",
          principalId: '00000000-0000-0000-0000-000000000001',
        },
        roles,
      ),
      module('vault', { name: 'kv-abc', kek: "[parameters('keyEncryptionKey')]" }, vault),
      module(
        'app',
        {
          secretUri: "[reference(resourceId('Microsoft.Resources/deployments', 'vault'), '2022-09-01').outputs.secretUri.value]",
          audience: "[parameters('audience')]",
          nodeVersion: "[parameters('nodeVersion')]",
        },
        app,
      ),
    ],
    outputs: { APP_NAME: { type: 'string', value: 'app' } },
  };
}

/** The resources of the module named `name` in a fixture. */
function moduleResources(root: ArmTemplate, name: string): ArmResource[] {
  const scope = allScopes(root).find((s) => s.path.join('/') === name);
  if (!scope || !Array.isArray(scope.template.resources)) throw new Error(`no module ${name}`);
  return scope.template.resources;
}

describe('reading compiled templates', () => {
  test('parseCall splits the outermost call, respecting quotes and nesting', () => {
    expect(parseCall("[format('{0}/{1}', parameters('a'), 'x, y')]")).toEqual({
      name: 'format',
      args: ["'{0}/{1}'", "parameters('a')", "'x, y'"],
    });
    expect(parseCall("[guid(resourceId('T/t', parameters('n')), 'it''s', variables('r')[0])]")?.args).toEqual([
      "resourceId('T/t', parameters('n'))",
      "'it''s'",
      "variables('r')[0]",
    ]);
    expect(parseCall("[parameters('a')[0]]")).toBeUndefined();
    expect(parseCall('plain')).toBeUndefined();
    expect(stringLiteral("'it''s'")).toBe("it's");
  });

  test('scopeResourceType names one resource, and nothing wider', () => {
    expect(scopeResourceType("[format('Microsoft.Storage/storageAccounts/{0}', parameters('n'))]")).toBe(
      'Microsoft.Storage/storageAccounts',
    );
    expect(scopeResourceType("[format('Microsoft.KeyVault/vaults/{0}/secrets/{1}', parameters('v'), 'k')]")).toBe(
      'Microsoft.KeyVault/vaults/secrets',
    );
    expect(scopeResourceType("[resourceId('Microsoft.Network/dnsZones', parameters('z'))]")).toBe('Microsoft.Network/dnsZones');
    expect(scopeResourceType('[resourceGroup().id]')).toBeUndefined();
    expect(scopeResourceType('[subscription().id]')).toBeUndefined();
    expect(scopeResourceType(undefined)).toBeUndefined();
  });

  test('resolve follows module parameters to the parent, then variables and defaults', () => {
    const root = fixture();
    const scopes = allScopes(root);
    expect(scopes.map((s) => s.path.join('/'))).toEqual(['', 'storage', 'roles', 'vault', 'app']);
    const storage = scopes[1]!;
    expect(resolve(storage, "[parameters('tableNames')]")).toEqual(['Certificates', 'Issuers']);
    expect(resolve(storage, "[parameters('name')]")).toBe('stabc');
    const app = scopes[4]!;
    expect(resolve(app, "[parameters('nodeVersion')]")).toBe('20');
    expect(resolve(app, "[parameters('audience')]")).toBe("[parameters('audience')]");
  });

  test('resourceLeafNames expands copy loops and reads literal last segments', () => {
    const root = fixture();
    const names = (type: string) => findResources(root, type).flatMap(({ scope, resource }) => resourceLeafNames(scope, resource));
    expect(names('Microsoft.Storage/storageAccounts/tableServices/tables')).toEqual(['Certificates', 'Issuers']);
    expect(names('Microsoft.Storage/storageAccounts/queueServices/queues')).toEqual(['jobs']);
  });

  test('functionAppSettings lists the settings of the one function app', () => {
    expect(functionAppSettings(fixture()).settings.map((s) => s.name)).toEqual(['AUTH_AUDIENCE', 'KEY_ENCRYPTION_KEY']);
  });

  test('functionAppSettings reads a computed list by its structure, with the condition of each optional setting', () => {
    const root = fixture();
    const site = findResources(root, 'Microsoft.Web/sites')[0]!.resource;
    (site.properties!.siteConfig as Record<string, unknown>).appSettings =
      "[concat(createArray(createObject('name', 'AUTH_AUDIENCE', 'value', parameters('audience'))), if(empty(parameters('zone')), createArray(), createArray(createObject('name', 'ZONE', 'value', parameters('zone')))))]";
    expect(functionAppSettings(root).settings).toEqual([
      { name: 'AUTH_AUDIENCE', value: "[parameters('audience')]" },
      { name: 'ZONE', value: "[parameters('zone')]", condition: "not(empty(parameters('zone')))" },
    ]);
  });
});

describe('role assignment checks', () => {
  test('pass assignments scoped to one resource, named guid(scope, principal, role)', () => {
    const findings = roleAssignments(fixture());
    expect(findings.map((f) => [f.where, f.role, f.problems])).toEqual([
      ['roles', 'Storage Blob Data Owner', []],
      ['vault', 'Key Vault Secrets User', []],
    ]);
  });

  test('catch an assignment on the resource group (no scope) or a subscription', () => {
    const root = fixture();
    const [assignment] = moduleResources(root, 'roles');
    delete assignment!.scope;
    expect(roleAssignments(root)[0]!.problems).toContainEqual(expect.stringMatching(/not scoped to a single resource/));
    assignment!.scope = '[subscription().id]';
    expect(roleAssignments(root)[0]!.problems).toContainEqual(expect.stringMatching(/not scoped to a single resource/));
  });

  test('catch a role on the wrong kind of resource, or an unknown role', () => {
    const root = fixture();
    const resources = moduleResources(root, 'roles');
    resources[0] = roleAssignment({
      scope: "[format('Microsoft.KeyVault/vaults/{0}', parameters('storageAccountName'))]",
    });
    expect(roleAssignments(root)[0]!.problems).toContainEqual(
      'Storage Blob Data Owner is assigned on Microsoft.KeyVault/vaults, expected Microsoft.Storage/storageAccounts',
    );
    const contributor = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
    resources[0] = roleAssignment({
      properties: {
        roleDefinitionId: `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${contributor}')]`,
        principalId: "[parameters('principalId')]",
        principalType: 'ServicePrincipal',
      },
    });
    expect(roleAssignments(root)[0]!.problems).toContainEqual(expect.stringMatching(/not one known built-in role/));
  });

  test('catch a name that is not guid(scope id, principal id, role id), and a missing principal type', () => {
    const root = fixture();
    const resources = moduleResources(root, 'roles');
    resources[0] = roleAssignment({ name: "[guid(resourceGroup().id, parameters('principalId'), variables('blobOwner'))]" });
    expect(roleAssignments(root)[0]!.problems).toContainEqual(expect.stringMatching(/name is not guid/));
    resources[0] = roleAssignment({ name: 'fixed-name' });
    expect(roleAssignments(root)[0]!.problems).toContainEqual(expect.stringMatching(/name is not guid/));
    resources[0] = roleAssignment();
    delete resources[0].properties!.principalType;
    expect(roleAssignments(root)[0]!.problems).toEqual(['principalType is not ServicePrincipal']);
  });
});

describe('secure parameter and output checks', () => {
  test('follow the key-encryption key into the vault secret only', () => {
    expect(secureParameterFlow(fixture(), 'keyEncryptionKey')).toEqual({
      sinks: ['Microsoft.KeyVault/vaults/secrets condition', 'Microsoft.KeyVault/vaults/secrets properties.value'],
      problems: [],
    });
  });

  test('catch the key passed on as plain text, or written into an app setting or an output', () => {
    const root = fixture();
    const vault = allScopes(root).find((s) => s.path.join('/') === 'vault')!;
    vault.template.parameters!.kek!.type = 'string';
    expect(secureParameterFlow(root, 'keyEncryptionKey').problems).toEqual(['vault: parameter kek is string, not secure']);

    const leaky = fixture();
    const appModule = (leaky.resources as ArmResource[])[3]!;
    (appModule.properties!.parameters as Record<string, { value: unknown }>).audience = { value: "[parameters('keyEncryptionKey')]" };
    leaky.outputs!.LEAK = { type: 'string', value: "[parameters('keyEncryptionKey')]" };
    const flow = secureParameterFlow(leaky, 'keyEncryptionKey');
    expect(flow.problems).toEqual(['app: parameter audience is string, not secure']);
    expect(flow.sinks).toEqual(
      expect.arrayContaining(['main outputs.LEAK.value', 'Microsoft.Web/sites properties.siteConfig.appSettings.0.value']),
    );
  });

  test('outputs: pass names and URIs, catch list*() calls, secure values and secret-sounding names', () => {
    expect(outputProblems(fixture())).toEqual([]);
    const root = fixture();
    root.outputs = {
      STORAGE_KEY: { type: 'string', value: "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'st'), '2023-05-01').keys[0].value]" },
      KEK: { type: 'securestring', value: "[parameters('keyEncryptionKey')]" },
      DB_PASSWORD: { type: 'string', value: 'x' },
      AI: { type: 'string', value: "[reference('ai').ConnectionString]" },
      RAW: { type: 'string', value: 'q2Pq5o4mVw3k0P8Zr1sYV1+Yq3rD0n7Jb8Wm4l6kX2A=' },
    };
    const problems = outputProblems(root);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/STORAGE_KEY: \[listKeys/),
        'main output KEK has secure type securestring',
        'main output KEK uses secure parameter keyEncryptionKey',
        'main output DB_PASSWORD has a secret-sounding name',
        expect.stringMatching(/output AI: .*ConnectionString/),
        expect.stringMatching(/output RAW has a key-like literal/),
      ]),
    );
  });
});
