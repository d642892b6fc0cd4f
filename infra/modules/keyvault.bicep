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

@description('The key-encryption key: 32 random bytes in base64 (44 characters, or 43 unpadded). Empty keeps the secret already in the vault.')
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
//
// A value that cannot be 32 bytes of base64 fails the deployment here, before the app exists, instead of
// an app that cannot start. (The expression is false for an empty value, so it holds even if ARM evaluates
// it for the skipped resource.) The message never contains the value.
resource kekSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(keyEncryptionKey)) {
  parent: vault
  name: kekSecretName
  properties: {
    value: empty(keyEncryptionKey) || length(keyEncryptionKey) == 43 && !contains(keyEncryptionKey, '=') || length(keyEncryptionKey) == 44 && endsWith(keyEncryptionKey, '=') && !endsWith(keyEncryptionKey, '==')
      ? keyEncryptionKey
      : fail('keyEncryptionKey must be 32 random bytes in base64, 44 characters (openssl rand -base64 32); the value given is not.')
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
