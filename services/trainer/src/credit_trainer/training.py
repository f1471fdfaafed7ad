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
from credit_core.contracts.model_artifacts import Isotonic
from credit_core.costs import Threshold, evaluate, find_cost_optimal_threshold
from credit_core.explain import global_importance
from credit_core.features import build_features
from credit_core.loader import RawTables
from credit_core.pipeline import model_frame
from credit_core.scoring import CompiledModel, apply_isotonic, apply_platt
from credit_core.uncertainty import Interval, bootstrap_intervals, reliability
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, make_scorer
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_predict, train_test_split

from credit_trainer.candidates import Candidate
from credit_trainer.fairness import FairnessReport, fairness_report, groups

log = logging.getLogger(__name__)

MIN_APPLICANTS = 100
MIN_DEFAULTS = 10
IMPORTANCE_ROWS = 2_000
CALIBRATIONS = ("none", "platt", "isotonic")
ISOTONIC_FLOOR = 1e-4


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

    def holdout_groups(self) -> dict[str, np.ndarray]:
        """Each hold-out applicant's gender, age band and family status (the fairness report's groups)."""
        return groups(self.features[self.holdout.tolist()])


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
    intervals: dict[str, Interval]  # bootstrap intervals of the hold-out AUC and cost per 1,000
    fairness: FairnessReport  # by gender, age band and family status, on the hold-out

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
        bootstrap_intervals(y_hold, holdout_proba, threshold.threshold, seed=seed),
        fairness_report(y_hold, holdout_proba >= threshold.threshold, data.holdout_groups()),
    )


def platt(probability: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling on the log-odds, fitted on out-of-fold probabilities."""
    clipped = np.clip(probability, 1e-12, 1 - 1e-12)
    z = np.log(clipped / (1 - clipped)).reshape(-1, 1)
    fitted = LogisticRegression(C=1e6).fit(z, y)
    return float(fitted.coef_[0][0]), float(fitted.intercept_[0])


def isotonic(probability: np.ndarray, y: np.ndarray) -> Isotonic:
    """Isotonic regression as the points of its step function, kept within [1e-4, 1 - 1e-4] (a
    credit model never says a default is impossible or certain)."""
    fitted = IsotonicRegression(y_min=ISOTONIC_FLOOR, y_max=1 - ISOTONIC_FLOOR, out_of_bounds="clip")
    fitted.fit(probability, y)
    return Isotonic(x=fitted.X_thresholds_.tolist(), y=fitted.y_thresholds_.tolist())


@dataclass(frozen=True)
class Calibration:
    method: str  # none, platt or isotonic
    platt: tuple[float, float] | None = None
    isotonic: Isotonic | None = None

    def apply(self, probability: np.ndarray) -> np.ndarray:
        if self.platt is not None:
            return apply_platt(probability, self.platt)
        return probability if self.isotonic is None else apply_isotonic(probability, self.isotonic)


def fit_calibration(method: str, probability: np.ndarray, y: np.ndarray) -> Calibration:
    if method == "platt":
        return Calibration(method, platt=platt(probability, y))
    if method == "isotonic":
        return Calibration(method, isotonic=isotonic(probability, y))
    return Calibration("none")


def calibration_scores(oof: np.ndarray, y: np.ndarray, folds: int, seed: int) -> dict[str, float]:
    """Brier score of each calibration, itself cross-validated on the out-of-fold probabilities
    (each fold calibrated by a map fitted on the others), so that isotonic regression, which can
    follow the data as closely as it likes, is not judged on the points it was fitted to."""
    scores = {}
    for method in CALIBRATIONS:
        calibrated = np.empty_like(oof)
        for fit, held in StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(oof, y):
            calibrated[held] = fit_calibration(method, oof[fit], y[fit]).apply(oof[held])
        scores[method] = float(brier_score_loss(y, calibrated))
    return scores


@dataclass
class Choice:
    result: CandidateResult
    threshold: Threshold
    calibration: Calibration
    holdout: dict[str, float]
    holdout_proba: np.ndarray  # final probabilities on the hold-out (calibrated if chosen)
    oof: np.ndarray  # final out-of-fold probabilities on the tuning rows
    reasons: list[str] = field(default_factory=list)
    calibration_scores: dict[str, float] = field(default_factory=dict)  # cross-validated Brier per method


def choose(results: list[CandidateResult], data: Dataset, folds: int = 3, seed: int = 0) -> Choice:
    """Lowest hold-out business cost wins, AUC breaks ties; then the calibration (none, Platt or
    isotonic) with the lowest cross-validated Brier score on the out-of-fold probabilities (none
    unless one is lower), and the threshold found again on the calibrated probabilities."""
    ranked = sorted(results, key=lambda r: (r.holdout["cost"], -r.holdout["auc"]))
    best = ranked[0]
    reasons = [
        f"{best.name}: lowest hold-out cost {best.holdout['cost_per_1000']:.0f} per 1,000 applicants "
        f"(AUC {best.holdout['auc']:.3f})"
        + (f"; next {ranked[1].name} at {ranked[1].holdout['cost_per_1000']:.0f}" if len(ranked) > 1 else "")
    ]
    y_train, y_hold = data.y[data.train], data.y[data.holdout]
    if best.candidate.family == "dummy":
        return Choice(best, best.threshold, Calibration("none"), best.holdout, best.holdout_proba, best.oof, reasons)
    scores = calibration_scores(best.oof, y_train, folds, seed)
    method = min(CALIBRATIONS, key=lambda m: (scores[m], CALIBRATIONS.index(m)))
    calibration = fit_calibration(method, best.oof, y_train)
    oof = calibration.apply(best.oof)
    threshold = find_cost_optimal_threshold(y_train, oof) if method != "none" else best.threshold
    proba = calibration.apply(best.holdout_proba)
    holdout = evaluate(y_hold, proba, threshold.threshold) if method != "none" else best.holdout
    before, after = reliability(y_hold, best.holdout_proba), reliability(y_hold, proba)
    listed = ", ".join(f"{m} {scores[m]:.5f}" for m in CALIBRATIONS)
    reasons.append(
        f"calibration: {method} (cross-validated out-of-fold Brier: {listed}); hold-out expected calibration "
        f"error {before.ece:.4f} uncalibrated" + (f", {after.ece:.4f} calibrated" if method != "none" else "")
    )
    return Choice(best, threshold, calibration, holdout, proba, oof, reasons, scores)


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
