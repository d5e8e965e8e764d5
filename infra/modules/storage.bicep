// The app's one storage account: the Functions host (AzureWebJobsStorage: leases, keys, the Durable Azure Storage
// backend's queues and tables), the runs container, the converted models and the bulk request queues. Shared-key
// access is off; everything signs in with Entra ID (the app's managed identity, and the deployer for model uploads).

@description('Account name: 3-24 lowercase letters and digits, globally unique.')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Blob container of run tensors and images (Storage__RunsContainer).')
param runsContainerName string

@description('Blob container the converted model directories are uploaded to.')
param modelsContainerName string

@description('Bulk request queue (Queue__RequestsQueue).')
param requestsQueueName string

@description('Where rejected bulk requests are recorded (Queue__PoisonQueue).')
param poisonQueueName string

@description('Days after which run blobs (tensors, previews, PNGs) are deleted; 0 keeps them.')
@minValue(0)
param runsRetentionDays int

@description('Principal (the app identity) that runs the Functions host and the stages.')
param appPrincipalId string

@description('Optional principal (the person deploying) allowed to upload models; empty for none.')
param uploaderPrincipalId string

@description('Type of uploaderPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param uploaderPrincipalType string

// What an identity-based AzureWebJobsStorage connection needs (host leases and keys, queue triggers, the Durable
// Azure Storage backend's control/work-item queues and history tables).
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var appRoles = [
  storageBlobDataOwner
  storageQueueDataContributor
  storageTableDataContributor
]

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource runs 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: runsContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource models 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: modelsContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource requests 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queues
  name: requestsQueueName
}

resource poison 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queues
  name: poisonQueueName
}

resource retention 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = if (runsRetentionDays > 0) {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-runs'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${runsContainerName}/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: runsRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

resource appAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in appRoles: {
    name: guid(account.id, appPrincipalId, role)
    scope: account
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

resource uploader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(uploaderPrincipalId)) {
  name: guid(models.id, uploaderPrincipalId, storageBlobDataContributor)
  scope: models
  properties: {
    principalId: uploaderPrincipalId
    principalType: uploaderPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
  }
}

output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output modelsContainerUrl string = '${account.properties.primaryEndpoints.blob}${models.name}'
