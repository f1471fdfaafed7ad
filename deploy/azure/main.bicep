// bank-scoring on Azure Container Apps, one resource group per environment (staging, production).
//   az deployment group create -g <group> -f deploy/azure/main.bicep -p environmentName=staging \
//     registryName=<acr> imageTag=<tag> postgresAdminPassword=... scoringApiClients='[...]' explainerApiClients='[...]' \
//     monitorApiClients='[...]' uiScoringApiKey=... uiExplainerApiKey=... uiMonitorApiKey=... explainerScoringApiKey=...
//     mlflowAdminPassword=... mlflowSecretKey=... mlflowTrainerPassword=... mlflowServicesPassword=...
//   (`python scripts/new_env.py --output env` makes them all: the *_API_CLIENTS, keys and passwords of the same names)
// What it creates: Log Analytics + a Container Apps environment; a user-assigned identity allowed to
// pull from the (existing) registry; PostgreSQL flexible server (application + MLflow databases);
// a storage account (MLflow artifacts in Blob, drift reports and the data folder on Azure Files);
// the apps (mlflow, scoring-api, explainer, monitor, ui) and two jobs (trainer, ingest).
targetScope = 'resourceGroup'

@allowed(['staging', 'production'])
param environmentName string
param location string = resourceGroup().location
@description('Existing Azure Container Registry holding bank-scoring/<service>:<imageTag>')
param registryName string
param imageTag string
param postgresAdminUser string = 'bankadmin'
@secure()
param postgresAdminPassword string
@description('Who may call each service: [{name, key_sha256, scopes}] (the SHA-256 of each key, never the key)')
param scoringApiClients array
param explainerApiClients array
param monitorApiClients array
@description('The keys the dashboard and the explainer call with (clients of the lists above)')
@secure()
param uiScoringApiKey string
@secure()
param uiExplainerApiKey string
@secure()
param uiMonitorApiKey string
@secure()
param explainerScoringApiKey string
@description('MLflow authentication: the admin, the secret of its forms, the trainer (writes) and the services (read)')
@secure()
param mlflowAdminPassword string
@secure()
param mlflowSecretKey string
@secure()
param mlflowTrainerPassword string
@secure()
param mlflowServicesPassword string
@description('The dashboard\'s sign-in with Entra ID: the [auth] section of Streamlit\'s secrets.toml (redirect_uri, cookie_secret, client_id, client_secret, server_metadata_url; docs/deploy-azure.md)')
@secure()
param uiAuthSecretsToml string
@description('Replicas kept warm for the public apps (0 lets staging scale to zero)')
param minReplicas int = 1
param maxReplicas int = 10

var prefix = 'bank-scoring-${environmentName}'
var unique = uniqueString(resourceGroup().id)
var appDatabase = 'bank_scoring'

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${prefix}-logs'
  location: location
  properties: { sku: { name: 'PerGB2018' }, retentionInDays: 30 }
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${prefix}-identity'
  location: location
}

// AcrPull for the apps' identity: images are pulled without a registry password
resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, identity.id, 'acrpull')
  scope: registry
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '7f951dda-4ed3-4680-a7ca-43fe172d538d')
  }
}

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2023-06-01-preview' = {
  name: '${prefix}-pg-${unique}'
  location: location
  sku: { name: environmentName == 'production' ? 'Standard_D2ds_v5' : 'Standard_B1ms', tier: environmentName == 'production' ? 'GeneralPurpose' : 'Burstable' }
  properties: {
    version: '15'
    administratorLogin: postgresAdminUser
    administratorLoginPassword: postgresAdminPassword
    storage: { storageSizeGB: 64 }
    backup: { backupRetentionDays: environmentName == 'production' ? 14 : 7, geoRedundantBackup: 'Disabled' }
    highAvailability: { mode: environmentName == 'production' ? 'ZoneRedundant' : 'Disabled' }
  }
}

resource appDb 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2023-06-01-preview' = {
  parent: postgres
  name: appDatabase
}

resource mlflowDb 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2023-06-01-preview' = {
  parent: postgres
  name: 'mlflow'
}

// Container Apps reach the server over its public endpoint, Azure services only (a VNet-integrated
// environment with private access is the next step for production: docs/deploy-azure.md)
resource allowAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2023-06-01-preview' = {
  parent: postgres
  name: 'AllowAzureServices'
  properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-01-01' = {
  name: take('bankscoring${unique}', 24)
  location: location
  sku: { name: 'Standard_LRS' }
  kind: 'StorageV2'
  properties: { minimumTlsVersion: 'TLS1_2', allowBlobPublicAccess: false }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-01-01' = {
  parent: storage
  name: 'default'
}

resource artifacts 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-01-01' = {
  parent: blobs
  name: 'mlflow'
}

resource files 'Microsoft.Storage/storageAccounts/fileServices@2023-01-01' = {
  parent: storage
  name: 'default'
}

resource reportsShare 'Microsoft.Storage/storageAccounts/fileServices/shares@2023-01-01' = {
  parent: files
  name: 'drift-reports'
}

// the scoring API's decision spool: decisions are on it before they are answered, until drained to Postgres
resource spoolShare 'Microsoft.Storage/storageAccounts/fileServices/shares@2023-01-01' = {
  parent: files
  name: 'decision-spool'
}

resource dataShare 'Microsoft.Storage/storageAccounts/fileServices/shares@2023-01-01' = {
  parent: files
  name: 'data'
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: '${prefix}-env'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
  }
}

resource reportsStorage 'Microsoft.App/managedEnvironments/storages@2024-03-01' = {
  parent: environment
  name: 'drift-reports'
  properties: {
    azureFile: { accountName: storage.name, accountKey: storage.listKeys().keys[0].value, shareName: reportsShare.name, accessMode: 'ReadWrite' }
  }
}

resource spoolStorage 'Microsoft.App/managedEnvironments/storages@2024-03-01' = {
  parent: environment
  name: 'decision-spool'
  properties: {
    azureFile: { accountName: storage.name, accountKey: storage.listKeys().keys[0].value, shareName: spoolShare.name, accessMode: 'ReadWrite' }
  }
}

resource dataStorage 'Microsoft.App/managedEnvironments/storages@2024-03-01' = {
  parent: environment
  name: 'data'
  properties: {
    azureFile: { accountName: storage.name, accountKey: storage.listKeys().keys[0].value, shareName: dataShare.name, accessMode: 'ReadWrite' }
  }
}

var registryServer = registry.properties.loginServer
var image = '${registryServer}/bank-scoring'
var databaseUrl = 'postgresql+psycopg://${postgresAdminUser}:${postgresAdminPassword}@${postgres.properties.fullyQualifiedDomainName}:5432/${appDatabase}?sslmode=require'
var mlflowUrl = 'http://mlflow'
var common = {
  location: location
  environmentId: environment.id
  identityId: identity.id
  registryServer: registryServer
}

module mlflow 'modules/app.bicep' = {
  name: 'mlflow'
  dependsOn: [acrPull, mlflowDb, artifacts]
  params: union(common, {
    name: 'mlflow'
    image: '${image}/mlflow:${imageTag}'
    port: 5000
    readyPath: '/health'
    command: [  // with its authentication on (docker/mlflow/serve.sh): every request but /health needs a user
      'sh', '/opt/mlflow/serve.sh', '--host=0.0.0.0', '--port=5000', '--serve-artifacts'
      '--allowed-hosts=mlflow,mlflow:*,*.${environment.properties.defaultDomain},localhost:*,127.0.0.1:*'
    ]
    secrets: {
      'backend-store-uri': 'postgresql+psycopg://${postgresAdminUser}:${postgresAdminPassword}@${postgres.properties.fullyQualifiedDomainName}:5432/mlflow?sslmode=require'
      'storage-connection-string': 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${az.environment().suffixes.storage}'
      'admin-password': mlflowAdminPassword
      'secret-key': mlflowSecretKey
    }
    env: [
      { name: 'MLFLOW_BACKEND_STORE_URI', secretRef: 'backend-store-uri' }
      { name: 'MLFLOW_AUTH_DATABASE_URI', secretRef: 'backend-store-uri' }
      { name: 'MLFLOW_AUTH_ADMIN_USERNAME', value: 'admin' }
      { name: 'MLFLOW_AUTH_ADMIN_PASSWORD', secretRef: 'admin-password' }
      { name: 'MLFLOW_FLASK_SERVER_SECRET_KEY', secretRef: 'secret-key' }
      { name: 'MLFLOW_ARTIFACTS_DESTINATION', value: 'wasbs://mlflow@${storage.name}.blob.${az.environment().suffixes.storage}/artifacts' }
      { name: 'AZURE_STORAGE_CONNECTION_STRING', secretRef: 'storage-connection-string' }
    ]
    minReplicas: 1
    maxReplicas: 2
  })
}

module scoring 'modules/app.bicep' = {
  name: 'scoring-api'
  dependsOn: [acrPull, appDb, mlflow]
  params: union(common, {
    name: 'scoring-api'
    image: '${image}/scoring-api:${imageTag}'
    port: 8000
    external: true
    command: ['credit-scoring-api', 'serve', '--host', '0.0.0.0', '--port', '8000', '--workers', '2']  // migrates, then serves
    secrets: { 'database-url': databaseUrl, 'api-clients': string(scoringApiClients), 'mlflow-password': mlflowServicesPassword }
    env: [
      { name: 'SCORING_DATABASE_URL', secretRef: 'database-url' }
      { name: 'SCORING_MLFLOW_TRACKING_URI', value: mlflowUrl }
      { name: 'MLFLOW_TRACKING_USERNAME', value: 'services' }  // reads the registry, cannot change it
      { name: 'MLFLOW_TRACKING_PASSWORD', secretRef: 'mlflow-password' }
      { name: 'SCORING_API_CLIENTS', secretRef: 'api-clients' }
      { name: 'SCORING_SPOOL_DIR', value: '/spool' }
      { name: 'SCORING_SHUTDOWN_SECONDS', value: '20' }
    ]
    volumes: [{ name: 'spool', storageType: 'AzureFile', storageName: spoolStorage.name }]
    volumeMounts: [{ volumeName: 'spool', mountPath: '/spool' }]
    // uvicorn gives requests in flight 10 s, then the drain gets SCORING_SHUTDOWN_SECONDS (20 s)
    terminationGracePeriodSeconds: 40
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    concurrentRequests: 100
  })
}

module explainer 'modules/app.bicep' = {
  name: 'explainer'
  dependsOn: [acrPull, mlflow]
  params: union(common, {
    name: 'explainer'
    image: '${image}/explainer:${imageTag}'
    port: 8001
    secrets: { 'scoring-api-key': explainerScoringApiKey, 'api-clients': string(explainerApiClients), 'mlflow-password': mlflowServicesPassword }
    env: [
      { name: 'EXPLAINER_MLFLOW_TRACKING_URI', value: mlflowUrl }
      { name: 'MLFLOW_TRACKING_USERNAME', value: 'services' }  // reads the registry, cannot change it
      { name: 'MLFLOW_TRACKING_PASSWORD', secretRef: 'mlflow-password' }
      { name: 'EXPLAINER_SCORING_API_URL', value: 'http://scoring-api' }
      { name: 'EXPLAINER_SCORING_API_KEY', secretRef: 'scoring-api-key' }
      { name: 'EXPLAINER_API_CLIENTS', secretRef: 'api-clients' }
    ]
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    concurrentRequests: 30
  })
}

module monitor 'modules/app.bicep' = {
  name: 'monitor'
  dependsOn: [acrPull, appDb, mlflow, reportsStorage]
  params: union(common, {
    name: 'monitor'
    image: '${image}/monitor:${imageTag}'
    port: 8002
    secrets: { 'database-url': databaseUrl, 'api-clients': string(monitorApiClients), 'mlflow-password': mlflowServicesPassword }
    env: [
      { name: 'MONITOR_DATABASE_URL', secretRef: 'database-url' }
      { name: 'MONITOR_MLFLOW_TRACKING_URI', value: mlflowUrl }
      { name: 'MLFLOW_TRACKING_USERNAME', value: 'services' }  // reads the registry, cannot change it
      { name: 'MLFLOW_TRACKING_PASSWORD', secretRef: 'mlflow-password' }
      { name: 'MONITOR_REPORTS', value: '/reports' }
      { name: 'MONITOR_SCHEDULE_INTERVAL', value: '3600' }
      { name: 'MONITOR_API_CLIENTS', secretRef: 'api-clients' }
    ]
    // one replica: the scheduled drift runs must not run twice
    minReplicas: 1
    maxReplicas: 1
    memory: '4Gi'
    cpu: '2.0'
    volumes: [{ name: 'reports', storageType: 'AzureFile', storageName: reportsStorage.name }]
    volumeMounts: [{ volumeName: 'reports', mountPath: '/reports' }]
  })
}

module ui 'modules/app.bicep' = {
  name: 'ui'
  dependsOn: [acrPull]
  params: union(common, {
    name: 'ui'
    image: '${image}/ui:${imageTag}'
    port: 8501
    external: true
    healthPath: '/_stcore/health'
    readyPath: '/_stcore/health'
    secrets: {
      'scoring-api-key': uiScoringApiKey
      'explainer-api-key': uiExplainerApiKey
      'monitor-api-key': uiMonitorApiKey
      'auth-secrets-toml': uiAuthSecretsToml
    }
    // st.login reads the OpenID provider from .streamlit/secrets.toml under the working directory
    volumes: [{ name: 'streamlit-secrets', storageType: 'Secret', secrets: [{ secretRef: 'auth-secrets-toml', path: 'secrets.toml' }] }]
    volumeMounts: [{ volumeName: 'streamlit-secrets', mountPath: '/home/app/.streamlit' }]
    env: [
      { name: 'UI_SCORING_API_URL', value: 'http://scoring-api' }
      { name: 'UI_SCORING_API_KEY', secretRef: 'scoring-api-key' }
      { name: 'UI_EXPLAINER_URL', value: 'http://explainer' }
      { name: 'UI_EXPLAINER_API_KEY', secretRef: 'explainer-api-key' }
      { name: 'UI_MONITOR_URL', value: 'http://monitor' }
      { name: 'UI_MONITOR_API_KEY', secretRef: 'monitor-api-key' }
      { name: 'UI_LANGUAGE', value: 'fr' }
      { name: 'UI_AUTH', value: 'oidc' }  // Entra ID; the roles officer, risk, ops are the app's roles
      { name: 'UI_OIDC_ROLES_CLAIM', value: 'roles' }
    ]
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    concurrentRequests: 20
  })
}

// one-shot jobs, started by hand or by the pipeline: `az containerapp job start -n trainer -g <group>`
// (mlflow-users first: it makes the trainer's and the services' MLflow users)
resource mlflowUsers 'Microsoft.App/jobs@2024-03-01' = {
  name: 'mlflow-users'
  location: location
  dependsOn: [acrPull, mlflow]
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${identity.id}': {} } }
  properties: {
    environmentId: environment.id
    configuration: {
      triggerType: 'Manual'
      replicaTimeout: 600
      replicaRetryLimit: 2
      manualTriggerConfig: { parallelism: 1, replicaCompletionCount: 1 }
      registries: [{ server: registryServer, identity: identity.id }]
      secrets: [
        { name: 'admin-password', value: mlflowAdminPassword }
        { name: 'trainer-password', value: mlflowTrainerPassword }
        { name: 'services-password', value: mlflowServicesPassword }
      ]
    }
    template: {
      containers: [
        {
          name: 'mlflow-users'
          image: '${image}/mlflow:${imageTag}'
          command: ['python', '/opt/mlflow/users.py']
          env: [
            { name: 'MLFLOW_TRACKING_URI', value: mlflowUrl }
            { name: 'MLFLOW_TRACKING_USERNAME', value: 'admin' }
            { name: 'MLFLOW_TRACKING_PASSWORD', secretRef: 'admin-password' }
            { name: 'MLFLOW_TRAINER_PASSWORD', secretRef: 'trainer-password' }
            { name: 'MLFLOW_SERVICES_PASSWORD', secretRef: 'services-password' }
          ]
          resources: { cpu: json('0.5'), memory: '1Gi' }
        }
      ]
    }
  }
}

resource trainer 'Microsoft.App/jobs@2024-03-01' = {
  name: 'trainer'
  location: location
  dependsOn: [acrPull, dataStorage]
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${identity.id}': {} } }
  properties: {
    environmentId: environment.id
    configuration: {
      triggerType: 'Manual'
      replicaTimeout: 7200
      replicaRetryLimit: 0
      manualTriggerConfig: { parallelism: 1, replicaCompletionCount: 1 }
      registries: [{ server: registryServer, identity: identity.id }]
      secrets: [{ name: 'mlflow-password', value: mlflowTrainerPassword }]
    }
    template: {
      containers: [
        {
          name: 'trainer'
          image: '${image}/trainer:${imageTag}'
          command: ['credit-trainer', 'bootstrap', '--data', '/data', '--grid', 'full']
          env: [
            { name: 'TRAINER_MLFLOW_TRACKING_URI', value: mlflowUrl }
            { name: 'MLFLOW_TRACKING_USERNAME', value: 'trainer' }
            { name: 'MLFLOW_TRACKING_PASSWORD', secretRef: 'mlflow-password' }
          ]
          resources: { cpu: json('4.0'), memory: '8Gi' }
          volumeMounts: [{ volumeName: 'data', mountPath: '/data' }]
        }
      ]
      volumes: [{ name: 'data', storageType: 'AzureFile', storageName: dataStorage.name }]
    }
  }
}

resource ingest 'Microsoft.App/jobs@2024-03-01' = {
  name: 'ingest'
  location: location
  dependsOn: [acrPull, dataStorage, appDb]
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${identity.id}': {} } }
  properties: {
    environmentId: environment.id
    configuration: {
      triggerType: 'Manual'
      replicaTimeout: 3600
      replicaRetryLimit: 1
      manualTriggerConfig: { parallelism: 1, replicaCompletionCount: 1 }
      registries: [{ server: registryServer, identity: identity.id }]
      secrets: [{ name: 'database-url', value: databaseUrl }]
    }
    template: {
      containers: [
        {
          name: 'ingest'
          image: '${image}/scoring-api:${imageTag}'
          command: ['sh', '-c', 'credit-scoring-api migrate && credit-scoring-api ingest --data /data']
          env: [{ name: 'SCORING_DATABASE_URL', secretRef: 'database-url' }]
          resources: { cpu: json('1.0'), memory: '2Gi' }
          volumeMounts: [{ volumeName: 'data', mountPath: '/data' }]
        }
      ]
      volumes: [{ name: 'data', storageType: 'AzureFile', storageName: dataStorage.name }]
    }
  }
}

output scoringApiUrl string = scoring.outputs.url
output uiUrl string = ui.outputs.url
