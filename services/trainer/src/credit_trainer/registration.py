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
from credit_core.catalogue import RISK_DIRECTIONS, feature_catalogue
from credit_core.contracts.model_card import (
    CalibrationReport,
    CandidateResult,
    CostCurve,
    Curves,
    CvScores,
    Fairness,
    HoldoutMetrics,
    IntervalOf,
    Intervals,
    ModelCard,
    ReferenceCosts,
    RocCurve,
    ScorecardRow,
)
from credit_core.costs import model_card_curves, reference_costs
from credit_core.loader import RawTables
from credit_core.pyfunc import CreditDefaultModel
from credit_core.registry import (
    CARD_FILE,
    CATALOGUE_FILE,
    CHALLENGER,
    CHECKSUM_TAG,
    DOCUMENTATION_FILES,
    HOLDOUT_FILE,
    IMPORTANCE_FILE,
    REFERENCE_FILE,
    checksums,
)
from credit_core.schema import APPLICATION
from credit_core.scoring import MODEL_FILE, CompiledModel
from credit_core.uncertainty import RESAMPLES, Interval, bootstrap_intervals, reliability
from mlflow import MlflowClient

from credit_trainer.config import Settings
from credit_trainer.fairness import FairnessReport
from credit_trainer.scorecard import scorecard_of
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
    choice: Choice,
    tables: RawTables,
    data: Dataset,
    settings: Settings,
    comparison: pd.DataFrame,
    final_fairness: FairnessReport,
    excluded: tuple[str, ...] = (),
) -> ModelCard:
    """``final_fairness``: the chosen model's groups at its final threshold; ``excluded``: the
    application fields it was trained without."""
    y_hold = data.y[data.holdout]
    curves = model_card_curves(y_hold, choice.holdout_proba)
    points = scorecard_of(choice.result.estimator)
    return ModelCard(
        name=settings.model_name,
        candidate=choice.result.name,
        family=choice.result.candidate.family,
        params=choice.result.best_params,
        trained_at=datetime.now(UTC).replace(microsecond=0),
        threshold=choice.threshold.threshold,
        calibrated=choice.calibration.method != "none",
        training_applicants=len(data.train),
        holdout_applicants=len(data.holdout),
        default_rate=float(data.y.mean()),
        cv=CvScores(**choice.result.cv),
        holdout=HoldoutMetrics(**choice.holdout),
        reference_costs=ReferenceCosts(**reference_costs(y_hold)),
        reasons=choice.reasons,
        candidates=[CandidateResult(**row) for row in _records(comparison)],
        curves=Curves(cost=CostCurve(**curves["cost"]), roc=RocCurve(**curves["roc"])),
        data_fingerprint=data_fingerprint(tables),
        feature_catalogue_hash=catalogue_hash(),
        git_commit=git_commit(),
        raw_fields=APPLICATION.column_names,
        calibration=calibration_report(choice, y_hold),
        intervals=_intervals(bootstrap_intervals(y_hold, choice.holdout_proba, choice.threshold.threshold)),
        scorecard=None if points is None else [ScorecardRow(**row) for row in _records(points)],
        fairness=Fairness(
            groups=final_fairness.groups, summary=final_fairness.summary, excluded_attributes=list(excluded)
        ),
        monotone_constraints=(
            {n: "up" if d > 0 else "down" for n, d in RISK_DIRECTIONS.items()}
            if choice.result.candidate.constraints == "monotone"
            else {}
        ),
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON gives them (missing values as None)."""
    return list(json.loads(frame.to_json(orient="records")))


def calibration_report(choice: Choice, y_hold: np.ndarray) -> CalibrationReport:
    before, after = reliability(y_hold, choice.result.holdout_proba), reliability(y_hold, choice.holdout_proba)
    return CalibrationReport(
        method=choice.calibration.method,  # type: ignore[arg-type]
        oof_brier=choice.calibration_scores,
        holdout_ece_uncalibrated=before.ece,
        holdout_ece=after.ece,
        mean_predicted=after.mean_predicted,
        observed_rate=after.observed_rate,
        in_the_large=after.in_the_large,
        reliability_predicted=after.predicted,
        reliability_observed=after.observed,
        reliability_counts=after.counts,
    )


def _intervals(intervals: dict[str, Interval]) -> Intervals:
    first = next(iter(intervals.values()))
    return Intervals(
        confidence=first.confidence,
        resamples=RESAMPLES,
        **{k: IntervalOf(estimate=i.estimate, low=i.low, high=i.high) for k, i in intervals.items()},
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
    documents: dict[str, str],
) -> Registered:
    """Log the model with its artifacts in the active run, register it, record the SHA-256 of every
    artifact and the card's headline figures as version tags, alias it ``challenger``.
    ``documents``: the model documentation per format (:data:`DOCUMENTATION_FILES`)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = compiled.save(folder)
        (folder / CARD_FILE).write_text(card.model_dump_json(indent=1))
        reference.write_parquet(folder / REFERENCE_FILE)
        importance.to_csv(folder / IMPORTANCE_FILE, index=False)
        (folder / CATALOGUE_FILE).write_text(json.dumps(feature_catalogue(), indent=1))
        holdout.write_parquet(folder / HOLDOUT_FILE)
        files += [folder / name for name in (CARD_FILE, REFERENCE_FILE, IMPORTANCE_FILE, CATALOGUE_FILE, HOLDOUT_FILE)]
        for kind, text in documents.items():
            (folder / DOCUMENTATION_FILES[kind]).write_text(text, encoding="utf-8")
            files.append(folder / DOCUMENTATION_FILES[kind])
        artifacts: dict[str, Any] = {
            "model" if f.name == MODEL_FILE else f.name.replace(".", "_"): str(f) for f in files
        }
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
        "calibration": card.calibration.method if card.calibration else "none",
        "data_fingerprint": card.data_fingerprint,
        "feature_catalogue_hash": card.feature_catalogue_hash,
    }
    for key, value in tags.items():
        client.set_model_version_tag(settings.model_name, model_version, key, value)
    client.set_registered_model_alias(settings.model_name, CHALLENGER, model_version)
    return Registered(info.run_id, model_version, info.model_uri)
