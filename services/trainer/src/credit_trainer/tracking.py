"""MLflow tracking: where runs go and what each training run records (parameters, metrics, plots,
the candidates compared). Registration is ``registration``, the promotion policy ``promotion``."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from credit_core.catalogue import feature_catalogue
from credit_core.loader import RawTables
from matplotlib import pyplot as plt

from credit_trainer import plots
from credit_trainer.config import Settings
from credit_trainer.fairness import FairnessReport
from credit_trainer.scorecard import scorecard_of
from credit_trainer.training import CandidateResult, Dataset

log = logging.getLogger(__name__)


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
            ["git", "rev-parse", "HEAD"],  # noqa: S607 (whichever git is on PATH; only read, for the run's tag)
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _log_figure(figure: Any, path: str) -> None:
    mlflow.log_figure(figure, path)
    plt.close(figure)


def log_evaluation_plots(
    y: np.ndarray,
    probability: np.ndarray,
    metrics: dict[str, float],
    before_calibration: np.ndarray | None = None,
    method: str = "",
) -> None:
    _log_figure(plots.roc(y, probability, metrics["auc"]), "plots/roc.png")
    _log_figure(plots.precision_recall(y, probability, metrics["pr_auc"]), "plots/precision_recall.png")
    _log_figure(
        plots.confusion(metrics["tn"], metrics["fp"], metrics["fn"], metrics["tp"], metrics["threshold"]),
        "plots/confusion.png",
    )
    _log_figure(plots.cost_vs_threshold(y, probability, metrics["threshold"]), "plots/cost_vs_threshold.png")
    _log_figure(plots.calibration(y, probability, before_calibration, method), "plots/calibration.png")


def log_fairness(report: FairnessReport, name: str) -> None:
    """The fairness table and its plot in the active run; the parity figures as metrics."""
    mlflow.log_table(report.table, "fairness.json")
    _log_figure(plots.fairness(report.table, name), "plots/fairness.png")
    for s in report.summary:
        key = s.attribute.replace(" ", "_")
        if s.demographic_parity_ratio is None or s.equalized_odds_difference is None:
            continue
        mlflow.log_metrics(
            {
                f"fairness_{key}_parity_ratio": s.demographic_parity_ratio,
                f"fairness_{key}_eo_difference": s.equalized_odds_difference,
            }
        )


def log_candidate(result: CandidateResult, data: Dataset) -> str:
    """One nested run per candidate: parameters, CV and hold-out metrics, plots, importance."""
    with mlflow.start_run(run_name=result.name, nested=True) as run:
        mlflow.set_tags(
            {
                "candidate": result.name,
                "family": result.candidate.family,
                "imbalance": result.candidate.imbalance,
                "constraints": result.candidate.constraints,
            }
        )
        mlflow.log_params(
            {
                "family": result.candidate.family,
                "imbalance": result.candidate.imbalance,
                "constraints": result.candidate.constraints,
                **result.best_params,
            }
        )
        mlflow.log_metrics(
            {
                **result.cv,
                "oof_threshold": result.threshold.threshold,
                "oof_cost_per_1000": result.threshold.cost_per_1000,
                **{f"holdout_{k}": v for k, v in result.holdout.items()},
                **{
                    f"holdout_{k}_{end}": getattr(i, end)
                    for k, i in result.intervals.items()
                    for end in ("low", "high")
                },
                "fit_seconds": result.seconds,
            }
        )
        log_evaluation_plots(data.y[data.holdout], result.holdout_proba, result.holdout)
        log_fairness(result.fairness, result.name)
        points = scorecard_of(result.estimator)
        if points is not None:
            mlflow.log_table(points, "scorecard.json")
            _log_figure(plots.scorecard(points, result.name), "plots/scorecard.png")
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
            "holdout_auc_low": r.intervals["auc"].low,
            "holdout_auc_high": r.intervals["auc"].high,
            "holdout_cost_per_1000_low": r.intervals["cost_per_1000"].low,
            "holdout_cost_per_1000_high": r.intervals["cost_per_1000"].high,
            "holdout_recall": r.holdout["recall"],
            "fairness_min_parity_ratio": min(
                (f.demographic_parity_ratio for f in r.fairness.summary if f.demographic_parity_ratio is not None),
                default=None,
            ),
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
