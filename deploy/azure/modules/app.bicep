// One Container App of the stack: its own managed identity (pulls its image, reads only its own
// Key Vault secrets), ingress (external for the scoring API and the dashboard, internal otherwise),
// health probes, and HTTP scaling between minReplicas and maxReplicas. Secrets are Key Vault
// references: env entries name them by their vault names (secretRef).
// Container Apps have no setting for a read-only root filesystem, dropped capabilities or
// no-new-privileges (compose sets all three): the images run as a non-root user (uid 10001).
param name string
param location string
param environmentId string
param registryName string
param registryResourceGroup string
param keyVaultName string
param image string
param port int
param external bool = false
param healthPath string = '/health'
param readyPath string = '/ready'
param command array = []
param env array = []
@description('The Key Vault secrets the app reads (vault names; env entries refer to them by these names)')
param keyVaultSecrets array = []
param minReplicas int = 1
param maxReplicas int = 5
param concurrentRequests int = 50
param cpu string = '1.0'
param memory string = '2Gi'
param volumes array = []
param volumeMounts array = []
@description('SIGTERM to SIGKILL: the app finishes its requests and drains within it')
param terminationGracePeriodSeconds int = 30

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
  scope: resourceGroup(registryResourceGroup)
}

module identity 'identity.bicep' = {
  name: '${name}-identity'
  params: { name: name, location: location, registryName: registryName, registryResourceGroup: registryResourceGroup, keyVaultName: keyVaultName, keyVaultSecrets: keyVaultSecrets }
}

resource app 'Microsoft.App/containerApps@2026-01-01' = {
  name: name
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.outputs.id}': {} }
  }
  properties: {
    managedEnvironmentId: environmentId
    workloadProfileName: 'Consumption'
    configuration: {
      ingress: {
        external: external
        targetPort: port
        transport: 'auto'
        allowInsecure: false
      }
      registries: [
        { server: registry.properties.loginServer, identity: identity.outputs.id }
      ]
      secrets: identity.outputs.secretRefs
    }
    template: {
      terminationGracePeriodSeconds: terminationGracePeriodSeconds
      containers: [
        {
          name: name
          image: image
          command: empty(command) ? null : command
          // AZURE_CLIENT_ID: the Azure SDK (MLflow's blob store) signs in as this app's identity
          env: concat(env, [{ name: 'AZURE_CLIENT_ID', value: identity.outputs.clientId }])
          resources: { cpu: json(cpu), memory: memory }
          volumeMounts: volumeMounts
          probes: [
            { type: 'Liveness', httpGet: { path: healthPath, port: port }, periodSeconds: 15, initialDelaySeconds: 30 }
            { type: 'Readiness', httpGet: { path: readyPath, port: port }, periodSeconds: 10, initialDelaySeconds: 20 }
          ]
        }
      ]
      volumes: volumes
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [
          { name: 'http', http: { metadata: { concurrentRequests: string(concurrentRequests) } } }
        ]
      }
    }
  }
}

output fqdn string = app.properties.configuration.ingress.fqdn
output url string = 'https://${app.properties.configuration.ingress.fqdn}'
output principalId string = identity.outputs.principalId
