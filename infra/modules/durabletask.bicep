// Durable Task Scheduler: the managed Durable Functions backend whose work-item backlog Container Apps scales on
// (to zero included). Deployed when main.bicep's durableBackend is 'DurableTaskScheduler'; the image must then be built
// with the Durable Task Scheduler extension (infra/README.md, "Durable backend").

@description('Scheduler name: 3-64 letters, digits and hyphens.')
param name string

@description('Azure region (the scheduler must be offered there).')
param location string

@description('Tags for every resource.')
param tags object

@description('The task hub the app uses (GLIDE_TASKHUB).')
param taskHubName string

@description('Consumption bills per dispatched action; Dedicated reserves capacity units.')
@allowed([
  'Consumption'
  'Dedicated'
])
param sku string = 'Consumption'

@description('Principal (the app identity) that runs orchestrations and activities.')
param workerPrincipalId string

var durableTaskDataContributor = '0ad04412-c4d5-4796-b79c-f76d14c8d402'

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: sku
    }
    // An empty list denies every caller; access is still limited to identities holding a Durable Task role.
    ipAllowlist: [
      '0.0.0.0/0'
    ]
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
}

resource worker 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(scheduler.id, workerPrincipalId, durableTaskDataContributor)
  scope: scheduler
  properties: {
    principalId: workerPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataContributor)
  }
}

output endpoint string = scheduler.properties.endpoint
output taskHubName string = taskHub.name
