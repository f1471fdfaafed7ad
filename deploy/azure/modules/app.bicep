// One Container App of the stack: image from the registry (pulled with the managed identity),
// ingress (external for the scoring API and the dashboard, internal otherwise), health probes,
// secrets, and HTTP scaling between minReplicas and maxReplicas.
param name string
param location string
param environmentId string
param identityId string
param registryServer string
param image string
param port int
param external bool = false
param healthPath string = '/health'
param readyPath string = '/ready'
param command array = []
param env array = []
@secure()
param secrets object = {}
param minReplicas int = 1
param maxReplicas int = 5
param concurrentRequests int = 50
param cpu string = '1.0'
param memory string = '2Gi'
param volumes array = []
param volumeMounts array = []
@description('SIGTERM to SIGKILL: the app finishes its requests and drains within it')
param terminationGracePeriodSeconds int = 30

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: name
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    managedEnvironmentId: environmentId
    configuration: {
      ingress: {
        external: external
        targetPort: port
        transport: 'auto'
        allowInsecure: false
      }
      registries: [
        { server: registryServer, identity: identityId }
      ]
      secrets: [for secret in items(secrets): { name: secret.key, value: secret.value }]
    }
    template: {
      terminationGracePeriodSeconds: terminationGracePeriodSeconds
      containers: [
        {
          name: name
          image: image
          command: empty(command) ? null : command
          env: env
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
