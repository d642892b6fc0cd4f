// The Event Grid custom topic the app publishes certificate events to (Key Vault's Event Grid schema), and
// the app identity's right to publish there. Publishing is identity-only: local auth (access keys and SAS)
// is off, so no key exists to leak; subscribers are added on the topic as for any Event Grid source.

@description('Name of the topic.')
param name string

@description('Azure region.')
param location string

@description('Tags for the topic.')
param tags object

@description('Object id of the identity that may publish (the function app identity).')
param principalId string

// Built-in role definition id. EventGrid Data Sender: send events to a topic or domain.
var eventGridDataSenderRoleId = 'd5a91429-5739-47e2-a06b-3470a27159e7'

resource topic 'Microsoft.EventGrid/topics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    inputSchema: 'EventGridSchema'
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource dataSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, principalId, eventGridDataSenderRoleId)
  scope: topic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventGridDataSenderRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('EVENT_GRID_TOPIC_ENDPOINT: where the app publishes.')
output endpoint string = topic.properties.endpoint

@description('Resource id of the topic (the topic field of the events subscribers receive).')
output id string = topic.id

@description('Name of the topic.')
output name string = topic.name
