// The certificate service in one resource group: a Flex Consumption function app running as a
// user-assigned identity, its storage account (tables, queues, host data, deployment package), a small
// Key Vault holding the key-encryption key, and Log Analytics + Application Insights.
//
// No keys anywhere: storage refuses shared keys, Application Insights refuses its instrumentation key
// alone, and the key-encryption key reaches the app only through a Key Vault reference.
//
// Deploy with `azd up`, or `az deployment group create -g <group> -f infra/main.bicep -p ...`
// (see docs/deploy.md). Only local modules: compiles offline.

targetScope = 'resourceGroup'

metadata description = 'Key Vault certificates API on Azure Functions (Flex Consumption), identity-based throughout.'

@description('Name of the environment (azd environment name); part of the resource names and tags.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Azure region of the resources (one that offers Flex Consumption).')
@minLength(1)
param location string = resourceGroup().location

@description('Entra ID tenant whose access tokens the API accepts. Empty: the tenant of this deployment.')
param authTenantId string = ''

@description('Audience (aud claim) the API requires in access tokens: the Application ID URI (or client id) of the API app registration.')
@minLength(1)
param authAudience string

@description('How callers are authorized (AUTHORIZATION_MODE): roles = by the Key Vault app roles in their token (KeyVault.Administrator, KeyVault.CertificatesOfficer, ...; docs/deploy.md creates and assigns them); any-valid-token = every caller with a valid token may do everything.')
@allowed(['roles', 'any-valid-token'])
param authorizationMode string = 'roles'

@description('The vault URL clients use, for a custom domain (PUBLIC_BASE_URL: an origin such as https://certs.contoso.com). Empty: ids, Location and target use https://<the Function App host name>.')
param publicBaseUrl string = ''

@description('Client id of the dashboard\'s own app registration (a single-page app pre-authorized for the API\'s user_impersonation scope; docs/deploy.md step 5), for the dashboard\'s Entra ID sign-in (DASHBOARD_CLIENT_ID). Empty: the dashboard says sign-in is not set up; the API is unaffected.')
param dashboardClientId string = ''

@description('Key-encryption key: 32 random bytes, base64 (openssl rand -base64 32). Required on the first deployment (without it the deployment fails: the secret key-encryption-key is not found); it is written into the Key Vault secret and nowhere else. Empty keeps the secret already in the vault. Changing it makes existing certificates unreadable.')
@secure()
param keyEncryptionKey string = ''

@description('NCRONTAB schedule of the status sweep (six fields, seconds first).')
param statusSweepSchedule string = '0 */1 * * * *'

@description('NCRONTAB schedule of the purge timer, which purges deleted certificates whose retention has run out (six fields, seconds first).')
param purgeSchedule string = '0 */5 * * * *'

@description('NCRONTAB schedule of the lifetime sweep, which renews (AutoRenew) or reports (EmailContacts) certificates whose lifetime action is due (six fields, seconds first).')
param lifetimeSchedule string = '0 */10 * * * *'

@description('Seconds after which an operation still in progress fails with a timeout.')
@minValue(1)
param operationMaxAgeSeconds int = 86400

@description('Seconds without progress after which the status sweep enqueues an issuer job again.')
@minValue(1)
param jobRedriveAfterSeconds int = 60

@description('Days a deleted certificate stays recoverable before it is purged (7-90, as on Key Vault; below 90 its recoveryLevel is CustomizedRecoverable+Purgeable).')
@minValue(7)
@maxValue(90)
param softDeleteRetentionDays int = 90

@description('Node.js major version of the Functions runtime.')
@allowed([
  '20'
  '22'
])
param nodeVersion string = '22'

@description('Memory of each instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Most instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Storage redundancy.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Purge protection on the Key Vault (recommended: the key-encryption key protects every private key). Cannot be turned off once on.')
param keyVaultPurgeProtection bool = true

@description('Grant the app identity DNS Zone Contributor on an existing Azure DNS zone, for ACME DNS-01 challenges, and name that zone to the app (ACME_DNS_ZONE_RESOURCE_ID).')
param grantDnsZoneContributor bool = false

@description('Name of the existing Azure DNS zone (used when grantDnsZoneContributor is true).')
param dnsZoneName string = ''

@description('Resource group of that DNS zone, in this subscription.')
param dnsZoneResourceGroupName string = resourceGroup().name

@description('Provision an Event Grid custom topic the app publishes certificate events to (Key Vault schema, identity-based publishing; subscribe to it as to a Key Vault). Pay per operation: nothing is charged while no event is published.')
param eventGridTopic bool = true

// 13 lowercase letters and digits, stable for a subscription, group, environment and region.
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

// Storage names: the same lists as shared/names.ts (TABLES, QUEUES). test/unit/infra compiles this
// template and fails when they differ, so a rename in code must be made here too.
var tableNames = [
  'Certificates'
  'Issuers'
  'Contacts'
  'OperationsDue'
  'CertificateIndex'
]
var queueNames = [
  'issuer-jobs'
  'issuer-jobs-poison'
  'certificate-events-outbox'
  'certificate-events-outbox-poison'
  'certificate-events'
  'certificate-event-deliveries'
  'certificate-event-deliveries-poison'
  'certificate-event-deliveries-failed'
]

var kekSecretName = 'key-encryption-key'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    skuName: storageSkuName
    tableNames: tableNames
    queueNames: queueNames
    deploymentContainerName: 'app-package-${resourceToken}'
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    kekSecretName: kekSecretName
    keyEncryptionKey: keyEncryptionKey
    enablePurgeProtection: keyVaultPurgeProtection
  }
}

module storageRoles 'modules/storage-roles.bicep' = {
  name: 'storage-roles'
  params: {
    storageAccountName: storage.outputs.name
    principalId: identity.outputs.principalId
  }
}

module monitoringRole 'modules/monitoring-role.bicep' = {
  name: 'monitoring-role'
  params: {
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    principalId: identity.outputs.principalId
  }
}

module keyVaultSecretRole 'modules/keyvault-secret-role.bicep' = {
  name: 'keyvault-secret-role'
  params: {
    keyVaultName: keyVault.outputs.name
    kekSecretName: keyVault.outputs.kekSecretName
    principalId: identity.outputs.principalId
  }
}

// The zone the app answers ACME DNS-01 in: given to the app exactly when it may write there.
var acmeDnsZoneResourceId = grantDnsZoneContributor ? resourceId(dnsZoneResourceGroupName, 'Microsoft.Network/dnsZones', dnsZoneName) : ''

module dnsZoneRole 'modules/dns-zone-role.bicep' = if (grantDnsZoneContributor) {
  name: 'dns-zone-role'
  scope: resourceGroup(dnsZoneResourceGroupName)
  params: {
    dnsZoneName: dnsZoneName
    principalId: identity.outputs.principalId
  }
}

module eventTopic 'modules/event-grid-topic.bicep' = if (eventGridTopic) {
  name: 'event-grid-topic'
  params: {
    name: 'evgt-${resourceToken}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    name: 'func-${resourceToken}'
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    kekSecretUri: keyVaultSecretRole.outputs.kekSecretUri
    authTenantId: empty(authTenantId) ? tenant().tenantId : authTenantId
    authAudience: authAudience
    authorizationMode: authorizationMode
    statusSweepSchedule: statusSweepSchedule
    purgeSchedule: purgeSchedule
    lifetimeSchedule: lifetimeSchedule
    operationMaxAgeSeconds: operationMaxAgeSeconds
    jobRedriveAfterSeconds: jobRedriveAfterSeconds
    softDeleteRetentionDays: softDeleteRetentionDays
    nodeVersion: nodeVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    acmeDnsZoneResourceId: acmeDnsZoneResourceId
    publicBaseUrl: publicBaseUrl
    dashboardClientId: dashboardClientId
    eventGridTopicEndpoint: eventGridTopic ? eventTopic!.outputs.endpoint : ''
  }
  // The app starts with its roles in place: storage for the host, telemetry, and the secret behind the
  // Key Vault reference (a reference that fails at start is only retried much later; the secret's role
  // module comes first anyway, since kekSecretUri is its output).
  dependsOn: [
    storageRoles
    monitoringRole
  ]
}

@description('Base URL of the API.')
output SERVICE_API_ENDPOINT_URL string = 'https://${functionApp.outputs.defaultHostName}'

@description('Name of the function app.')
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name

@description('Name of the storage account.')
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name

@description('Name of the Key Vault that holds the key-encryption key.')
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name

@description('Name of the Application Insights component.')
output AZURE_APPLICATION_INSIGHTS_NAME string = monitoring.outputs.applicationInsightsName

@description('Name of the Log Analytics workspace.')
output AZURE_LOG_ANALYTICS_WORKSPACE_NAME string = monitoring.outputs.logAnalyticsName

@description('Name of the Event Grid topic certificate events are published to (empty when not provisioned).')
output AZURE_EVENT_GRID_TOPIC_NAME string = eventGridTopic ? eventTopic!.outputs.name : ''

@description('Name of the user-assigned identity the app runs as.')
output AZURE_USER_ASSIGNED_IDENTITY_NAME string = identity.outputs.name

@description('Client id of that identity.')
output AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID string = identity.outputs.clientId

@description('Object (principal) id of that identity.')
output AZURE_USER_ASSIGNED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
