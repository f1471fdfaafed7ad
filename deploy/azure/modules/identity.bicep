// The managed identity of one app or job: it may pull the stack's images and read the Key Vault
// secrets it is given, each by a role assignment on that secret alone (never the whole vault).
param name string
param location string
param registryName string
param registryResourceGroup string
param keyVaultName string
@description('Whether it pulls images (the environment\'s identity only reads the shares\' key)')
param pullsImages bool = true
@description('The Key Vault secrets it may read (their names in the vault)')
param keyVaultSecrets array = []

var secretsUser = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${name}-identity'
  location: location
}

module pull 'acr-pull.bicep' = if (pullsImages) {
  name: '${name}-acr-pull'
  scope: resourceGroup(registryResourceGroup)
  params: { registryName: registryName, principalId: identity.properties.principalId }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource secrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' existing = [for secret in keyVaultSecrets: {
  parent: vault
  name: secret
}]

resource reads 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (secret, i) in keyVaultSecrets: {
  name: guid(secrets[i].id, identity.id, 'secrets-user')
  scope: secrets[i]
  properties: { principalId: identity.properties.principalId, principalType: 'ServicePrincipal', roleDefinitionId: secretsUser }
}]

output id string = identity.id
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
// what an app's or a job's secrets list holds: references into the vault, read with this identity
output secretRefs array = [for secret in keyVaultSecrets: {
  name: secret
  keyVaultUrl: '${vault.properties.vaultUri}secrets/${secret}'
  identity: identity.id
}]
