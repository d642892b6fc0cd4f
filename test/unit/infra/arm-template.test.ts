/**
 * Compiles infra/main.bicep with the Bicep CLI and checks the ARM template it becomes, by its structure
 * (nested module deployments included), against the names and settings the code uses.
 *
 * Needs the Bicep CLI (see findBicep in ./bicep.ts for where it is looked for). Without one, the suite is
 * skipped with one warning saying why, except in CI (CI=true) or under .ci/run (REQUIRE_BICEP=1), where
 * a test fails instead: CI must compile the templates, not report them as skipped.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DEPLOYED_REQUIRED_SETTINGS, SETTINGS } from '../../../shared/config';
import { parseDnsZoneResourceId } from '../../../shared/issuers/acme/dns-zone-id';
import { RESTORE_BODY_MAX_BYTES } from '../../../shared/api/schemas/request-bodies.schema';
import { ALL_QUEUES, ALL_TABLES, STORAGE_CONNECTION } from '../../../shared/names';
import {
  type ArmTemplate,
  allScopes,
  findResources,
  inlineStringVariables,
  isExpression,
  propertyIgnoringCase,
  resolve,
  resourceLeafNames,
  resourcesOf,
} from './arm';
import { type ArmValue, SUBSCRIPTION_PLACEHOLDER, evaluate, evaluateValue } from './arm-evaluate';
import { INFRA_DIR, INSTALL_HINT, REPO_ROOT, bicepRequired, buildTemplate, locateBicep, runBicep } from './bicep';
import { ROLES, functionAppSettings, outputProblems, roleAssignments, secureParameterFlow } from './checks';

const MAIN = 'infra/main.bicep';
const SUITE = 'infra/main.bicep compiled to ARM';

function bicepFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return bicepFiles(full);
    return entry.name.endsWith('.bicep') ? [path.relative(path.dirname(INFRA_DIR), full)] : [];
  });
}

/** The literal value of a setting, following module parameters back to where they are supplied. */
function settingValue(name: string): unknown {
  const { scope, settings } = functionAppSettings(template());
  const setting = settings.find((s) => s.name === name);
  if (!setting) throw new Error(`app setting ${name} is not set`);
  return resolve(scope, setting.value);
}

/** The Node.js majors package.json's `engines.node` lists as `^NN` alternatives, e.g. "^20 || ^22". */
function supportedNodeMajors(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { engines?: { node?: string } };
  return [...(pkg.engines?.node ?? '').matchAll(/\^(\d+)/g)].map((m) => m[1]!);
}

let compiled: { template: ArmTemplate; diagnostics: string } | undefined;
function template(): ArmTemplate {
  compiled ??= buildTemplate(MAIN);
  return compiled.template;
}

/** The checks on the compiled template; registered at the bottom, or replaced by a skip or a failure. */
function compiledTemplateChecks(): void {
  beforeAll(() => {
    template();
  });

  test('bicep build and bicep lint report nothing, for every template', () => {
    expect(compiled?.diagnostics).toBe('');
    const files = bicepFiles(INFRA_DIR);
    expect(files).toContain(MAIN);
    expect(files.length).toBeGreaterThan(1);
    // One process for every file (each start of the CLI costs seconds); diagnostics name their file.
    const lint = runBicep(['lint', '--pattern', 'infra/**/*.bicep']);
    expect({ status: lint.status, output: `${lint.stdout}${lint.stderr}`.trim() }).toEqual({ status: 0, output: '' });
  }, 120_000);

  test('only local modules: every module is compiled into the template', () => {
    const deployments = findResources(template(), 'Microsoft.Resources/deployments');
    expect(deployments.length).toBeGreaterThan(0);
    for (const { resource } of deployments) {
      expect(resource.properties?.template).toBeDefined();
      expect(resource.properties?.templateLink).toBeUndefined();
    }
  });

  test('no listKeys (or any list*() call) anywhere', () => {
    const text = JSON.stringify(template());
    expect(text).not.toMatch(/\blist[A-Z]\w*\(/);
    expect(text.toLowerCase()).not.toContain('listkeys');
  });

  test('the storage account refuses shared keys, public blobs, old TLS and plain HTTP', () => {
    const accounts = findResources(template(), 'Microsoft.Storage/storageAccounts');
    expect(accounts).toHaveLength(1);
    const properties = accounts[0]!.resource.properties;
    expect(properties).toMatchObject({
      allowSharedKeyAccess: false,
      allowBlobPublicAccess: false,
      minimumTlsVersion: 'TLS1_2',
      supportsHttpsTrafficOnly: true,
    });
  });

  test('every table and queue of shared/names.ts exists, and no other', () => {
    const names = (type: string) =>
      findResources(template(), type).flatMap(({ scope, resource }) => resourceLeafNames(scope, resource));
    expect(names('Microsoft.Storage/storageAccounts/tableServices/tables').sort()).toEqual([...ALL_TABLES].sort());
    expect(names('Microsoft.Storage/storageAccounts/queueServices/queues').sort()).toEqual([...ALL_QUEUES].sort());
  });

  test('the function app runs on Flex Consumption (node), deploying from blob storage with its identity', () => {
    const plans = findResources(template(), 'Microsoft.Web/serverfarms');
    expect(plans).toHaveLength(1);
    expect(plans[0]!.resource.sku).toEqual({ name: 'FC1', tier: 'FlexConsumption' });

    const { scope, site } = functionAppSettings(template());
    expect(site.kind).toBe('functionapp,linux');
    expect(site.properties?.httpsOnly).toBe(true);
    const config = site.properties?.functionAppConfig as Record<string, Record<string, Record<string, unknown>>>;
    expect(config.runtime?.name).toBe('node');
    // The runtime the template picks must be one package.json's engines allows (the code is built for it).
    expect(supportedNodeMajors()).toContain(resolve(scope, config.runtime?.version));
    expect(config.deployment?.storage).toMatchObject({
      type: 'blobContainer',
      authentication: { type: 'UserAssignedIdentity' },
    });
    expect(config.scaleAndConcurrency).toBeDefined();
    expect(site.properties?.keyVaultReferenceIdentity).toBeDefined();
  });

  test('every setting the deployed app reads (DEPLOYED_REQUIRED_SETTINGS) is set on the function app', () => {
    const names = functionAppSettings(template()).settings.map((s) => s.name);
    for (const required of DEPLOYED_REQUIRED_SETTINGS) expect(names).toContain(required);
    expect(new Set(names).size).toBe(names.length);
  });

  test('every app setting is one the app, the Functions host or Application Insights reads; no classic ones', () => {
    const known = new Set<string>(Object.values(SETTINGS));
    const platform = /^(AzureWebJobsStorage__(blobServiceUri|queueServiceUri|tableServiceUri|credential|clientId)|APPLICATIONINSIGHTS_(CONNECTION_STRING|AUTHENTICATION_STRING)|FUNCTIONS_REQUEST_BODY_SIZE_LIMIT)$/;
    const names = functionAppSettings(template()).settings.map((s) => s.name);
    expect(names.filter((n) => !known.has(n) && !platform.test(n))).toEqual([]);
    // Flex Consumption rejects or ignores these; a connection string would carry a key.
    const forbidden = /^(FUNCTIONS_WORKER_RUNTIME|FUNCTIONS_EXTENSION_VERSION|WEBSITE_RUN_FROM_PACKAGE|WEBSITE_CONTENT.*|WEBSITE_NODE_DEFAULT_VERSION|AzureWebJobsStorage)$/;
    expect(names.filter((n) => forbidden.test(n))).toEqual([]);
    expect(names).not.toContain(STORAGE_CONNECTION);
    expect(names).not.toContain(SETTINGS.authLocalKeyFile);
  });

  test('storage connections are identity-based, with the user-assigned identity', () => {
    for (const prefix of [STORAGE_CONNECTION, 'AzureWebJobsStorage']) {
      expect(settingValue(`${prefix}__credential`)).toBe('managedidentity');
      expect(String(settingValue(`${prefix}__clientId`))).toMatch(/outputs\.clientId\.value/i);
    }
    expect(String(settingValue(SETTINGS.storageTableUri))).toMatch(/primaryEndpoints\.table/);
    expect(String(settingValue(SETTINGS.storageQueueUri))).toMatch(/primaryEndpoints\.queue/);
    expect(String(settingValue('AzureWebJobsStorage__blobServiceUri'))).toMatch(/primaryEndpoints\.blob/);
  });

  test('entra auth, with tenant and audience taken from parameters', () => {
    expect(settingValue(SETTINGS.authMode)).toBe('entra');
    const root = template();
    expect(root.parameters?.authTenantId).toBeDefined();
    expect(root.parameters?.authAudience).toBeDefined();
    expect(String(settingValue(SETTINGS.authTenantId))).toContain("parameters('authTenantId')");
    expect(settingValue(SETTINGS.authAudience)).toBe("[parameters('authAudience')]");
    expect(typeof settingValue(SETTINGS.statusSweepSchedule)).toBe('string');
    expect(typeof settingValue(SETTINGS.purgeSchedule)).toBe('string');
    expect(settingValue(SETTINGS.softDeleteRetentionDays)).toContain('softDeleteRetentionDays');
  });

  test('KEY_ENCRYPTION_KEY is a Key Vault reference; the key itself goes into the vault secret and nowhere else', () => {
    const value = settingValue(SETTINGS.keyEncryptionKey);
    expect(isExpression(value)).toBe(true);
    expect(String(value)).toContain('@Microsoft.KeyVault(SecretUri=');
    expect(String(value)).not.toContain('keyEncryptionKey');

    expect(template().parameters?.keyEncryptionKey?.type).toBe('securestring');
    const flow = secureParameterFlow(template(), 'keyEncryptionKey');
    expect(flow.problems).toEqual([]);
    expect(flow.sinks.filter((s) => !/^Microsoft\.KeyVault\/vaults\/secrets (properties\.value|condition)$/.test(s))).toEqual([]);
    expect(flow.sinks).toContain('Microsoft.KeyVault/vaults/secrets properties.value');

    const vaults = findResources(template(), 'Microsoft.KeyVault/vaults');
    expect(vaults).toHaveLength(1);
    expect(vaults[0]!.resource.properties?.enableRbacAuthorization).toBe(true);
  });

  test('a first deployment without the key fails before the app exists; a malformed key fails the deployment', () => {
    // The app's Key Vault reference takes its URI from the secret-role module, which reads it from the
    // secret itself (a GET at deployment time) and deploys no secret: no secret, no app.
    const { scope: appScope } = functionAppSettings(template());
    expect(settingValue(SETTINGS.keyEncryptionKey)).toBe(
      "[format('@Microsoft.KeyVault(SecretUri={0})', parameters('kekSecretUri'))]",
    );
    const appParameters = appScope.deployment?.properties?.parameters as Record<string, { value?: unknown }>;
    expect(String(appParameters.kekSecretUri?.value)).toMatch(
      /reference\(resourceId\('Microsoft\.Resources\/deployments', 'keyvault-secret-role'\)/,
    );
    const roleScope = allScopes(template()).find((s) => s.path.join('/') === 'keyvault-secret-role')!;
    expect(String(roleScope.template.outputs?.kekSecretUri?.value)).toMatch(
      /^\[reference\(resourceId\('Microsoft\.KeyVault\/vaults\/secrets', .*\)\.secretUri\]$/,
    );
    expect(findResources(roleScope.template, 'Microsoft.KeyVault/vaults/secrets')).toEqual([]);

    // The secret is written only when a key is given, and only a value that can be 32 bytes of base64.
    const [secret, ...others] = findResources(template(), 'Microsoft.KeyVault/vaults/secrets');
    expect(others).toEqual([]);
    expect(secret!.resource.condition).toBe("[not(empty(parameters('keyEncryptionKey')))]");
    const value = String(secret!.resource.properties?.value);
    expect(value).toMatch(/^\[if\(.*empty\(parameters\('keyEncryptionKey'\)\).*, parameters\('keyEncryptionKey'\), fail\('[^']*'\)\)\]$/);
    expect(value).toContain("equals(length(parameters('keyEncryptionKey')), 44)");
  });

  test('Application Insights refuses local auth; the app authenticates its telemetry with the identity', () => {
    const components = findResources(template(), 'Microsoft.Insights/components');
    expect(components).toHaveLength(1);
    expect(propertyIgnoringCase(components[0]!.resource.properties, 'disableLocalAuth')).toBe(true);
    expect(String(settingValue('APPLICATIONINSIGHTS_AUTHENTICATION_STRING'))).toMatch(/ClientId=\{0\};Authorization=AAD/);
  });

  test('role assignments: least privilege, each on the one resource it needs', () => {
    const assignments = roleAssignments(template());
    expect(assignments.filter((a) => a.problems.length > 0)).toEqual([]);
    expect(assignments.map((a) => a.role).sort()).toEqual(ROLES.map((r) => r.name).sort());
  });

  test('the DNS Zone Contributor assignment is optional and off by default', () => {
    const dnsRoleId = ROLES.find((r) => r.name === 'DNS Zone Contributor')!.id;
    const dns = allScopes(template()).find((scope) =>
      resourcesOf(scope.template).some(
        (r) =>
          r.type === 'Microsoft.Authorization/roleAssignments' &&
          inlineStringVariables(scope, String(r.properties?.roleDefinitionId)).includes(dnsRoleId),
      ),
    );
    expect(dns?.path).toEqual(['dns-zone-role']);
    expect(dns?.deployment?.condition).toBe("[parameters('grantDnsZoneContributor')]");
    expect(template().parameters?.grantDnsZoneContributor?.defaultValue).toBe(false);
    expect(dns?.deployment?.resourceGroup).toBe("[parameters('dnsZoneResourceGroupName')]");
  });

  test('ACME_DNS_ZONE_RESOURCE_ID is set exactly when a DNS zone is given, to the id of the zone the role is granted on', () => {
    const { scope, settings } = functionAppSettings(template());
    const [zoneSetting, ...others] = settings.filter((s) => s.name === SETTINGS.acmeDnsZoneResourceId);
    expect(others).toEqual([]);
    if (!zoneSetting?.condition) throw new Error(`${SETTINGS.acmeDnsZoneResourceId} is not set conditionally: ${JSON.stringify(zoneSetting)}`);
    const zone = { grantDnsZoneContributor: true, dnsZoneName: 'contoso.example', dnsZoneResourceGroupName: 'dns-rg' };
    const deployed = (given: Record<string, ArmValue>) => (evaluate(scope, zoneSetting.condition ?? '', given) ? evaluateValue(scope, zoneSetting.value, given) : undefined);

    expect(deployed({})).toBeUndefined();
    expect(deployed({ dnsZoneName: 'contoso.example', dnsZoneResourceGroupName: 'dns-rg' })).toBeUndefined();
    const value = deployed(zone);
    expect(value).toBe(`/subscriptions/${SUBSCRIPTION_PLACEHOLDER}/resourceGroups/dns-rg/providers/Microsoft.Network/dnsZones/contoso.example`);
    // What the app parses at start (shared/config.ts), and the zone the role module is deployed for.
    expect(parseDnsZoneResourceId(String(value))).toEqual({ subscriptionId: SUBSCRIPTION_PLACEHOLDER, resourceGroupName: 'dns-rg', zoneName: 'contoso.example' });
    const role = allScopes(template()).find((s) => s.path.join('/') === 'dns-zone-role');
    expect(role && evaluate(role, "[parameters('dnsZoneName')]", zone)).toBe('contoso.example');
    // Every other setting is always there.
    expect(settings.filter((s) => s.condition !== undefined).map((s) => s.name)).toEqual([
      SETTINGS.acmeDnsZoneResourceId,
      SETTINGS.publicBaseUrl,
      SETTINGS.eventGridTopicEndpoint,
      SETTINGS.dashboardClientId,
    ]);
  });

  test('PUBLIC_BASE_URL is set exactly when a public base URL is given, and the app takes what is set', () => {
    const { scope, settings } = functionAppSettings(template());
    const setting = settings.find((s) => s.name === SETTINGS.publicBaseUrl);
    if (!setting?.condition) throw new Error(`${SETTINGS.publicBaseUrl} is not set conditionally: ${JSON.stringify(setting)}`);
    const deployed = (given: Record<string, ArmValue>) => (evaluate(scope, setting.condition ?? '', given) ? evaluateValue(scope, setting.value, given) : undefined);
    expect(deployed({})).toBeUndefined();
    expect(deployed({ publicBaseUrl: 'https://certs.contoso.com' })).toBe('https://certs.contoso.com');
  });

  test('DASHBOARD_CLIENT_ID is set exactly when the dashboard registration is given, from main down to the app', () => {
    const { scope, settings } = functionAppSettings(template());
    const setting = settings.find((s) => s.name === SETTINGS.dashboardClientId);
    if (!setting?.condition) throw new Error(`${SETTINGS.dashboardClientId} is not set conditionally: ${JSON.stringify(setting)}`);
    const deployed = (given: Record<string, ArmValue>) => (evaluate(scope, setting.condition ?? '', given) ? evaluateValue(scope, setting.value, given) : undefined);
    expect(deployed({})).toBeUndefined();
    const clientId = '6c9a1f0e-2b7d-4c3e-9a8f-1d2e3f4a5b6c';
    expect(deployed({ dashboardClientId: clientId })).toBe(clientId);
    expect(template().parameters?.dashboardClientId?.defaultValue).toBe('');
    expect(JSON.stringify(scope.deployment?.properties?.parameters)).toContain(`"dashboardClientId":{"value":"[parameters('dashboardClientId')]"}`);
  });

    test('the Event Grid topic is on by default, takes no keys, and the app identity alone may publish to it', () => {
    expect(template().parameters?.eventGridTopic?.defaultValue).toBe(true);
    const topics = findResources(template(), 'Microsoft.EventGrid/topics');
    expect(topics).toHaveLength(1);
    expect(topics[0]!.resource.properties).toMatchObject({ inputSchema: 'EventGridSchema', disableLocalAuth: true });
    const topicScope = allScopes(template()).find((s) => s.path.join('/') === 'event-grid-topic');
    expect(topicScope?.deployment?.condition).toBe("[parameters('eventGridTopic')]");
    const sender = roleAssignments(template()).filter((a) => a.role === 'EventGrid Data Sender');
    expect(sender).toEqual([expect.objectContaining({ scopeType: 'Microsoft.EventGrid/topics', problems: [] })]);
    const principal = (topicScope?.deployment?.properties?.parameters as Record<string, { value?: unknown }>).principalId?.value;
    expect(String(principal)).toMatch(/'identity'.*outputs\.principalId\.value/);
  });

  test('EVENT_GRID_TOPIC_ENDPOINT is set exactly when the topic is provisioned, to its endpoint', () => {
    const { scope, settings } = functionAppSettings(template());
    const setting = settings.find((s) => s.name === SETTINGS.eventGridTopicEndpoint);
    if (!setting?.condition) throw new Error(`${SETTINGS.eventGridTopicEndpoint} is not set conditionally: ${JSON.stringify(setting)}`);
    // Within the app module: set exactly when the module is handed an endpoint (its default is none), to that
    // endpoint. (main hands it in through one if() over the whole parameter, which the offline evaluator
    // cannot follow through a reference(), so that is checked as written below.)
    expect(setting.condition).toBe("not(empty(parameters('eventGridTopicEndpoint')))");
    expect(evaluate(scope, setting.condition ?? '', {})).toBe(false);
    expect(setting.value).toBe("[parameters('eventGridTopicEndpoint')]");
    // And main hands it the topic's own endpoint when the topic is provisioned, nothing otherwise.
    const handedIn = JSON.stringify(scope.deployment?.properties?.parameters);
    expect(handedIn).toContain("[if(parameters('eventGridTopic'), createObject('value', reference(resourceId('Microsoft.Resources/deployments', 'event-grid-topic')");
    expect(handedIn).toContain(".outputs.endpoint.value), createObject('value', ''))]");
  });

  test("the Functions host refuses, unread, any body larger than the largest the app takes (a restore's)", () => {
    const limit = Number(settingValue('FUNCTIONS_REQUEST_BODY_SIZE_LIMIT'));
    expect(limit).toBeGreaterThanOrEqual(RESTORE_BODY_MAX_BYTES);
    expect(limit).toBeLessThan(RESTORE_BODY_MAX_BYTES * 1.1);
  });

  test('outputs: endpoint, resource names and identity client id; nothing secret', () => {
    expect(outputProblems(template())).toEqual([]);
    expect(Object.keys(template().outputs ?? {})).toEqual(
      expect.arrayContaining([
        'SERVICE_API_ENDPOINT_URL',
        'AZURE_FUNCTION_APP_NAME',
        'AZURE_STORAGE_ACCOUNT_NAME',
        'AZURE_KEY_VAULT_NAME',
        'AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID',
      ]),
    );
  });
}

const bicep = locateBicep();
if (bicep.found) {
  describe(SUITE, compiledTemplateChecks);
} else if (bicepRequired() || bicep.misconfigured) {
  describe(SUITE, () => {
    test('the Bicep CLI is available (required when CI=true or REQUIRE_BICEP=1, or when BICEP_BIN is set)', () => {
      throw new Error(`${bicep.reason} ${INSTALL_HINT}`);
    });
  });
} else {
  console.warn(`Skipping "${SUITE}": ${bicep.reason} ${INSTALL_HINT}`);
  describe.skip(SUITE, compiledTemplateChecks);
}
