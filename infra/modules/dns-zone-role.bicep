// Optional: lets the app's identity write the TXT records of ACME DNS-01 challenges in an existing Azure
// DNS zone. Deployed into the zone's resource group; scoped to the zone only.

@description('Name of the existing Azure DNS zone, e.g. example.com.')
param dnsZoneName string

@description('Object id of the identity that gets the role.')
param principalId string

// Built-in role definition id. DNS Zone Contributor: manage record sets in the zone.
var dnsZoneContributorRoleId = 'befefa01-2a29-4197-83a8-272ff33ce314'

resource zone 'Microsoft.Network/dnsZones@2018-05-01' existing = {
  name: dnsZoneName
}

resource zoneContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(zone.id, principalId, dnsZoneContributorRoleId)
  scope: zone
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', dnsZoneContributorRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Id of the role assignment made.')
output roleAssignmentId string = zoneContributor.id
