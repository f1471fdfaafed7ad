"""MLflow: where runs go, what each run records, the model bundle, registration and promotion."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import subprocess
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
from credit_core.features import feature_catalogue
from credit_core.loader import RawTables
from credit_core.metrics import evaluate, reference_costs
from credit_core.model import CreditModel
from credit_core.registry import BUNDLE_ARTIFACT, CHALLENGER, CHAMPION, CreditDefaultModel, load_credit_model, model_uri
from credit_core.schema import APPLICATION
from matplotlib import pyplot as plt
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

from credit_trainer import plots
from credit_trainer.config import Settings
from credit_trainer.training import CandidateResult, Choice, Dataset

log = logging.getLogger(__name__)

REFERENCE_ROWS = 5_000
# what loading the pyfunc needs besides credit_core, which travels as code
RUNTIME_PACKAGES = (
    "numpy",
    "pandas",
    "polars",
    "pyarrow",
    "scikit-learn",
    "imbalanced-learn",
    "lightgbm",
    "xgboost-cpu",
    "mlflow",
)


def configure(settings: Settings) -> str:
    """Point MLflow at the configured server, or at the embedded store under the project."""
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    uri = settings.mlflow_tracking_uri
    if not uri:
        settings.mlflow_dir.mkdir(parents=True, exist_ok=True)
        uri = f"sqlite:///{settings.mlflow_dir.resolve() / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return uri


def experiment(settings: Settings) -> str:
    """Create (embedded store: artifacts under the project) and activate the experiment; its id."""
    found = mlflow.get_experiment_by_name(settings.experiment)
    if found is not None:
        experiment_id = str(found.experiment_id)
    else:
        location = None if settings.mlflow_tracking_uri else (settings.mlflow_dir.resolve() / "artifacts").as_uri()
        experiment_id = str(mlflow.create_experiment(settings.experiment, artifact_location=location))
    mlflow.set_experiment(experiment_id=experiment_id)  # nested runs follow the active experiment
    return experiment_id


def data_fingerprint(tables: RawTables) -> str:
    digest = hashlib.sha256()
    frames = {"application_train": tables.application, **tables.history}
    for name, frame in sorted(frames.items()):
        digest.update(f"{name}:{frame.shape}:{frame.hash_rows(seed=0).sum()}".encode())
    return digest.hexdigest()[:16]


def catalogue_hash() -> str:
    return hashlib.sha256(json.dumps(feature_catalogue(), sort_keys=True).encode()).hexdigest()[:16]


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True, cwd=Path(__file__).parent
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _log_figure(figure: Any, path: str) -> None:
    mlflow.log_figure(figure, path)
    plt.close(figure)


def log_evaluation_plots(
    y: np.ndarray, probability: np.ndarray, metrics: dict[str, float], before_calibration: np.ndarray | None = None
) -> None:
    _log_figure(plots.roc(y, probability, metrics["auc"]), "plots/roc.png")
    _log_figure(plots.precision_recall(y, probability, metrics["pr_auc"]), "plots/precision_recall.png")
    _log_figure(
        plots.confusion(metrics["tn"], metrics["fp"], metrics["fn"], metrics["tp"], metrics["threshold"]),
        "plots/confusion.png",
    )
    _log_figure(plots.cost_vs_threshold(y, probability, metrics["threshold"]), "plots/cost_vs_threshold.png")
    _log_figure(plots.calibration(y, probability, before_calibration), "plots/calibration.png")


def log_candidate(result: CandidateResult, data: Dataset) -> str:
    """One nested run per candidate: parameters, CV and hold-out metrics, plots, importance."""
    with mlflow.start_run(run_name=result.name, nested=True) as run:
        mlflow.set_tags(
            {"candidate": result.name, "family": result.candidate.family, "imbalance": result.candidate.imbalance}
        )
        mlflow.log_params(
            {"family": result.candidate.family, "imbalance": result.candidate.imbalance, **result.best_params}
        )
        mlflow.log_metrics(
            {
                **result.cv,
                "oof_threshold": result.threshold.threshold,
                "oof_cost_per_1000": result.threshold.cost_per_1000,
                **{f"holdout_{k}": v for k, v in result.holdout.items()},
                "fit_seconds": result.seconds,
            }
        )
        log_evaluation_plots(data.y[data.holdout], result.holdout_proba, result.holdout)
        mlflow.log_table(result.importance, "importance.json")
        if result.importance["mean_abs_shap"].any():
            _log_figure(
                plots.importance(result.importance, "mean_abs_shap", f"{result.name}: mean |SHAP| (log-odds)"),
                "plots/importance_shap.png",
            )
            _log_figure(
                plots.importance(result.importance, "gain", f"{result.name}: gain / |standardised coefficient|"),
                "plots/importance_gain.png",
            )
        return str(run.info.run_id)


def comparison_table(results: list[CandidateResult], chosen: str) -> pd.DataFrame:
    rows = [
        {
            "candidate": r.name,
            "cv_auc": r.cv["cv_auc"],
            "cv_cost_per_1000": r.cv["cv_cost_per_1000"],
            "threshold": r.threshold.threshold,
            "holdout_auc": r.holdout["auc"],
            "holdout_pr_auc": r.holdout["pr_auc"],
            "holdout_brier": r.holdout["brier"],
            "holdout_cost_per_1000": r.holdout["cost_per_1000"],
            "holdout_recall": r.holdout["recall"],
            "holdout_refusal_rate": r.holdout["refusal_rate"],
            "fit_seconds": r.seconds,
            "best_params": json.dumps(r.best_params),
            "chosen": r.name == chosen,
        }
        for r in results
    ]
    return pd.DataFrame(rows).sort_values(
        ["holdout_cost_per_1000", "holdout_auc"], ascending=[True, False], ignore_index=True
    )


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
    return pl.concat([raw, features, score], how="horizontal")


def _requirements() -> list[str]:
    return [f"{name}=={version(name)}" for name in RUNTIME_PACKAGES]


@dataclass
class Registered:
    run_id: str
    version: str
    model_uri: str


def log_bundle(
    bundle: CreditModel, reference: pl.DataFrame, importance: pd.DataFrame, holdout: pl.DataFrame, settings: Settings
) -> Registered:
    """Log the pyfunc with its artifacts in the active run, register it, alias it challenger."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "bundle.pkl").write_bytes(pickle.dumps(bundle))
        reference.write_parquet(folder / "reference.parquet")
        importance.to_csv(folder / "importance.csv", index=False)
        (folder / "feature_catalogue.json").write_text(json.dumps(feature_catalogue(), indent=1))
        holdout.write_parquet(folder / "holdout.parquet")
        artifacts = {
            BUNDLE_ARTIFACT: str(folder / "bundle.pkl"),
            "reference_sample": str(folder / "reference.parquet"),
            "global_importance": str(folder / "importance.csv"),
            "feature_catalogue": str(folder / "feature_catalogue.json"),
            "holdout": str(folder / "holdout.parquet"),
        }
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=CreditDefaultModel(),
            artifacts=artifacts,
            code_paths=[str(Path(credit_core.__file__).parent)],
            pip_requirements=_requirements(),
            registered_model_name=settings.model_name,
        )
    client = MlflowClient()
    model_version = str(info.registered_model_version)
    tags = {
        "threshold": repr(bundle.threshold),
        "candidate": str(bundle.metadata["candidate"]),
        "holdout_cost_per_1000": f"{bundle.metadata['holdout']['cost_per_1000']:.3f}",
        "holdout_auc": f"{bundle.metadata['holdout']['auc']:.4f}",
        "data_fingerprint": str(bundle.metadata["data_fingerprint"]),
        "feature_catalogue_hash": str(bundle.metadata["feature_catalogue_hash"]),
    }
    for key, value in tags.items():
        client.set_model_version_tag(settings.model_name, model_version, key, value)
    client.set_registered_model_alias(settings.model_name, CHALLENGER, model_version)
    return Registered(info.run_id, model_version, info.model_uri)


def holdout_frame(data: Dataset, choice: Choice) -> pl.DataFrame:
    """The hold-out applicants with their outcome and the probability the chosen model gave."""
    return pl.DataFrame(
        {"SK_ID_CURR": data.ids[data.holdout], "TARGET": data.y[data.holdout], "probability": choice.holdout_proba}
    )


def bundle_metadata(choice: Choice, tables: RawTables, data: Dataset, settings: Settings) -> dict[str, Any]:
    return {
        "name": settings.model_name,
        "candidate": choice.result.name,
        "params": choice.result.best_params,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_applicants": len(data.train),
        "holdout_applicants": len(data.holdout),
        "default_rate": float(data.y.mean()),
        "cv": choice.result.cv,
        "holdout": choice.holdout,
        "reference_costs": reference_costs(data.y[data.holdout]),
        "calibrated": choice.calibration is not None,
        "reasons": choice.reasons,
        "data_fingerprint": data_fingerprint(tables),
        "feature_catalogue_hash": catalogue_hash(),
        "git_commit": git_commit(),
        "raw_fields": APPLICATION.column_names,
    }


@dataclass(frozen=True)
class Promotion:
    promoted: bool
    reason: str


def promote(settings: Settings, tables: RawTables, challenger_version: str | None = None) -> Promotion:
    """Move ``champion`` to the challenger only if its business cost on the challenger's hold-out
    applicants beats the champion's on the same applicants; record why on the version."""
    client = MlflowClient()
    name = settings.model_name
    try:
        challenger = (
            client.get_model_version_by_alias(name, CHALLENGER)
            if challenger_version is None
            else client.get_model_version(name, challenger_version)
        )
    except MlflowException as error:
        raise ValueError(f"no challenger to promote for {name!r}: train one first") from error
    try:
        champion: ModelVersion | None = client.get_model_version_by_alias(name, CHAMPION)
    except MlflowException:
        champion = None
    if champion is not None and champion.version == challenger.version:
        return Promotion(False, f"version {challenger.version} is already the champion")

    holdout_path = mlflow.artifacts.download_artifacts(f"runs:/{challenger.run_id}/model/artifacts/holdout.parquet")
    holdout = pl.read_parquet(holdout_path)
    application = tables.application.join(holdout.select("SK_ID_CURR"), on="SK_ID_CURR", how="semi")
    if application.height != holdout.height:
        raise ValueError(
            f"the data given holds {application.height} of the challenger's {holdout.height} hold-out applicants: "
            "promote with the data the challenger was trained on"
        )
    history = {
        t: f.join(application.select("SK_ID_CURR"), on="SK_ID_CURR", how="semi") if "SK_ID_CURR" in f.columns else f
        for t, f in tables.history.items()
    }
    y = application.get_column("TARGET").to_numpy()

    def cost_per_1000(uri: str) -> float:
        model = load_credit_model(uri)
        probability = model.score(application, history).get_column("probability").to_numpy()
        return evaluate(y, probability, model.threshold)["cost_per_1000"]

    challenger_cost = cost_per_1000(f"models:/{name}/{challenger.version}")
    if champion is None:
        reason = f"first model: version {challenger.version} becomes champion (hold-out cost {challenger_cost:.1f} per 1,000)"
        promoted = True
    else:
        champion_cost = cost_per_1000(model_uri(name, CHAMPION))
        promoted = challenger_cost < champion_cost
        verdict = "beats" if promoted else "does not beat"
        reason = (
            f"version {challenger.version} {verdict} champion version {champion.version} on the same "
            f"{len(y):,} hold-out applicants: cost {challenger_cost:.1f} vs {champion_cost:.1f} per 1,000"
        )
    client.set_model_version_tag(name, challenger.version, "promotion_decision", "promoted" if promoted else "refused")
    client.set_model_version_tag(name, challenger.version, "promotion_reason", reason)
    if promoted:
        client.set_registered_model_alias(name, CHAMPION, challenger.version)
    log.info("%s", reason)
    return Promotion(promoted, reason)
