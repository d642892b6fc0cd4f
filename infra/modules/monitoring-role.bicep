// Lets the app's identity send telemetry to an Application Insights component whose local
// (instrumentation key) auth is disabled.

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Object id of the identity that gets the role.')
param principalId string

// Built-in role definition id. Monitoring Metrics Publisher: publish telemetry with Entra ID auth.
var monitoringMetricsPublisherRoleId = '3913510d-42f4-4e42-8a64-420c390055eb'

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, principalId, monitoringMetricsPublisherRoleId)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisherRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Id of the role assignment made.')
output roleAssignmentId string = metricsPublisher.id
