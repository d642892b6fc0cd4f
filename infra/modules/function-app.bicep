// The Flex Consumption plan and the function app. Everything the app reaches, it reaches as its
// user-assigned identity: storage (host and app), Application Insights, and the key-encryption key through
// a Key Vault reference. Flex Consumption manages the runtime and the package itself, so the classic
// settings (FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE,
// WEBSITE_CONTENT*) are not set: `functionAppConfig` replaces them.

@description('Name of the function app (globally unique host name).')
@minLength(2)
@maxLength(60)
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region.')
param location string

@description('Tags for the resources.')
param tags object

@description('Value of the azd-service-name tag, which azd uses to find the app to deploy to.')
param serviceName string = 'api'

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Name of the storage account (host and app data).')
param storageAccountName string

@description('Blob container for the deployment package.')
param deploymentContainerName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Versionless URI of the Key Vault secret that holds the key-encryption key.')
param kekSecretUri string

@description('Entra ID tenant whose tokens the API accepts.')
param authTenantId string

@description('Audience (aud) the API requires in access tokens.')
param authAudience string

@description('AUTHORIZATION_MODE: roles (Key Vault app roles from the token) or any-valid-token.')
@allowed(['roles', 'any-valid-token'])
param authorizationMode string

@description('NCRONTAB schedule of the status sweep.')
param statusSweepSchedule string

@description('NCRONTAB schedule of the purge timer.')
param purgeSchedule string

@description('NCRONTAB schedule of the lifetime sweep.')
param lifetimeSchedule string

@description('Seconds after which an operation still in progress fails with a timeout.')
param operationMaxAgeSeconds int

@description('Seconds without progress after which the status sweep enqueues an issuer job again.')
param jobRedriveAfterSeconds int

@description('Days a deleted certificate stays recoverable before it is purged (7-90, as on Key Vault).')
@minValue(7)
@maxValue(90)
param softDeleteRetentionDays int

@description('Node.js major version.')
@allowed([
  '20'
  '22'
])
param nodeVersion string

@description('Memory of each instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Most instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Resource id of the Azure DNS zone where the app answers ACME DNS-01 challenges (it needs DNS Zone Contributor there). Empty: no zone, and ACME uses HTTP-01.')
param acmeDnsZoneResourceId string = ''

// ACME_DNS_ZONE_RESOURCE_ID exists exactly when a zone is given: the app reads an absent setting as "no zone".
var acmeSettings = empty(acmeDnsZoneResourceId) ? [] : [
  { name: 'ACME_DNS_ZONE_RESOURCE_ID', value: acmeDnsZoneResourceId }
]

@description('PUBLIC_BASE_URL: the vault URL clients use (an origin such as https://certs.contoso.com), for a custom domain. Empty: ids use https://<the Function App host name>.')
param publicBaseUrl string = ''

// Absent unless given: the app then builds ids on WEBSITE_HOSTNAME, which the platform sets.
var publicUrlSettings = empty(publicBaseUrl) ? [] : [
  { name: 'PUBLIC_BASE_URL', value: publicBaseUrl }
]

@description('DASHBOARD_CLIENT_ID: client id of the dashboard\'s app registration, for its Entra ID sign-in. Empty: not set up.')
param dashboardClientId string = ''

// Absent unless given: the dashboard then tells its user that sign-in is not set up.
var dashboardSettings = empty(dashboardClientId) ? [] : [
  { name: 'DASHBOARD_CLIENT_ID', value: dashboardClientId }
]

@description('EVENT_GRID_TOPIC_ENDPOINT: the Event Grid topic certificate events are published to with the app identity. Empty: none.')
param eventGridTopicEndpoint string = ''

var eventGridSettings = empty(eventGridTopicEndpoint) ? [] : [
  { name: 'EVENT_GRID_TOPIC_ENDPOINT', value: eventGridTopicEndpoint }
]

// The Functions host reads a whole request before the worker sees it, up to this many bytes (100 MB unless
// set): the largest body the app takes is a restore's (RESTORE_BODY_MAX_BYTES, 32 MiB + 1 KiB), so anything
// larger is refused by the host without being held.
var requestBodySizeLimitBytes = '34603008' // 33 MiB

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with this identity (the default would be a system-assigned one).
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: concat([
        // The Functions host's own storage (locks, timer leases, deployment), identity-based.
        { name: 'AzureWebJobsStorage__blobServiceUri', value: storage.properties.primaryEndpoints.blob }
        { name: 'AzureWebJobsStorage__queueServiceUri', value: storage.properties.primaryEndpoints.queue }
        { name: 'AzureWebJobsStorage__tableServiceUri', value: storage.properties.primaryEndpoints.table }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
        // The app's connection (shared/names.ts STORAGE_CONNECTION), used by bindings and adapters alike.
        { name: 'CertStorage__tableServiceUri', value: storage.properties.primaryEndpoints.table }
        { name: 'CertStorage__queueServiceUri', value: storage.properties.primaryEndpoints.queue }
        { name: 'CertStorage__credential', value: 'managedidentity' }
        { name: 'CertStorage__clientId', value: identityClientId }
        // The key-encryption key: a reference, resolved by the platform; the value is never in a setting.
        { name: 'KEY_ENCRYPTION_KEY', value: '@Microsoft.KeyVault(SecretUri=${kekSecretUri})' }
        { name: 'AUTH_MODE', value: 'entra' }
        { name: 'AUTH_TENANT_ID', value: authTenantId }
        { name: 'AUTH_AUDIENCE', value: authAudience }
        { name: 'AUTHORIZATION_MODE', value: authorizationMode }
        { name: 'AUTH_AUTHORITY_HOST', value: environment().authentication.loginEndpoint }
        { name: 'STATUS_SWEEP_SCHEDULE', value: statusSweepSchedule }
        { name: 'PURGE_SCHEDULE', value: purgeSchedule }
        { name: 'LIFETIME_SCHEDULE', value: lifetimeSchedule }
        { name: 'OPERATION_MAX_AGE_SECONDS', value: string(operationMaxAgeSeconds) }
        { name: 'JOB_REDRIVE_AFTER_SECONDS', value: string(jobRedriveAfterSeconds) }
        { name: 'SOFT_DELETE_RETENTION_DAYS', value: string(softDeleteRetentionDays) }
        { name: 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT', value: requestBodySizeLimitBytes }
        // Telemetry with Entra ID auth: the component refuses the instrumentation key alone.
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsights.properties.ConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
      ], acmeSettings, publicUrlSettings, eventGridSettings, dashboardSettings)
    }
  }
}

// Deployments authenticate with Entra ID (azd, az CLI); the basic-auth publishing credentials are off.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

@description('Name of the function app.')
output name string = functionApp.name

@description('Default host name of the function app.')
output defaultHostName string = functionApp.properties.defaultHostName
