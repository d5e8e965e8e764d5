// The Container Apps environment: a workload-profiles environment (serverless GPUs need one) with the Consumption
// profile and, unless gpuProfile is 'None', one serverless GPU profile.

@description('Environment name.')
param name string

@description('Azure region (serverless GPUs are offered in a few regions only: infra/README.md).')
param location string

@description('Tags for every resource.')
param tags object

@description('Log Analytics workspace receiving the container logs.')
param logAnalyticsWorkspaceName string

@description('Serverless GPU workload profile type, or None for a CPU-only environment.')
@allowed([
  'Consumption-GPU-NC8as-T4'
  'Consumption-GPU-NC24-A100'
  'None'
])
param gpuProfile string

@description('Name the GPU profile gets in the environment.')
param gpuProfileName string

var consumption = [
  {
    name: 'Consumption'
    workloadProfileType: 'Consumption'
  }
]
var gpu = gpuProfile == 'None'
  ? []
  : [
      {
        name: gpuProfileName
        workloadProfileType: gpuProfile
      }
    ]

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: logAnalyticsWorkspaceName
}

resource environment 'Microsoft.App/managedEnvironments@2025-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: workspace.properties.customerId
        sharedKey: workspace.listKeys().primarySharedKey
      }
    }
    workloadProfiles: concat(consumption, gpu)
  }
}

output id string = environment.id
output defaultDomain string = environment.properties.defaultDomain
