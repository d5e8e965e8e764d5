// Key Vault holding the Standard Webhooks signing secret; the app reads it through a Key Vault secret reference
// (Webhooks__Secret), never as a plain setting.

@description('Vault name: 3-24 letters, digits and hyphens, globally unique.')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Name of the secret holding the webhook signing secret.')
param webhookSecretName string

@description('The webhook signing secret: whsec_ followed by the base64 of 24 to 64 random bytes.')
@secure()
param webhookSecret string

@description('Principal (the app identity) that reads the secret.')
param readerPrincipalId string

var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

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
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: webhookSecretName
  properties: {
    value: webhookSecret
    contentType: 'Standard Webhooks signing secret (whsec_...)'
  }
}

resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, readerPrincipalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: readerPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
  }
}

output name string = vault.name
@description('Versionless secret URI: Container Apps picks up a rotated secret without a redeployment.')
output webhookSecretUri string = '${vault.properties.vaultUri}secrets/${webhookSecretName}'
