// bank-scoring on Azure Container Apps, one resource group per environment (staging, production).
//   az deployment group create -g <group> -f deploy/azure/main.bicep -p environmentName=staging \
//     registryName=<acr> keyVaultName=<vault> imageTag=<tag> \
//     scoringApiClients='[...]' explainerApiClients='[...]' monitorApiClients='[...]'
// No secret is a parameter: each is a secret of the environment's Key Vault (docs/deploy-azure.md
// lists them; `python scripts/new_env.py --key-vault <vault>` writes them), read by the apps as Key
// Vault references with their own identities, each allowed only the secrets it uses.
// What it creates:
// - a virtual network: the Container Apps environment in one subnet, Postgres in another (private
//   access, no public endpoint), private endpoints of storage and Key Vault in a third;
// - PostgreSQL flexible server (application + MLflow databases), TLS verified (verify-full); the
//   owner migrates and makes a login per service (the migrate job), the apps use their own;
// - storage for MLflow artifacts (Blob: no public network access, no shared keys; MLflow's identity
//   may write its container only) and for the shares (Azure Files: the decision spool, drift
//   reports, the data folder; no public network access; the key Container Apps mounts them with
//   is kept in Key Vault);
// - the apps (mlflow, scoring-api, explainer, monitor, evidently-ui, ui) and the jobs (migrate,
//   mlflow-users, trainer, retrainer (scheduled), ingest), each with its own managed identity;
// - the alert rules of deploy/prometheus/alerts.yml as Azure Monitor Prometheus rule groups, mailed
//   to alertEmail (modules/alerts.bicep).
targetScope = 'resourceGroup'

@allowed(['staging', 'production'])
param environmentName string
param location string = resourceGroup().location
@description('Existing Azure Container Registry holding bank-scoring/<service>:<imageTag>')
param registryName string
@description('The registry\'s resource group (one registry serves both environments)')
param registryResourceGroup string = resourceGroup().name
@description('Existing Key Vault of this environment holding the secrets (docs/deploy-azure.md)')
param keyVaultName string
param imageTag string
param postgresAdminUser string = 'bankadmin'
@description('Who may call each service: [{name, key_sha256, scopes}] (the SHA-256 of each key, never the key)')
param scoringApiClients array
param explainerApiClients array
param monitorApiClients array
@description('When the files account key written to Key Vault expires (rewritten by each deployment)')
param filesKeyExpiry int = dateTimeToEpoch(dateTimeAdd(utcNow(), 'P90D'))
@description('The dashboard\'s Entra ID app registration (its client id): Evidently\'s UI signs in with it too')
param entraClientId string
@description('Who is told when an alert fires (deploy/prometheus/alerts.yml)')
param alertEmail string
@description('Replicas kept warm for the public apps (0 lets staging scale to zero)')
param minReplicas int = 1
param maxReplicas int = 10

var prefix = 'bank-scoring-${environmentName}'
var unique = uniqueString(resourceGroup().id)
var appDatabase = 'bank_scoring'
var storageSuffix = environment().suffixes.storage

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
  scope: resourceGroup(registryResourceGroup)
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${prefix}-logs'
  location: location
  properties: { sku: { name: 'PerGB2018' }, retentionInDays: 30 }
}

// ---- network -----------------------------------------------------------------------------------
resource vnet 'Microsoft.Network/virtualNetworks@2023-11-01' = {
  name: '${prefix}-vnet'
  location: location
  properties: {
    addressSpace: { addressPrefixes: ['10.40.0.0/16'] }
    subnets: [
      {
        name: 'apps'  // the Container Apps environment (workload profiles: delegated, /23)
        properties: {
          addressPrefix: '10.40.0.0/23'
          delegations: [{ name: 'apps', properties: { serviceName: 'Microsoft.App/environments' } }]
        }
      }
      {
        name: 'postgres'  // the flexible server's private access
        properties: {
          addressPrefix: '10.40.2.0/24'
          delegations: [{ name: 'postgres', properties: { serviceName: 'Microsoft.DBforPostgreSQL/flexibleServers' } }]
        }
      }
      {
        name: 'endpoints'  // private endpoints: blob, file, Key Vault
        properties: { addressPrefix: '10.40.3.0/24', privateEndpointNetworkPolicies: 'Enabled' }
      }
    ]
  }
}

var appsSubnet = '${vnet.id}/subnets/apps'
var postgresSubnet = '${vnet.id}/subnets/postgres'
var endpointsSubnet = '${vnet.id}/subnets/endpoints'

module vaultEndpoint 'modules/private-endpoint.bicep' = {
  name: 'vault-endpoint'
  params: {
    name: '${prefix}-vault-pe', location: location, subnetId: endpointsSubnet, vnetId: vnet.id
    targetId: vault.id, groupId: 'vault', zoneName: 'privatelink.vaultcore.azure.net'
  }
}

// ---- Postgres ----------------------------------------------------------------------------------
module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  params: {
    name: '${prefix}-pg-${unique}'
    location: location
    environmentName: environmentName
    administratorLogin: postgresAdminUser
    administratorLoginPassword: vault.getSecret('postgres-admin-password')
    subnetId: postgresSubnet
    vnetId: vnet.id
    databases: [appDatabase, 'mlflow']
  }
}

// libpq: the server's certificate checked against the image's CA bundle and its name (verify-full);
// the password of each login comes from Key Vault as PGPASSWORD
var tls = 'sslmode=verify-full&sslrootcert=/etc/ssl/certs/ca-certificates.crt'
var postgresHost = postgres.outputs.host
var ownerUrl = 'postgresql+psycopg://${postgresAdminUser}@${postgresHost}:5432/${appDatabase}?${tls}'
var scoringUrl = 'postgresql+psycopg://scoring@${postgresHost}:5432/${appDatabase}?${tls}'
var monitorUrl = 'postgresql+psycopg://monitor@${postgresHost}:5432/${appDatabase}?${tls}'
var mlflowStoreUrl = 'postgresql+psycopg://mlflow@${postgresHost}:5432/mlflow?${tls}'

// ---- storage -----------------------------------------------------------------------------------
// MLflow's artifacts: Entra ID only (no shared key), reached through its private endpoint only
resource blobStorage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: take('bankscoringb${unique}', 24)
  // checkov:skip=CKV_AZURE_43:take() of a fixed prefix and uniqueString(): 24 lowercase letters and digits at most, which checkov cannot evaluate
  location: location
  sku: { name: 'Standard_GRS' }  // copied to the paired region
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Disabled'
    networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices' }  // trusted services still need a role
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: blobStorage
  name: 'default'
  properties: { deleteRetentionPolicy: { enabled: true, days: 30 }, containerDeleteRetentionPolicy: { enabled: true, days: 30 } }
}

resource artifacts 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: 'mlflow'
  properties: { publicAccess: 'None' }
}

module blobEndpoint 'modules/private-endpoint.bicep' = {
  name: 'blob-endpoint'
  params: {
    name: '${prefix}-blob-pe', location: location, subnetId: endpointsSubnet, vnetId: vnet.id
    targetId: blobStorage.id, groupId: 'blob', zoneName: 'privatelink.blob.${storageSuffix}'
  }
}

// The shares Container Apps mounts (SMB): reached through its private endpoint only. Container Apps
// mounts Azure Files with the account key alone, so this account keeps shared keys; the key is a
// Key Vault secret the environment reads with its identity, and the account holds only the shares.
resource fileStorage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: take('bankscoringf${unique}', 24)
  // checkov:skip=CKV_AZURE_43:take() of a fixed prefix and uniqueString(): 24 lowercase letters and digits at most, which checkov cannot evaluate
  location: location
  sku: { name: 'Standard_GRS' }  // copied to the paired region
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: true  // Container Apps mounts Azure Files with the account key only
    publicNetworkAccess: 'Disabled'
    networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices' }  // trusted services still need a role
  }
}

resource files 'Microsoft.Storage/storageAccounts/fileServices@2023-05-01' = {
  parent: fileStorage
  name: 'default'
  properties: { shareDeleteRetentionPolicy: { enabled: true, days: 14 } }
}

// the spool: decisions before they reach Postgres; evidently: the workspace of Evidently's UI
var shares = ['drift-reports', 'decision-spool', 'data', 'evidently']

resource share 'Microsoft.Storage/storageAccounts/fileServices/shares@2023-05-01' = [for name in shares: {
  parent: files
  name: name
}]

module fileEndpoint 'modules/private-endpoint.bicep' = {
  name: 'file-endpoint'
  params: {
    name: '${prefix}-file-pe', location: location, subnetId: endpointsSubnet, vnetId: vnet.id
    targetId: fileStorage.id, groupId: 'file', zoneName: 'privatelink.file.${storageSuffix}'
  }
}

resource filesKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'files-account-key'
  properties: { value: fileStorage.listKeys().keys[0].value, contentType: 'Azure Files account key (Container Apps mounts)', attributes: { exp: filesKeyExpiry } }
}

// ---- the Container Apps environment ---------------------------------------------------------
module environmentIdentity 'modules/identity.bicep' = {
  name: 'environment-identity'
  dependsOn: [filesKey]
  params: { name: '${prefix}-env', location: location, registryName: registryName, registryResourceGroup: registryResourceGroup, keyVaultName: keyVaultName, keyVaultSecrets: ['files-account-key'], pullsImages: false }
}

resource appsEnvironment 'Microsoft.App/managedEnvironments@2026-01-01' = {
  name: '${prefix}-env'
  location: location
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${environmentIdentity.outputs.id}': {} } }
  dependsOn: [vaultEndpoint, fileEndpoint, blobEndpoint]
  properties: {
    vnetConfiguration: { infrastructureSubnetId: appsSubnet, internal: false }
    workloadProfiles: [{ name: 'Consumption', workloadProfileType: 'Consumption' }]
    zoneRedundant: environmentName == 'production'
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
  }
}

resource mounts 'Microsoft.App/managedEnvironments/storages@2026-01-01' = [for (name, i) in shares: {
  parent: appsEnvironment
  name: name
  dependsOn: [share[i]]
  properties: {
    azureFile: {
      accountName: fileStorage.name
      accountKeyVaultProperties: { keyVaultUrl: '${vault.properties.vaultUri}secrets/files-account-key', identity: environmentIdentity.outputs.id }
      shareName: name
      accessMode: 'ReadWrite'
    }
  }
}]

var image = '${registry.properties.loginServer}/bank-scoring'
var mlflowUrl = 'http://mlflow'
var common = {
  location: location
  environmentId: appsEnvironment.id
  registryName: registryName
  registryResourceGroup: registryResourceGroup
  keyVaultName: keyVaultName
}

// ---- the apps ----------------------------------------------------------------------------------
module mlflow 'modules/app.bicep' = {
  name: 'mlflow'
  dependsOn: [postgres]
  params: union(common, {
    name: 'mlflow'
    image: '${image}/mlflow:${imageTag}'
    port: 5000
    readyPath: '/health'
    command: [  // with its authentication on (docker/mlflow/serve.sh): every request but /health needs a user
      'sh', '/opt/mlflow/serve.sh', '--host=0.0.0.0', '--port=5000', '--serve-artifacts'
      '--allowed-hosts=mlflow,mlflow:*,*.${appsEnvironment.properties.defaultDomain},localhost:*,127.0.0.1:*'
    ]
    keyVaultSecrets: ['mlflow-db-password', 'mlflow-admin-password', 'mlflow-secret-key']
    env: [
      { name: 'MLFLOW_BACKEND_STORE_URI', value: mlflowStoreUrl }
      { name: 'MLFLOW_AUTH_DATABASE_URI', value: mlflowStoreUrl }
      { name: 'PGPASSWORD', secretRef: 'mlflow-db-password' }
      { name: 'MLFLOW_AUTH_ADMIN_USERNAME', value: 'admin' }
      { name: 'MLFLOW_AUTH_ADMIN_PASSWORD', secretRef: 'mlflow-admin-password' }
      { name: 'MLFLOW_FLASK_SERVER_SECRET_KEY', secretRef: 'mlflow-secret-key' }
      // no account key: the Azure SDK signs in as MLflow's identity (AZURE_CLIENT_ID, app.bicep)
      { name: 'MLFLOW_ARTIFACTS_DESTINATION', value: 'wasbs://mlflow@${blobStorage.name}.blob.${storageSuffix}/artifacts' }
    ]
    minReplicas: 1
    maxReplicas: 2
  })
}

// MLflow's identity may read and write blobs of its container, nothing else of the account
resource mlflowArtifacts 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(artifacts.id, 'mlflow', 'blob-data-contributor')
  scope: artifacts
  properties: {
    principalId: mlflow.outputs.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  }
}

module scoring 'modules/app.bicep' = {
  name: 'scoring-api'
  dependsOn: [mlflow, mounts]
  params: union(common, {
    name: 'scoring-api'
    image: '${image}/scoring-api:${imageTag}'
    port: 8000
    external: true
    command: ['credit-scoring-api', 'serve', '--host', '0.0.0.0', '--port', '8000', '--workers', '2']  // checks the schema, then serves
    keyVaultSecrets: ['scoring-db-password', 'mlflow-services-password']
    env: [
      { name: 'SCORING_DATABASE_URL', value: scoringUrl }  // may score and record, never change a decision
      { name: 'PGPASSWORD', secretRef: 'scoring-db-password' }
      { name: 'SCORING_MLFLOW_TRACKING_URI', value: mlflowUrl }
      { name: 'MLFLOW_TRACKING_USERNAME', value: 'services' }  // reads the registry, cannot change it
      { name: 'MLFLOW_TRACKING_PASSWORD', secretRef: 'mlflow-services-password' }
      { name: 'SCORING_API_CLIENTS', value: string(scoringApiClients) }
      { name: 'SCORING_SPOOL_DIR', value: '/spool' }
      { name: 'SCORING_SHUTDOWN_SECONDS', value: '20' }
    ]
    volumes: [{ name: 'spool', storageType: 'AzureFile', storageName: 'decision-spool' }]
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
  dependsOn: [mlflow]
  params: union(common, {
    name: 'explainer'
    image: '${image}/explainer:${imageTag}'
    port: 8001
    keyVaultSecrets: ['explainer-scoring-api-key', 'mlflow-services-password']
    env: [
      { name: 'EXPLAINER_MLFLOW_TRACKING_URI', value: mlflowUrl }
      { name: 'MLFLOW_TRACKING_USERNAME', value: 'services' }  // reads the registry, cannot change it
      { name: 'MLFLOW_TRACKING_PASSWORD', secretRef: 'mlflow-services-password' }
      { name: 'EXPLAINER_SCORING_API_URL', value: 'http://scoring-api' }
      { name: 'EXPLAINER_SCORING_API_KEY', secretRef: 'explainer-scoring-api-key' }
      { name: 'EXPLAINER_API_CLIENTS', value: string(explainerApiClients) }
    ]
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    concurrentRequests: 30
  })
}

module monitor 'modules/app.bicep' = {
  name: 'monitor'
  dependsOn: [mlflow, mounts]
  params: union(common, {
    name: 'monitor'
    image: '${image}/monitor:${imageTag}'
    port: 8002
    keyVaultSecrets: ['monitor-db-password', 'mlflow-services-password', 'evidently-secret']
    env: [
      { name: 'MONITOR_DATABASE_URL', value: monitorUrl }  // reads decisions, writes drift runs
      { name: 'PGPASSWORD', secretRef: 'monitor-db-password' }
      { name: 'MONITOR_MLFLOW_TRACKING_URI', value: mlflowUrl }
      { name: 'MLFLOW_TRACKING_USERNAME', value: 'services' }  // reads the registry, cannot change it
      { name: 'MLFLOW_TRACKING_PASSWORD', secretRef: 'mlflow-services-password' }
      { name: 'MONITOR_REPORTS', value: '/reports' }
      { name: 'MONITOR_SCHEDULE_INTERVAL', value: '3600' }
      { name: 'MONITOR_API_CLIENTS', value: string(monitorApiClients) }
      { name: 'MONITOR_EVIDENTLY_WORKSPACE', value: 'http://evidently-ui' }  // each run to Evidently's UI
      { name: 'MONITOR_EVIDENTLY_SECRET', secretRef: 'evidently-secret' }
      { name: 'MONITOR_RETRAIN_ON_RECOMMENDATION', value: 'true' }  // the retrainer job takes them
    ]
    // one replica: the scheduled drift runs must not run twice
    minReplicas: 1
    maxReplicas: 1
    memory: '4Gi'
    cpu: '2.0'
    volumes: [{ name: 'reports', storageType: 'AzureFile', storageName: 'drift-reports' }]
    volumeMounts: [{ volumeName: 'reports', mountPath: '/reports' }]
  })
}

// Evidently's own UI over the monitor's runs: the monitor's image, internal ingress (reached from
// the environment's network), and the dashboard's sign-in in front of it (Entra ID, the same app
// registration, built-in authentication: nobody reaches it without signing in)
module evidentlyUi 'modules/app.bicep' = {
  name: 'evidently-ui'
  dependsOn: [mounts]
  params: union(common, {
    name: 'evidently-ui'
    image: '${image}/monitor:${imageTag}'
    command: ['evidently', 'ui', '--host', '0.0.0.0', '--port', '8003', '--workspace', '/workspace']
    port: 8003
    healthPath: '/api/version'
    readyPath: '/api/version'
    keyVaultSecrets: ['evidently-secret', 'ui-entra-client-secret']
    env: [
      { name: 'EVIDENTLY_SECRET', secretRef: 'evidently-secret' }  // writing needs it; reading is behind the sign-in
      { name: 'DO_NOT_TRACK', value: '1' }
      { name: 'HOME', value: '/tmp' }
    ]
    // one replica: the workspace is a folder on a share
    minReplicas: 1
    maxReplicas: 1
    volumes: [{ name: 'workspace', storageType: 'AzureFile', storageName: 'evidently' }]
    volumeMounts: [{ volumeName: 'workspace', mountPath: '/workspace' }]
  })
}

resource evidentlyApp 'Microsoft.App/containerApps@2026-01-01' existing = {
  name: 'evidently-ui'
  dependsOn: [evidentlyUi]
}

resource evidentlySignIn 'Microsoft.App/containerApps/authConfigs@2024-03-01' = {
  parent: evidentlyApp
  name: 'current'
  properties: {
    platform: { enabled: true }
    globalValidation: { unauthenticatedClientAction: 'RedirectToLoginPage', redirectToProvider: 'azureactivedirectory' }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: entraClientId
          clientSecretSettingName: 'ui-entra-client-secret'
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        // only the dashboard's ops may look (the app role of docs/deploy-azure.md)
        validation: { defaultAuthorizationPolicy: { allowedPrincipals: {} }, allowedAudiences: ['api://${entraClientId}'] }
      }
    }
  }
}

module ui 'modules/app.bicep' = {
  name: 'ui'
  params: union(common, {
    name: 'ui'
    image: '${image}/ui:${imageTag}'
    port: 8501
    external: true
    healthPath: '/_stcore/health'
    readyPath: '/_stcore/health'
    keyVaultSecrets: ['ui-scoring-api-key', 'ui-explainer-api-key', 'ui-monitor-api-key', 'ui-auth-secrets-toml']
    // st.login reads the OpenID provider from .streamlit/secrets.toml under the working directory
    volumes: [{ name: 'streamlit-secrets', storageType: 'Secret', secrets: [{ secretRef: 'ui-auth-secrets-toml', path: 'secrets.toml' }] }]
    volumeMounts: [{ volumeName: 'streamlit-secrets', mountPath: '/home/app/.streamlit' }]
    env: [
      { name: 'UI_SCORING_API_URL', value: 'http://scoring-api' }
      { name: 'UI_SCORING_API_KEY', secretRef: 'ui-scoring-api-key' }
      { name: 'UI_EXPLAINER_URL', value: 'http://explainer' }
      { name: 'UI_EXPLAINER_API_KEY', secretRef: 'ui-explainer-api-key' }
      { name: 'UI_MONITOR_URL', value: 'http://monitor' }
      { name: 'UI_MONITOR_API_KEY', secretRef: 'ui-monitor-api-key' }
      { name: 'UI_LANGUAGE', value: 'fr' }
      { name: 'UI_AUTH', value: 'oidc' }  // Entra ID; the roles officer, risk, ops are the app's roles
      { name: 'UI_OIDC_ROLES_CLAIM', value: 'roles' }
      { name: 'UI_EVIDENTLY_URL', value: evidentlyUi.outputs.url }  // the monitoring page links to it
    ]
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    concurrentRequests: 20
  })
}

// ---- the jobs (the pipeline starts migrate after each deployment; the others by hand) ----------
var resources = { cpu: json('0.5'), memory: '1Gi' }

// the owner migrates and makes the logins, one after the other: MLflow's (owner of its database),
// the scoring API's, then the monitor's (it reads the scoring API's tables)
module migrate 'modules/job.bicep' = {
  name: 'migrate'
  dependsOn: [postgres]
  params: union(common, {
    name: 'migrate'
    replicaTimeout: 900
    keyVaultSecrets: ['postgres-admin-password', 'mlflow-db-password', 'scoring-db-password', 'monitor-db-password']
    initContainers: [
      {
        name: 'mlflow-database'
        image: '${image}/mlflow:${imageTag}'
        command: ['python', '/opt/mlflow/database.py']
        env: [
          { name: 'MLFLOW_DATABASE_OWNER_URL', value: 'postgresql://${postgresAdminUser}@${postgresHost}:5432/mlflow?${tls}' }
          { name: 'PGPASSWORD', secretRef: 'postgres-admin-password' }
          { name: 'MLFLOW_DB_PASSWORD', secretRef: 'mlflow-db-password' }
        ]
        resources: resources
      }
      {
        name: 'scoring'
        image: '${image}/scoring-api:${imageTag}'
        command: ['credit-scoring-api', 'migrate', '--service-role', 'scoring']
        env: [
          { name: 'SCORING_DATABASE_URL', value: ownerUrl }
          { name: 'PGPASSWORD', secretRef: 'postgres-admin-password' }
          { name: 'SERVICE_ROLE_PASSWORD', secretRef: 'scoring-db-password' }
        ]
        resources: resources
      }
    ]
    containers: [
      {
        name: 'monitor'
        image: '${image}/monitor:${imageTag}'
        command: ['credit-monitor', 'migrate', '--service-role', 'monitor']
        env: [
          { name: 'MONITOR_DATABASE_URL', value: ownerUrl }
          { name: 'PGPASSWORD', secretRef: 'postgres-admin-password' }
          { name: 'SERVICE_ROLE_PASSWORD', secretRef: 'monitor-db-password' }
        ]
        resources: resources
      }
    ]
  })
}

// the admin makes the trainer's and the services' MLflow users (before the first training)
module mlflowUsers 'modules/job.bicep' = {
  name: 'mlflow-users'
  dependsOn: [mlflow]
  params: union(common, {
    name: 'mlflow-users'
    replicaTimeout: 600
    replicaRetryLimit: 2
    keyVaultSecrets: ['mlflow-admin-password', 'mlflow-trainer-password', 'mlflow-services-password']
    containers: [
      {
        name: 'mlflow-users'
        image: '${image}/mlflow:${imageTag}'
        command: ['python', '/opt/mlflow/users.py']
        env: [
          { name: 'MLFLOW_TRACKING_URI', value: mlflowUrl }
          { name: 'MLFLOW_TRACKING_USERNAME', value: 'admin' }
          { name: 'MLFLOW_TRACKING_PASSWORD', secretRef: 'mlflow-admin-password' }
          { name: 'MLFLOW_TRAINER_PASSWORD', secretRef: 'mlflow-trainer-password' }
          { name: 'MLFLOW_SERVICES_PASSWORD', secretRef: 'mlflow-services-password' }
        ]
        resources: resources
      }
    ]
  })
}

module trainer 'modules/job.bicep' = {
  name: 'trainer'
  dependsOn: [mounts]
  params: union(common, {
    name: 'trainer'
    replicaTimeout: 7200
    replicaRetryLimit: 0
    keyVaultSecrets: ['mlflow-trainer-password']
    containers: [
      {
        name: 'trainer'
        image: '${image}/trainer:${imageTag}'
        command: ['credit-trainer', 'bootstrap', '--data', '/data', '--grid', 'full']
        env: [
          { name: 'TRAINER_MLFLOW_TRACKING_URI', value: mlflowUrl }
          { name: 'MLFLOW_TRACKING_USERNAME', value: 'trainer' }
          { name: 'MLFLOW_TRACKING_PASSWORD', secretRef: 'mlflow-trainer-password' }
        ]
        resources: { cpu: json('4.0'), memory: '8Gi' }
        volumeMounts: [{ volumeName: 'data', mountPath: '/data' }]
      }
    ]
    volumes: [{ name: 'data', storageType: 'AzureFile', storageName: 'data' }]
  })
}

// the retrain loop: every 15 minutes, the monitor's oldest pending retrain request (asked by a drift
// run that recommends retraining, or by ops) trained on the data plus the labelled decisions; the
// challenger is promoted only through the promotion rules, and the monitor told what became of it
module retrainer 'modules/job.bicep' = {
  name: 'retrainer'
  dependsOn: [mounts]
  params: union(common, {
    name: 'retrainer'
    schedule: '*/15 * * * *'
    replicaTimeout: 7200
    replicaRetryLimit: 0
    keyVaultSecrets: ['mlflow-trainer-password', 'trainer-monitor-api-key']
    containers: [
      {
        name: 'retrainer'
        image: '${image}/trainer:${imageTag}'
        command: ['credit-trainer', 'retrain', '--data', '/data', '--once']
        env: [
          { name: 'TRAINER_MLFLOW_TRACKING_URI', value: mlflowUrl }
          { name: 'MLFLOW_TRACKING_USERNAME', value: 'trainer' }
          { name: 'MLFLOW_TRACKING_PASSWORD', secretRef: 'mlflow-trainer-password' }
          { name: 'TRAINER_GRID', value: 'full' }
          { name: 'TRAINER_MONITOR_URL', value: 'http://monitor' }
          { name: 'TRAINER_MONITOR_API_KEY', secretRef: 'trainer-monitor-api-key' }
        ]
        resources: { cpu: json('4.0'), memory: '8Gi' }
        volumeMounts: [{ volumeName: 'data', mountPath: '/data' }]
      }
    ]
    volumes: [{ name: 'data', storageType: 'AzureFile', storageName: 'data' }]
  })
}

// the owner loads the test applicants into the applicant store
module ingest 'modules/job.bicep' = {
  name: 'ingest'
  dependsOn: [mounts, migrate]
  params: union(common, {
    name: 'ingest'
    keyVaultSecrets: ['postgres-admin-password']
    containers: [
      {
        name: 'ingest'
        image: '${image}/scoring-api:${imageTag}'
        command: ['credit-scoring-api', 'ingest', '--data', '/data']
        env: [
          { name: 'SCORING_DATABASE_URL', value: ownerUrl }
          { name: 'PGPASSWORD', secretRef: 'postgres-admin-password' }
        ]
        resources: { cpu: json('1.0'), memory: '2Gi' }
        volumeMounts: [{ volumeName: 'data', mountPath: '/data' }]
      }
    ]
    volumes: [{ name: 'data', storageType: 'AzureFile', storageName: 'data' }]
  })
}

output scoringApiUrl string = scoring.outputs.url
output uiUrl string = ui.outputs.url

// ---- alerts: the rules of deploy/prometheus/alerts.yml, the same file promtool tests -------------
module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: { prefix: prefix, location: location, alertEmail: alertEmail, environmentId: appsEnvironment.id }
}
