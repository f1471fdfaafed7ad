// A private endpoint of one service (blob, file, vault) in the endpoints subnet, with the private
// DNS zone that makes its usual host name resolve to it inside the virtual network.
param name string
param location string
param subnetId string
param vnetId string
param targetId string
@allowed(['blob', 'file', 'vault'])
param groupId string
param zoneName string

resource zone 'Microsoft.Network/privateDnsZones@2020-06-01' = {
  name: zoneName
  location: 'global'
}

resource link 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2020-06-01' = {
  parent: zone
  name: '${name}-link'
  location: 'global'
  properties: { registrationEnabled: false, virtualNetwork: { id: vnetId } }
}

resource endpoint 'Microsoft.Network/privateEndpoints@2023-11-01' = {
  name: name
  location: location
  properties: {
    subnet: { id: subnetId }
    privateLinkServiceConnections: [{ name: name, properties: { privateLinkServiceId: targetId, groupIds: [groupId] } }]
  }
}

resource dns 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2023-11-01' = {
  parent: endpoint
  name: 'default'
  properties: { privateDnsZoneConfigs: [{ name: groupId, properties: { privateDnsZoneId: zone.id } }] }
}
