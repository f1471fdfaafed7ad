#!/usr/bin/env bash
# One environment's deployment, as the deploy workflow runs it (or by hand, logged in with `az`):
# the Bicep with the image tag and the clients (no secret: they are in the environment's Key
# Vault), then the migrate job, waited for: the schema and the services' database logins (the
# apps' new revisions become ready once their schema is there). Writes the public URLs to
# $GITHUB_OUTPUT (scoring=, ui=) or prints them.
#   RESOURCE_GROUP REGISTRY [REGISTRY_RESOURCE_GROUP] KEY_VAULT IMAGE_TAG SCORING_API_CLIENTS EXPLAINER_API_CLIENTS
#   MONITOR_API_CLIENTS ENTRA_CLIENT_ID ALERT_EMAIL [MIN_REPLICAS] deploy/azure/deploy.sh staging|production
set -euo pipefail
environment=${1:?staging or production}
: "${RESOURCE_GROUP:?}" "${REGISTRY:?}" "${KEY_VAULT:?}" "${IMAGE_TAG:?}"
: "${SCORING_API_CLIENTS:?}" "${EXPLAINER_API_CLIENTS:?}" "${MONITOR_API_CLIENTS:?}" "${ENTRA_CLIENT_ID:?}" "${ALERT_EMAIL:?}"
outputs=$(mktemp)
az deployment group create \
    --resource-group "$RESOURCE_GROUP" \
    --template-file deploy/azure/main.bicep \
    --parameters environmentName="$environment" registryName="$REGISTRY" keyVaultName="$KEY_VAULT" \
                 registryResourceGroup="${REGISTRY_RESOURCE_GROUP:-$RESOURCE_GROUP}" \
                 imageTag="$IMAGE_TAG" minReplicas="${MIN_REPLICAS:-1}" \
                 scoringApiClients="$SCORING_API_CLIENTS" explainerApiClients="$EXPLAINER_API_CLIENTS" \
                 monitorApiClients="$MONITOR_API_CLIENTS" entraClientId="$ENTRA_CLIENT_ID" alertEmail="$ALERT_EMAIL" \
    --query properties.outputs --output json >"$outputs"

execution=$(az containerapp job start --name migrate --resource-group "$RESOURCE_GROUP" --query name --output tsv)
status=Running
for _ in $(seq 90); do
    status=$(az containerapp job execution show --name migrate --resource-group "$RESOURCE_GROUP" \
        --job-execution-name "$execution" --query properties.status --output tsv)
    case "$status" in
        Succeeded) break ;;
        Failed | Stopped | Degraded) echo "migrate $execution: $status (az containerapp job logs show -n migrate)" >&2; exit 1 ;;
    esac
    sleep 10
done
[ "$status" = Succeeded ] || { echo "migrate $execution: still $status after 15 min" >&2; exit 1; }
echo "migrate $execution: schema and logins up to date" >&2

{
    echo "scoring=$(jq -r .scoringApiUrl.value "$outputs")"
    echo "ui=$(jq -r .uiUrl.value "$outputs")"
} >>"${GITHUB_OUTPUT:-/dev/stdout}"
