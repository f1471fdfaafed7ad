"""The MLflow users of the stack, made (or their passwords reset) by the admin, once per start:

- ``trainer`` (``MLFLOW_TRAINER_PASSWORD``) writes: it creates the experiment and the registered
  model, and so may change them (MLflow gives their creator MANAGE); where they exist already it
  is given MANAGE on them;
- ``services`` (``MLFLOW_SERVICES_PASSWORD``) reads: what the scoring API, the explainer and the
  monitor load the champion with; it cannot register a version or move an alias.

Run in the MLflow image (``python /opt/mlflow/users.py``) with ``MLFLOW_TRACKING_URI`` and the
admin's ``MLFLOW_TRACKING_USERNAME`` / ``MLFLOW_TRACKING_PASSWORD``.
"""

from __future__ import annotations

import os
import sys

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException, RestException
from mlflow.server import get_app_client

MODEL, EXPERIMENT = "credit-default", "credit-default"
USERS = {"trainer": "MLFLOW_TRAINER_PASSWORD", "services": "MLFLOW_SERVICES_PASSWORD"}
MIN_PASSWORD = 12


def main() -> None:
    auth = get_app_client("basic-auth", tracking_uri=os.environ["MLFLOW_TRACKING_URI"])
    for user, variable in USERS.items():
        password = os.environ.get(variable, "")
        if len(password) < MIN_PASSWORD:
            sys.exit(f"mlflow-users: {variable} must hold at least {MIN_PASSWORD} characters")
        try:
            auth.create_user(user, password)
            print(f"mlflow-users: created {user}")
        except RestException as error:
            if error.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
            auth.update_user_password(user, password)
            print(f"mlflow-users: {user} exists, password set")
    client = MlflowClient()
    resources = []
    try:
        client.get_registered_model(MODEL)
        resources.append(("registered_model", MODEL))
    except MlflowException:
        pass  # the trainer will create it
    experiment = client.get_experiment_by_name(EXPERIMENT)
    if experiment is not None:
        resources.append(("experiment", experiment.experiment_id))
    for kind, resource in resources:
        try:
            auth.grant_user_permission("trainer", kind, resource, "MANAGE")
        except RestException as error:
            if error.error_code != "RESOURCE_ALREADY_EXISTS":  # it created it
                raise
        print(f"mlflow-users: trainer may manage the {kind} {resource}")


if __name__ == "__main__":
    main()
