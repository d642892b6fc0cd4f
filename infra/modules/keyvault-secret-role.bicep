// Lets the app's identity read the one secret it needs (the key-encryption key), scoped to that secret
// rather than to the vault, and hands the app the secret's URI as read from the secret itself.
//
// The secret must exist: keyvault.bicep writes it when keyEncryptionKey is given, which the first deployment
// must do. Reading the URI from the secret (a GET at deployment time) makes a first deployment without the
// key fail here, naming the missing secret, before the function app is created or pointed at nothing.

@description('Name of the Key Vault.')
param keyVaultName string

@description('Name of the key-encryption key secret.')
param kekSecretName string

@description('Object id of the identity that gets the role.')
param principalId string

// Built-in role definition id. Key Vault Secrets User: read secret contents.
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource kekSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' existing = {
  parent: vault
  name: kekSecretName
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(kekSecret.id, principalId, keyVaultSecretsUserRoleId)
  scope: kekSecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Id of the role assignment made.')
output roleAssignmentId string = secretsUser.id

@description('Versionless URI of the key-encryption key secret, read from the secret (for a Key Vault reference; not the value).')
output kekSecretUri string = kekSecret.properties.secretUri
