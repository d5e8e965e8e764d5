// The GlideFunctions worker as an Azure Functions app on Container Apps (Microsoft.App/containerApps, kind
// 'functionapp'): the Functions host and the isolated worker in the image of infra/Dockerfile, on a serverless GPU
// workload profile. Container Apps adds the Functions scale rules itself (HTTP, the glide-requests queue trigger and,
// with the Durable Task Scheduler backend, the Durable work items); the rule below covers what it cannot see with the
// Azure Storage backend. Every app setting the code reads is set here: tests/GlideFunctions.Tests/Infra checks it.

@description('Container app name: up to 32 lowercase letters, digits and hyphens.')
@maxLength(32)
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Container Apps environment.')
param environmentId string

@description('The environment\'s default domain: the app is served at https://<name>.<defaultDomain>.')
param environmentDefaultDomain string

@description('Workload profile the replicas run on: the GPU profile, or Consumption for a CPU-only deployment.')
param workloadProfileName string

@description('vCPUs per replica (a serverless GPU replica takes the whole profile: 8 for T4, 24 for A100).')
param cpu string

@description('Memory per replica (56Gi for T4, 220Gi for A100).')
param memory string

@description('Full image reference, e.g. <registry>.azurecr.io/glide-functions:<tag>.')
param image string

@description('Registry login server the image is pulled from with the app identity.')
param registryServer string

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Storage account of AzureWebJobsStorage, the runs container and the queues.')
param storageAccountName string

@description('Blob container of run tensors and images.')
param runsContainerName string

@description('Bulk request queue.')
param requestsQueueName string

@description('Where rejected bulk requests are recorded.')
param poisonQueueName string

@description('URL of the models blob container (https://<account>.blob.core.windows.net/models).')
param modelsContainerUrl string

@description('Model directory inside the models container to load; empty runs the glide-shapes model baked into the image.')
param modelsPrefix string

@description('Durable task hub (host.json hubName %GLIDE_TASKHUB%).')
param taskHubName string

@description('ONNX Runtime device: cuda on a GPU profile, cpu otherwise.')
@allowed([
  'cpu'
  'cuda'
])
param device string

@description('Base candidates per SampleBase activity (Glide__ChunkSize): larger batches use a GPU better.')
@minValue(1)
@maxValue(16)
param chunkSize int

@description('Replicas kept running when idle.')
@minValue(0)
param minReplicas int

@description('Most replicas (each takes one GPU of the subscription\'s serverless GPU quota).')
@minValue(1)
param maxReplicas int

@description('Seconds without work before a replica above minReplicas is removed (it is billed until then).')
@minValue(0)
param cooldownSeconds int

@description('Versionless Key Vault URI of the webhook signing secret.')
param webhookSecretUri string

@description('Application Insights connection string (no key is used: local auth is off, the identity signs in).')
param appInsightsConnectionString string

@description('Durable backend the image is built for: AzureStorage (today) or DurableTaskScheduler.')
@allowed([
  'AzureStorage'
  'DurableTaskScheduler'
])
param durableBackend string

@description('Durable Task Scheduler endpoint (durableBackend DurableTaskScheduler only).')
param durableTaskSchedulerEndpoint string

var port = 8080
var modelsMountPath = '/mnt/models'
var blobModels = !empty(modelsPrefix)
var publicBaseUrl = 'https://${name}.${environmentDefaultDomain}'

// With the Azure Storage backend nothing tells Container Apps about Durable work (it autoscales Durable Functions
// only with the MSSQL and Durable Task Scheduler backends), so a KEDA azure-queue rule watches the activity
// work-item queue the backend creates for the hub: one replica per two queued activities (host.json runs two at once).
var activityQueueRule = {
  name: 'durable-activities'
  azureQueue: {
    accountName: storageAccountName
    queueName: '${toLower(taskHubName)}-workitems'
    queueLength: 2
    identity: identityId
  }
}

var modelsVolumeMount = {
  volumeName: 'models'
  mountPath: modelsMountPath
}

resource app 'Microsoft.App/containerApps@2025-07-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    managedEnvironmentId: environmentId
    workloadProfileName: workloadProfileName
    configuration: {
      activeRevisionsMode: 'Single'
      // 'All': the identity is also available to the init container that fetches the models.
      identitySettings: [
        {
          identity: identityId
          lifecycle: 'All'
        }
      ]
      ingress: {
        external: true
        targetPort: port
        transport: 'auto'
        allowInsecure: false
      }
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
      secrets: [
        {
          name: 'webhooks-secret'
          keyVaultUrl: webhookSecretUri
          identity: identityId
        }
      ]
    }
    template: {
      initContainers: blobModels
        ? [
            {
              name: 'fetch-models'
              image: image
              command: [
                '/usr/local/bin/fetch-models'
              ]
              env: [
                {
                  name: 'MODELS_CONTAINER_URL'
                  value: modelsContainerUrl
                }
                {
                  name: 'MODELS_PREFIX'
                  value: modelsPrefix
                }
                {
                  name: 'MODELS_TARGET'
                  value: modelsMountPath
                }
                {
                  name: 'AZURE_CLIENT_ID'
                  value: identityClientId
                }
              ]
              resources: {
                cpu: json('0.5')
                memory: '1Gi'
              }
              volumeMounts: [
                modelsVolumeMount
              ]
            }
          ]
        : []
      containers: [
        {
          name: 'glide'
          image: image
          resources: {
            cpu: json(cpu)
            memory: memory
          }
          env: [
            // Functions host: identity-based AzureWebJobsStorage (the worker's storage and queue clients read the
            // same AzureWebJobsStorage__* settings: Storage__ConnectionName and QueueOptions.ConnectionName).
            {
              name: 'AzureWebJobsStorage__accountName'
              value: storageAccountName
            }
            {
              name: 'AzureWebJobsStorage__credential'
              value: 'managedidentity'
            }
            {
              name: 'AzureWebJobsStorage__clientId'
              value: identityClientId
            }
            {
              name: 'FUNCTIONS_WORKER_RUNTIME'
              value: 'dotnet-isolated'
            }
            {
              name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
              value: appInsightsConnectionString
            }
            {
              name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
              value: 'ClientId=${identityClientId};Authorization=AAD'
            }
            // host.json: extensions.durableTask.hubName is %GLIDE_TASKHUB%.
            {
              name: 'GLIDE_TASKHUB'
              value: taskHubName
            }
            // Read only once the image uses the Durable Task Scheduler backend (host.json storageProvider azureManaged).
            {
              name: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
              value: durableBackend == 'DurableTaskScheduler'
                ? 'Endpoint=${durableTaskSchedulerEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'
                : ''
            }
            // GlideOptions
            {
              name: 'Glide__ModelDirectory'
              value: blobModels ? modelsMountPath : 'models/glide-shapes'
            }
            {
              name: 'Glide__Device'
              value: device
            }
            {
              name: 'Glide__ChunkSize'
              value: string(chunkSize)
            }
            {
              name: 'Glide__ActivityMaxAttempts'
              value: '3'
            }
            {
              name: 'Glide__ActivityFirstRetryInterval'
              value: '00:00:05'
            }
            {
              name: 'Glide__SignalInterval'
              value: '00:00:00.500'
            }
            {
              name: 'Glide__PublicBaseUrl'
              value: publicBaseUrl
            }
            // StorageOptions
            {
              name: 'Storage__ConnectionName'
              value: 'AzureWebJobsStorage'
            }
            {
              name: 'Storage__RunsContainer'
              value: runsContainerName
            }
            // QueueOptions (the trigger resolves %Queue:RequestsQueue% from the first).
            {
              name: 'Queue__RequestsQueue'
              value: requestsQueueName
            }
            {
              name: 'Queue__PoisonQueue'
              value: poisonQueueName
            }
            // WebhookOptions: the secret is a Key Vault reference.
            {
              name: 'Webhooks__Secret'
              secretRef: 'webhooks-secret'
            }
            {
              name: 'Webhooks__AllowPrivateTargets'
              value: 'false'
            }
            {
              name: 'Webhooks__RequireHttps'
              value: 'true'
            }
            {
              name: 'Webhooks__MaxRetryWindow'
              value: '01:00:00'
            }
            {
              name: 'Webhooks__AttemptTimeout'
              value: '00:00:10'
            }
            {
              name: 'Webhooks__MaxAttempts'
              value: '20'
            }
            {
              name: 'Webhooks__InitialRetryDelay'
              value: '00:00:05'
            }
            {
              name: 'Webhooks__MaxRetryDelay'
              value: '00:10:00'
            }
          ]
          probes: [
            // The host is up (the worker answers HTTP); generous, since an image pull and host start come first.
            {
              type: 'Startup'
              httpGet: {
                path: '/api/v1/health'
                port: port
              }
              initialDelaySeconds: 10
              periodSeconds: 10
              timeoutSeconds: 5
              failureThreshold: 10
            }
            {
              type: 'Liveness'
              httpGet: {
                path: '/api/v1/health'
                port: port
              }
              periodSeconds: 30
              timeoutSeconds: 5
              failureThreshold: 3
            }
            // Traffic only once the ONNX sessions exist (503 until then, and for good if the models failed to load).
            {
              type: 'Readiness'
              httpGet: {
                path: '/api/v1/health/ready'
                port: port
              }
              periodSeconds: 10
              timeoutSeconds: 5
              failureThreshold: 3
            }
          ]
          volumeMounts: blobModels ? [modelsVolumeMount] : []
        }
      ]
      volumes: blobModels
        ? [
            {
              name: 'models'
              storageType: 'EmptyDir'
            }
          ]
        : []
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        cooldownPeriod: cooldownSeconds
        rules: durableBackend == 'AzureStorage' ? [activityQueueRule] : []
      }
    }
  }
}

output name string = app.name
output fqdn string = app.properties.configuration.ingress.fqdn
output publicBaseUrl string = publicBaseUrl
