"""A trained model as a registry version: its model card, its artifacts (data only, each with its
SHA-256 recorded in the version's tags), the alias ``challenger``."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import credit_core
import mlflow
import numpy as np
import pandas as pd
import polars as pl
from credit_core.catalogue import feature_catalogue
from credit_core.contracts.model_card import (
    CandidateResult,
    CostCurve,
    Curves,
    CvScores,
    HoldoutMetrics,
    ModelCard,
    ReferenceCosts,
    RocCurve,
)
from credit_core.costs import model_card_curves, reference_costs
from credit_core.loader import RawTables
from credit_core.pyfunc import CreditDefaultModel
from credit_core.registry import (
    CARD_FILE,
    CATALOGUE_FILE,
    CHALLENGER,
    CHECKSUM_TAG,
    HOLDOUT_FILE,
    IMPORTANCE_FILE,
    REFERENCE_FILE,
    checksums,
)
from credit_core.schema import APPLICATION
from credit_core.scoring import MODEL_FILE, CompiledModel
from mlflow import MlflowClient

from credit_trainer.config import Settings
from credit_trainer.tracking import catalogue_hash, data_fingerprint, git_commit
from credit_trainer.training import Choice, Dataset

REFERENCE_ROWS = 5_000
# what loading the pyfunc needs besides credit_core, which travels as code
RUNTIME_PACKAGES = ("numpy", "pandas", "polars", "pyarrow", "pydantic", "lightgbm", "xgboost-cpu", "mlflow-skinny")


def reference_sample(tables: RawTables, data: Dataset, choice: Choice, seed: int) -> pl.DataFrame:
    """Raw application fields + model features + out-of-fold scores of up to 5,000 tuning rows:
    what the model learned from, for drift monitoring."""
    rng = np.random.default_rng(seed)
    take = np.sort(rng.choice(len(data.train), min(REFERENCE_ROWS, len(data.train)), replace=False))
    rows = data.train[take]
    ids = pl.DataFrame({"SK_ID_CURR": data.ids[rows]})
    raw = ids.join(tables.application, on="SK_ID_CURR", how="left", maintain_order="left")
    raw = raw.select(pl.all().name.map(lambda c: c if c == "SK_ID_CURR" else f"raw__{c}"))
    features = data.features[rows.tolist()].drop("SK_ID_CURR")
    score = pl.DataFrame({"probability": choice.oof[take], "TARGET": data.y[rows]})
    score = score.with_columns(
        pl.when(pl.col("probability") >= choice.threshold.threshold)
        .then(pl.lit("refused"))
        .otherwise(pl.lit("granted"))
        .alias("decision")
    )
    sample: pl.DataFrame = pl.concat([raw, features, score], how="horizontal")
    return sample


def holdout_frame(data: Dataset, choice: Choice) -> pl.DataFrame:
    """The hold-out applicants with their outcome and the probability the chosen model gave."""
    return pl.DataFrame(
        {"SK_ID_CURR": data.ids[data.holdout], "TARGET": data.y[data.holdout], "probability": choice.holdout_proba}
    )


def model_card(
    choice: Choice, tables: RawTables, data: Dataset, settings: Settings, comparison: pd.DataFrame
) -> ModelCard:
    y_hold = data.y[data.holdout]
    curves = model_card_curves(y_hold, choice.holdout_proba)
    return ModelCard(
        name=settings.model_name,
        candidate=choice.result.name,
        family=choice.result.candidate.family,
        params=choice.result.best_params,
        trained_at=datetime.now(UTC).replace(microsecond=0),
        threshold=choice.threshold.threshold,
        calibrated=choice.calibration is not None,
        training_applicants=len(data.train),
        holdout_applicants=len(data.holdout),
        default_rate=float(data.y.mean()),
        cv=CvScores(**choice.result.cv),
        holdout=HoldoutMetrics(**choice.holdout),
        reference_costs=ReferenceCosts(**reference_costs(y_hold)),
        reasons=choice.reasons,
        candidates=[CandidateResult(**row) for row in json.loads(comparison.to_json(orient="records"))],
        curves=Curves(cost=CostCurve(**curves["cost"]), roc=RocCurve(**curves["roc"])),
        data_fingerprint=data_fingerprint(tables),
        feature_catalogue_hash=catalogue_hash(),
        git_commit=git_commit(),
        raw_fields=APPLICATION.column_names,
    )


@dataclass
class Registered:
    run_id: str
    version: str
    model_uri: str


def _requirements() -> list[str]:
    return [f"{name}=={version(name)}" for name in RUNTIME_PACKAGES]


def register(
    compiled: CompiledModel,
    card: ModelCard,
    reference: pl.DataFrame,
    importance: pd.DataFrame,
    holdout: pl.DataFrame,
    settings: Settings,
) -> Registered:
    """Log the model with its artifacts in the active run, register it, record the SHA-256 of every
    artifact and the card's headline figures as version tags, alias it ``challenger``."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = compiled.save(folder)
        (folder / CARD_FILE).write_text(card.model_dump_json(indent=1))
        reference.write_parquet(folder / REFERENCE_FILE)
        importance.to_csv(folder / IMPORTANCE_FILE, index=False)
        (folder / CATALOGUE_FILE).write_text(json.dumps(feature_catalogue(), indent=1))
        holdout.write_parquet(folder / HOLDOUT_FILE)
        files += [folder / name for name in (CARD_FILE, REFERENCE_FILE, IMPORTANCE_FILE, CATALOGUE_FILE, HOLDOUT_FILE)]
        artifacts: dict[str, Any] = {"model" if f.name == MODEL_FILE else f.stem: str(f) for f in files}
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=CreditDefaultModel(),
            artifacts=artifacts,
            code_paths=[str(Path(credit_core.__file__).parent)],
            pip_requirements=_requirements(),
            registered_model_name=settings.model_name,
        )
        recorded = checksums(files)
    client = MlflowClient()
    model_version = str(info.registered_model_version)
    tags = {
        CHECKSUM_TAG: recorded,
        "threshold": repr(card.threshold),
        "candidate": card.candidate,
        "holdout_cost_per_1000": f"{card.holdout.cost_per_1000:.3f}",
        "holdout_auc": f"{card.holdout.auc:.4f}",
        "data_fingerprint": card.data_fingerprint,
        "feature_catalogue_hash": card.feature_catalogue_hash,
    }
    for key, value in tags.items():
        client.set_model_version_tag(settings.model_name, model_version, key, value)
    client.set_registered_model_alias(settings.model_name, CHALLENGER, model_version)
    return Registered(info.run_id, model_version, info.model_uri)
