// GlideFunctions on Azure: one resource group holding the storage account, the registry, Key Vault, monitoring, the
// Container Apps environment with a serverless GPU profile and the Functions app itself (infra/README.md).
//
// Deploy in two passes: without appImage (everything but the app, so the image can be built into the new registry),
// then with appImage. `az deployment group create -g <group> -f infra/main.bicep -p infra/main.parameters.json ...`
targetScope = 'resourceGroup'

@description('Azure region of every resource. Serverless GPUs are offered in a few regions only (infra/README.md).')
param location string = resourceGroup().location

@description('Short lowercase prefix of every resource name (letters and digits, 3-11 characters).')
@minLength(3)
@maxLength(11)
param namePrefix string = 'glide'

@description('Serverless GPU profile of the app: T4 (8 vCPU, 56 GiB) or A100 (24 vCPU, 220 GiB); None runs on the CPU.')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
  'None'
])
param gpuProfile string = 'Consumption-GPU-NC8as-T4'

@description('Image to run, as <name>:<tag> in the new registry (e.g. glide-functions:1). Empty deploys everything but the app.')
param appImage string = ''

@description('Replicas kept when idle; 0 scales to zero (with the Azure Storage Durable backend at least 1 is kept).')
@minValue(0)
@maxValue(30)
param minReplicas int = 0

@description('Most replicas; each one holds a whole GPU of the subscription\'s serverless GPU quota.')
@minValue(1)
@maxValue(30)
param maxReplicas int = 2

@description('Seconds a replica above minReplicas stays after its last work (billed meanwhile).')
@minValue(0)
@maxValue(3600)
param cooldownSeconds int = 300

@description('Durable Functions backend: AzureStorage (what the image is built with today) or DurableTaskScheduler (infra/README.md, "Durable backend").')
@allowed([
  'AzureStorage'
  'DurableTaskScheduler'
])
param durableBackend string = 'AzureStorage'

@description('Durable task hub name (letters and digits, starting with a letter).')
@minLength(3)
@maxLength(45)
param taskHubName string = 'glidehub'

@description('Model directory in the models container to run; empty runs the glide-shapes model baked into the image.')
param modelsPrefix string = ''

@description('Base candidates per SampleBase activity.')
@minValue(1)
@maxValue(16)
param chunkSize int = 4

@description('Days after which run blobs are deleted; 0 keeps them.')
@minValue(0)
param runsRetentionDays int = 30

@description('Registry SKU: Premium enables artifact streaming (faster GPU cold starts).')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param registrySku string = 'Basic'

@description('Standard Webhooks signing secret, whsec_ + base64 of 24-64 random bytes; stored in Key Vault only.')
@secure()
@minLength(38)
param webhookSecret string

@description('Object id of who uploads models (az ad signed-in-user show --query id -o tsv); empty grants no one.')
param uploaderPrincipalId string = ''

@description('Type of uploaderPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param uploaderPrincipalType string = 'User'

@description('Tags for every resource.')
param tags object = {
  app: 'glide-functions'
}

var suffix = uniqueString(resourceGroup().id)
var compactPrefix = toLower(namePrefix)
var gpuEnabled = gpuProfile != 'None'
var gpuProfileName = 'gpu'
var replicaSizes = {
  'Consumption-GPU-NC8as-T4': {
    cpu: '8'
    memory: '56Gi'
  }
  'Consumption-GPU-NC24-A100': {
    cpu: '24'
    memory: '220Gi'
  }
  None: {
    cpu: '4'
    memory: '8Gi'
  }
}
var runsContainerName = 'glide-runs'
var modelsContainerName = 'models'
var requestsQueueName = 'glide-requests'
var poisonQueueName = 'glide-requests-poison'
var webhookSecretName = 'webhooks-secret'

// Container Apps scales Durable Functions only with the MSSQL or Durable Task Scheduler backend: with Azure Storage
// one replica must stay up to run orchestrations that no HTTP request or queue message is waiting on.
var effectiveMinReplicas = durableBackend == 'AzureStorage' ? max(minReplicas, 1) : minReplicas

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-${compactPrefix}-${suffix}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: 'log-${compactPrefix}-${suffix}'
    appInsightsName: 'appi-${compactPrefix}-${suffix}'
    location: location
    tags: tags
    publisherPrincipalId: identity.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: take('st${compactPrefix}${suffix}', 24)
    location: location
    tags: tags
    runsContainerName: runsContainerName
    modelsContainerName: modelsContainerName
    requestsQueueName: requestsQueueName
    poisonQueueName: poisonQueueName
    runsRetentionDays: runsRetentionDays
    appPrincipalId: identity.outputs.principalId
    uploaderPrincipalId: uploaderPrincipalId
    uploaderPrincipalType: uploaderPrincipalType
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  params: {
    name: 'cr${compactPrefix}${suffix}'
    location: location
    tags: tags
    sku: registrySku
    pullPrincipalId: identity.outputs.principalId
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: take('kv-${compactPrefix}-${suffix}', 24)
    location: location
    tags: tags
    webhookSecretName: webhookSecretName
    webhookSecret: webhookSecret
    readerPrincipalId: identity.outputs.principalId
  }
}

module environment 'modules/environment.bicep' = {
  name: 'environment'
  params: {
    name: 'cae-${compactPrefix}-${suffix}'
    location: location
    tags: tags
    logAnalyticsWorkspaceName: monitoring.outputs.workspaceName
    gpuProfile: gpuProfile
    gpuProfileName: gpuProfileName
  }
}

module durableTask 'modules/durabletask.bicep' = if (durableBackend == 'DurableTaskScheduler') {
  name: 'durabletask'
  params: {
    name: 'dts-${compactPrefix}-${suffix}'
    location: location
    tags: tags
    taskHubName: taskHubName
    workerPrincipalId: identity.outputs.principalId
  }
}

module app 'modules/functionapp.bicep' = if (!empty(appImage)) {
  name: 'functionapp'
  params: {
    name: '${compactPrefix}-functions'
    location: location
    tags: tags
    environmentId: environment.outputs.id
    environmentDefaultDomain: environment.outputs.defaultDomain
    workloadProfileName: gpuEnabled ? gpuProfileName : 'Consumption'
    cpu: replicaSizes[gpuProfile].cpu
    memory: replicaSizes[gpuProfile].memory
    image: '${registry.outputs.loginServer}/${appImage}'
    registryServer: registry.outputs.loginServer
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    runsContainerName: runsContainerName
    requestsQueueName: requestsQueueName
    poisonQueueName: poisonQueueName
    modelsContainerUrl: storage.outputs.modelsContainerUrl
    modelsPrefix: modelsPrefix
    taskHubName: taskHubName
    device: gpuEnabled ? 'cuda' : 'cpu'
    chunkSize: chunkSize
    minReplicas: effectiveMinReplicas
    maxReplicas: maxReplicas
    cooldownSeconds: cooldownSeconds
    webhookSecretUri: vault.outputs.webhookSecretUri
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    durableBackend: durableBackend
    durableTaskSchedulerEndpoint: durableBackend == 'DurableTaskScheduler' ? durableTask!.outputs.endpoint : ''
  }
}

@description('Base URL of the API, e.g. https://glide-functions.<env>.<region>.azurecontainerapps.io/api/v1 (empty before the app is deployed).')
output apiBaseUrl string = empty(appImage) ? '' : 'https://${app!.outputs.fqdn}/api/v1'

@description('Name of the container app (for az containerapp commands).')
output appName string = '${compactPrefix}-functions'

@description('Registry to build the image into (az acr build -r <registryName>).')
output registryName string = registry.outputs.name

@description('Storage account holding the models container.')
output storageAccountName string = storage.outputs.name

@description('Container the converted model directories are uploaded to.')
output modelsContainerName string = modelsContainerName

@description('Replicas actually kept when idle (minReplicas, raised to 1 with the Azure Storage Durable backend).')
output effectiveMinReplicas int = effectiveMinReplicas
