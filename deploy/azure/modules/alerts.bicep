// The alert rules of deploy/prometheus/alerts.yml (the file `promtool test rules` checks in make
// test) as Azure Monitor managed-Prometheus rule groups, on an Azure Monitor workspace, mailed to
// ops through an action group. The rules are read from that file at build time (loadYamlContent),
// so the alerts in Azure are the tested ones. The services' /metrics reach the workspace through
// a Prometheus scrape with remote write into its ingestion endpoint (docs/deploy-azure.md).
param prefix string
param location string
param alertEmail string
@description('The Container Apps environment the rules are about (their scope beside the workspace)')
param environmentId string

var rules = loadYamlContent('../../prometheus/alerts.yml')

resource metrics 'Microsoft.Monitor/accounts@2023-04-03' = {
  name: '${prefix}-metrics'
  location: location
}

resource ops 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${prefix}-ops'
  location: 'global'
  properties: {
    groupShortName: 'credit-ops'
    enabled: true
    emailReceivers: [{ name: 'ops', emailAddress: alertEmail, useCommonAlertSchema: true }]
  }
}

resource groups 'Microsoft.AlertsManagement/prometheusRuleGroups@2023-03-01' = [for group in rules.groups: {
  name: '${prefix}-${group.name}'
  location: location
  properties: {
    enabled: true
    interval: 'PT1M'
    scopes: [metrics.id, environmentId]
    rules: [for rule in group.rules: {
      alert: rule.alert
      expression: rule.expr
      for: contains(rule, 'for') ? 'PT${toUpper(rule.for)}' : null
      labels: rule.labels
      annotations: rule.annotations
      severity: rule.labels.severity == 'critical' ? 1 : (rule.labels.severity == 'warning' ? 2 : 3)
      enabled: true
      actions: [{ actionGroupId: ops.id }]
      resolveConfiguration: { autoResolved: true, timeToResolve: 'PT10M' }
    }]
  }
}]

output metricsIngestion string = metrics.properties.metrics.prometheusQueryEndpoint
