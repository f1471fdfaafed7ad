#!/bin/sh
# Run once by the Postgres image on an empty data directory: the MLflow backend store beside the
# application's database (POSTGRES_DB: prediction log, applicants, outcomes, drift runs).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -c "CREATE DATABASE mlflow"
