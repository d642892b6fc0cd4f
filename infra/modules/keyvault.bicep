// A small RBAC-authorized Key Vault that holds one secret: the key-encryption key (KEK) that wraps every
// certificate private key at rest. The KEK value arrives only as a secure parameter and is written only
// into the secret; the app reads it through a Key Vault reference, never as plain text.

@description('Name of the Key Vault (3-24 letters, digits and hyphens).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for the resources.')
param tags object

@description('Name of the secret that holds the key-encryption key.')
param kekSecretName string

@description('The key-encryption key: 32 random bytes in base64. Empty keeps the secret already in the vault.')
@secure()
param keyEncryptionKey string = ''

@description('Purge protection: a deleted vault (and the KEK in it) stays recoverable for the retention period.')
param enablePurgeProtection bool = true

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // Once on, purge protection cannot be turned off; ARM rejects an explicit false, so omit it instead.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

// Written only when a value is supplied, so a later deployment without the parameter leaves the key (and
// the data it protects) alone. Changing the value would make a new version the app reads from then on:
// everything encrypted under the old key would become unreadable.
resource kekSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(keyEncryptionKey)) {
  parent: vault
  name: kekSecretName
  properties: {
    value: keyEncryptionKey
    contentType: 'base64'
    attributes: {
      enabled: true
    }
  }
}

@description('Name of the Key Vault.')
output name string = vault.name

@description('Name of the key-encryption key secret.')
output kekSecretName string = kekSecretName

@description('Versionless URI of the key-encryption key secret (for a Key Vault reference; not the value).')
output kekSecretUri string = '${vault.properties.vaultUri}secrets/${kekSecretName}'
