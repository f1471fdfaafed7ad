// PostgreSQL flexible server with private access only: in its delegated subnet, its name resolved
// by a private DNS zone linked to the virtual network, no public endpoint, TLS required. The admin
// (the owner) only migrates and makes the services' logins (the migrate job); its password comes
// from Key Vault (main.bicep: getSecret).
param name string
param location string
param environmentName string
param administratorLogin string
@secure()
param administratorLoginPassword string
param subnetId string
param vnetId string
param databases array

resource zone 'Microsoft.Network/privateDnsZones@2020-06-01' = {
  name: '${name}.private.postgres.database.azure.com'
  location: 'global'
}

resource link 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2020-06-01' = {
  parent: zone
  name: '${name}-link'
  location: 'global'
  properties: { registrationEnabled: false, virtualNetwork: { id: vnetId } }
}

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: name
  location: location
  dependsOn: [link]
  sku: { name: environmentName == 'production' ? 'Standard_D2ds_v5' : 'Standard_B1ms', tier: environmentName == 'production' ? 'GeneralPurpose' : 'Burstable' }
  properties: {
    version: '15'
    administratorLogin: administratorLogin
    administratorLoginPassword: administratorLoginPassword
    storage: { storageSizeGB: 64 }
    backup: { backupRetentionDays: environmentName == 'production' ? 14 : 7, geoRedundantBackup: environmentName == 'production' ? 'Enabled' : 'Disabled' }
    highAvailability: { mode: environmentName == 'production' ? 'ZoneRedundant' : 'Disabled' }
    network: { delegatedSubnetResourceId: subnetId, privateDnsZoneArmResourceId: zone.id, publicNetworkAccess: 'Disabled' }
  }
}

resource tls 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'require_secure_transport'
  properties: { value: 'ON', source: 'user-override' }
}

resource logConnections 'Microsoft.DBforPostgreSQL/flexibleServers/configurations@2024-08-01' = {
  parent: server
  name: 'log_connections'
  properties: { value: 'ON', source: 'user-override' }
  dependsOn: [tls]
}

resource created 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = [for database in databases: {
  parent: server
  name: database
}]

output host string = server.properties.fullyQualifiedDomainName
