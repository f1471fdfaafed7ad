"""The registered model as MLflow sees it, and what a service loads from it.

A model version's ``artifacts/`` folder holds data only: the compiled model (``model.json`` and
the booster in its native format), the model card, the reference sample, the global importance,
the feature catalogue and the hold-out scores. The SHA-256 of each is recorded as the version's
``artifact_sha256`` tag when it is registered; :func:`verified_artifacts` checks them before a
service reads anything, so a changed file is refused. Nothing is unpickled.

For MLflow users the version is also a pyfunc (:mod:`credit_core.pyfunc`); no service loads it.
Imports MLflow (the client only, as mlflow-skinny has it): only code that talks to the registry
imports this module.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

import mlflow.artifacts
from mlflow import MlflowClient

from credit_core.contracts.model_card import ModelCard
from credit_core.scoring import MODEL_FILE, CompiledModel

MODEL_NAME = "credit-default"
CHAMPION, CHALLENGER = "champion", "challenger"
CARD_FILE = "model_card.json"
REFERENCE_FILE = "reference.parquet"
IMPORTANCE_FILE = "importance.csv"
CATALOGUE_FILE = "feature_catalogue.json"
HOLDOUT_FILE = "holdout.parquet"
# the generated model documentation, one file per format (``GET /v1/model/documentation``)
DOCUMENTATION_FILES = {"html": "documentation.html", "markdown": "documentation.md"}
CHECKSUM_TAG = "artifact_sha256"


class TamperedArtifactError(ValueError):
    """A registry artifact is missing or does not match the SHA-256 recorded at registration."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def checksums(files: list[Path]) -> str:
    """The ``artifact_sha256`` tag of a version: file name -> SHA-256, as JSON."""
    return json.dumps({path.name: sha256(path) for path in files}, sort_keys=True)


def verified_artifacts(folder: Path, tags: Mapping[str, str]) -> Path:
    """The ``artifacts/`` folder of a downloaded model version, once every file recorded in its
    ``artifact_sha256`` tag is there with that SHA-256; raises :class:`TamperedArtifactError`."""
    recorded = tags.get(CHECKSUM_TAG)
    if not recorded:
        raise TamperedArtifactError(f"the version has no {CHECKSUM_TAG} tag: its artifacts cannot be verified")
    try:
        expected: dict[str, str] = json.loads(recorded)
    except json.JSONDecodeError as error:
        raise TamperedArtifactError(f"the {CHECKSUM_TAG} tag is not JSON") from error
    artifacts = folder / "artifacts"
    for name in (MODEL_FILE, CARD_FILE):
        if name not in expected:
            raise TamperedArtifactError(f"{name} has no recorded SHA-256")
    for name, digest in expected.items():
        path = artifacts / name
        if Path(name).name != name or not path.is_file():
            raise TamperedArtifactError(f"{name}: missing from the downloaded artifacts")
        if sha256(path) != digest:
            raise TamperedArtifactError(f"{name}: SHA-256 differs from the one recorded at registration")
    unverified = {p.name for p in artifacts.iterdir()} - set(expected)
    for name in unverified:  # never read what was not recorded
        (artifacts / name).unlink()
    return artifacts


def read_card(artifacts: Path) -> ModelCard:
    return ModelCard.model_validate_json((artifacts / CARD_FILE).read_bytes())


def model_uri(name: str = MODEL_NAME, alias: str = CHAMPION) -> str:
    return f"models:/{name}@{alias}"


def download_model(uri: str, destination: Path) -> Path:
    """A local copy of a registered model's folder; its files are under ``artifacts/``."""
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # no progress bars in logs
    return Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(destination)))


def load_version(tracking_uri: str, name: str, version: str, folder: Path) -> tuple[CompiledModel, ModelCard, Path]:
    """A registered version as every service loads it: downloaded into ``folder``, each artifact
    checked against the SHA-256 recorded at registration, the compiled model and the card read as
    data. Raises :class:`TamperedArtifactError` (or ``ValueError`` for a file that does not parse)."""
    mlflow.set_registry_uri(tracking_uri)
    mlflow.set_tracking_uri(tracking_uri)
    tags = MlflowClient(tracking_uri, tracking_uri).get_model_version(name, version).tags
    artifacts = verified_artifacts(download_model(f"models:/{name}/{version}", folder / version), tags)
    return CompiledModel.load(artifacts), read_card(artifacts), artifacts
