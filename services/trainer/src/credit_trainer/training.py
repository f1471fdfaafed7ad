"""Model selection with the business cost: grid search, out-of-fold threshold, hold-out, calibration.

No MLflow here (see ``tracking``): this module only fits and measures.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
from credit_core.costs import Threshold, evaluate, find_cost_optimal_threshold
from credit_core.explain import global_importance
from credit_core.features import build_features
from credit_core.loader import RawTables
from credit_core.pipeline import model_frame
from credit_core.scoring import CompiledModel, apply_platt
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import make_scorer
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_predict, train_test_split

from credit_trainer.candidates import Candidate

log = logging.getLogger(__name__)

MIN_APPLICANTS = 100
MIN_DEFAULTS = 10
IMPORTANCE_ROWS = 2_000


class TrainingDataError(ValueError):
    """The data cannot train a model; the message says why."""


def cost_score(y_true: np.ndarray, probability: np.ndarray) -> float:
    """Scorer: minus the cost per 1,000 applicants at the fold's cost-optimal threshold."""
    return -find_cost_optimal_threshold(y_true, probability).cost_per_1000


COST_SCORER = make_scorer(cost_score, response_method="predict_proba")


@dataclass
class Dataset:
    features: pl.DataFrame  # SK_ID_CURR + model features, one row per applicant
    x: pd.DataFrame  # the same as the preprocessing expects it
    y: np.ndarray
    train: np.ndarray  # row positions kept for tuning
    holdout: np.ndarray  # row positions kept out of all tuning

    @property
    def ids(self) -> np.ndarray:
        return self.features.get_column("SK_ID_CURR").to_numpy()


def prepare(tables: RawTables, holdout: float, seed: int, max_applicants: int | None = None) -> Dataset:
    """Training applicants -> features, with a stratified hold-out split; refuses unusable data."""
    application = tables.application
    if max_applicants and application.height > max_applicants:
        application = application.sample(max_applicants, seed=seed).sort("SK_ID_CURR")
    n = application.height
    if n < MIN_APPLICANTS:
        raise TrainingDataError(f"only {n} applicants with a TARGET; training needs at least {MIN_APPLICANTS}")
    y = application.get_column("TARGET").to_numpy().astype(int)
    classes = np.unique(y)
    if len(classes) < 2:
        raise TrainingDataError(f"TARGET has a single class ({classes[0]}): a model needs defaulters and repayers")
    if y.sum() < MIN_DEFAULTS:
        raise TrainingDataError(f"only {y.sum()} defaulters (TARGET=1); training needs at least {MIN_DEFAULTS}")
    features = build_features(application, tables.history)
    positions = np.arange(n)
    train, held = train_test_split(positions, test_size=holdout, stratify=y, random_state=seed)
    return Dataset(features, model_frame(features), y, np.sort(train), np.sort(held))


@dataclass
class CandidateResult:
    candidate: Candidate
    estimator: Any  # refitted on all tuning rows
    best_params: dict[str, Any]
    cv: dict[str, float]  # grid search scores of the best parameters
    oof: np.ndarray  # out-of-fold probabilities on the tuning rows
    threshold: Threshold  # cost-optimal on the out-of-fold probabilities
    holdout_proba: np.ndarray
    holdout: dict[str, float]  # metrics at the threshold
    importance: pd.DataFrame
    seconds: float

    @property
    def name(self) -> str:
        return self.candidate.name


def fit_candidate(candidate: Candidate, data: Dataset, folds: int, seed: int) -> CandidateResult:
    started = time.perf_counter()
    x_train, y_train = data.x.iloc[data.train], data.y[data.train]
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    search = GridSearchCV(
        candidate.pipeline,
        candidate.grid or {},
        scoring={"cost": COST_SCORER, "auc": "roc_auc"},
        refit="cost",
        cv=cv,
        error_score="raise",
    )
    search.fit(x_train, y_train)
    best = search.best_index_
    cv_scores = {
        "cv_auc": float(search.cv_results_["mean_test_auc"][best]),
        "cv_auc_std": float(search.cv_results_["std_test_auc"][best]),
        "cv_cost_per_1000": float(-search.cv_results_["mean_test_cost"][best]),
    }
    # float64 from here on, as the served model computes (XGBoost gives float32)
    oof = cross_val_predict(search.best_estimator_, x_train, y_train, cv=cv, method="predict_proba")[:, 1].astype(float)
    threshold = find_cost_optimal_threshold(y_train, oof)
    x_hold, y_hold = data.x.iloc[data.holdout], data.y[data.holdout]
    holdout_proba = search.best_estimator_.predict_proba(x_hold)[:, 1].astype(float)
    holdout = evaluate(y_hold, holdout_proba, threshold.threshold)
    compiled = CompiledModel.from_pipeline(search.best_estimator_, threshold.threshold)
    sample = data.features[data.holdout[:IMPORTANCE_ROWS].tolist()]
    return CandidateResult(
        candidate,
        search.best_estimator_,
        dict(search.best_params_),
        cv_scores,
        oof,
        threshold,
        holdout_proba,
        holdout,
        global_importance(compiled, sample),
        time.perf_counter() - started,
    )


def platt(probability: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling on the log-odds, fitted on out-of-fold probabilities."""
    clipped = np.clip(probability, 1e-12, 1 - 1e-12)
    z = np.log(clipped / (1 - clipped)).reshape(-1, 1)
    fitted = LogisticRegression(C=1e6).fit(z, y)
    return float(fitted.coef_[0][0]), float(fitted.intercept_[0])


@dataclass
class Choice:
    result: CandidateResult
    threshold: Threshold
    calibration: tuple[float, float] | None
    holdout: dict[str, float]
    holdout_proba: np.ndarray  # final probabilities on the hold-out (calibrated if chosen)
    oof: np.ndarray  # final out-of-fold probabilities on the tuning rows
    reasons: list[str] = field(default_factory=list)


def choose(results: list[CandidateResult], data: Dataset) -> Choice:
    """Lowest hold-out business cost wins, AUC breaks ties; then calibrate if it lowers the Brier
    score without raising the cost."""
    ranked = sorted(results, key=lambda r: (r.holdout["cost"], -r.holdout["auc"]))
    best = ranked[0]
    reasons = [
        f"{best.name}: lowest hold-out cost {best.holdout['cost_per_1000']:.0f} per 1,000 applicants "
        f"(AUC {best.holdout['auc']:.3f})"
        + (f"; next {ranked[1].name} at {ranked[1].holdout['cost_per_1000']:.0f}" if len(ranked) > 1 else "")
    ]
    y_train, y_hold = data.y[data.train], data.y[data.holdout]
    choice = Choice(best, best.threshold, None, best.holdout, best.holdout_proba, best.oof, reasons)
    if best.candidate.family == "dummy":
        return choice
    ab = platt(best.oof, y_train)
    oof = apply_platt(best.oof, ab)
    threshold = find_cost_optimal_threshold(y_train, oof)
    proba = apply_platt(best.holdout_proba, ab)
    calibrated = evaluate(y_hold, proba, threshold.threshold)
    if calibrated["brier"] < best.holdout["brier"] and calibrated["cost"] <= best.holdout["cost"]:
        reasons.append(
            f"calibrated (Platt): Brier {best.holdout['brier']:.4f} -> {calibrated['brier']:.4f}, "
            f"cost per 1,000 {best.holdout['cost_per_1000']:.0f} -> {calibrated['cost_per_1000']:.0f}"
        )
        return Choice(best, threshold, ab, calibrated, proba, oof, reasons)
    reasons.append(
        f"not calibrated: Platt scaling gave Brier {calibrated['brier']:.4f} (was {best.holdout['brier']:.4f}) "
        f"and cost per 1,000 {calibrated['cost_per_1000']:.0f} (was {best.holdout['cost_per_1000']:.0f})"
    )
    return choice


def run_candidates(
    candidates: list[Candidate], data: Dataset, folds: int, seed: int, progress: Callable[[str], None]
) -> list[CandidateResult]:
    results = []
    for i, candidate in enumerate(candidates, 1):
        progress(f"[{i}/{len(candidates)}] {candidate.name}: grid of {_grid_size(candidate.grid)} x {folds} folds ...")
        result = fit_candidate(candidate, data, folds, seed)
        progress(
            f"[{i}/{len(candidates)}] {candidate.name}: CV AUC {result.cv['cv_auc']:.3f}, "
            f"hold-out AUC {result.holdout['auc']:.3f}, cost {result.holdout['cost_per_1000']:.0f}/1,000 "
            f"at threshold {result.threshold.threshold:.3f} ({result.seconds:.0f} s)"
        )
        results.append(result)
    return results


def _grid_size(grid: dict[str, list[Any]]) -> int:
    return int(np.prod([len(v) for v in grid.values()])) if grid else 1
