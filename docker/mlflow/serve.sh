#!/bin/sh
# The MLflow server with its authentication on (`--app-name basic-auth`): every request but /health
# needs a user. The auth app reads where its users are kept from an ini file, written here from
# the environment (the image's root filesystem is read-only: the file goes to /tmp):
#   MLFLOW_AUTH_DATABASE_URI        users and permissions (the backend store's database will do:
#                                   the auth tables and their migrations are apart)
#   MLFLOW_AUTH_ADMIN_USERNAME/_PASSWORD  the admin, created on the first start
#   MLFLOW_FLASK_SERVER_SECRET_KEY  CSRF protection of the UI's forms (the same for every replica)
# Authenticated users read everything (default_permission READ); only the user that created a
# registered model or an experiment (the trainer) may change it. Arguments go to `mlflow server`.
set -eu
: "${MLFLOW_AUTH_DATABASE_URI:?}" "${MLFLOW_AUTH_ADMIN_USERNAME:?}" "${MLFLOW_AUTH_ADMIN_PASSWORD:?}"
: "${MLFLOW_FLASK_SERVER_SECRET_KEY:?}"
config=$(mktemp "${TMPDIR:-/tmp}/basic_auth.XXXXXX.ini")
cat >"$config" <<INI
[mlflow]
default_permission = READ
database_uri = $MLFLOW_AUTH_DATABASE_URI
admin_username = $MLFLOW_AUTH_ADMIN_USERNAME
authorization_function = mlflow.server.auth:authenticate_request_basic_auth
INI
export MLFLOW_AUTH_CONFIG_PATH="$config"
exec mlflow server --app-name basic-auth "$@"
