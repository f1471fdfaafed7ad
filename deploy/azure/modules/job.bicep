// One Container Apps job of the stack, manual (started by the pipeline or by hand:
// `az containerapp job start -n <name> -g <group>`) or on a schedule (a cron expression), with its
// own managed identity like an app's:
// it pulls its images and reads only its own Key Vault secrets. initContainers run one after the
// other, then the containers.
param name string
param location string
param environmentId string
param registryName string
param registryResourceGroup string
param keyVaultName string
param keyVaultSecrets array = []
param containers array
param initContainers array = []
param volumes array = []
param replicaTimeout int = 3600
param replicaRetryLimit int = 1
@description('A cron expression (UTC) to start it on a schedule; empty: started by hand')
param schedule string = ''

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
  scope: resourceGroup(registryResourceGroup)
}

module identity 'identity.bicep' = {
  name: '${name}-identity'
  params: { name: name, location: location, registryName: registryName, registryResourceGroup: registryResourceGroup, keyVaultName: keyVaultName, keyVaultSecrets: keyVaultSecrets }
}

resource job 'Microsoft.App/jobs@2026-01-01' = {
  name: name
  location: location
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${identity.outputs.id}': {} } }
  properties: {
    environmentId: environmentId
    workloadProfileName: 'Consumption'
    configuration: {
      triggerType: empty(schedule) ? 'Manual' : 'Schedule'
      replicaTimeout: replicaTimeout
      replicaRetryLimit: replicaRetryLimit
      manualTriggerConfig: empty(schedule) ? { parallelism: 1, replicaCompletionCount: 1 } : null
      scheduleTriggerConfig: empty(schedule) ? null : { cronExpression: schedule, parallelism: 1, replicaCompletionCount: 1 }
      registries: [{ server: registry.properties.loginServer, identity: identity.outputs.id }]
      secrets: identity.outputs.secretRefs
    }
    template: {
      initContainers: empty(initContainers) ? null : initContainers
      containers: containers
      volumes: volumes
    }
  }
}
