"""Performance before outcomes (credit_monitor.estimation) on windows whose outcomes are known.

A LightGBM fitted on 30,000 synthetic applicants, Platt-calibrated on 10,000 more, decides 40,000
others at a threshold; windows of 20,000 are drawn from them: at random (no drift), favouring high
declared incomes (income inflation) or low external scores (external-score shift). These are
shifts of the inputs with the applicants' own outcomes, so the model stays calibrated on them:
the cost per 1,000 expected from the probabilities must be within 10 % of the realised one. Then
concept drift: the same inputs, one applicant in ten more defaulting: the estimate does not move,
the realised cost does, and the run's reasons say which sees it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from credit_core.costs import business_cost, per_1000
from credit_core.features import build_features
from credit_core.loader import load_tables
from credit_core.scoring import apply_platt
from credit_monitor.config import Settings
from credit_monitor.estimation import estimate
from credit_monitor.status import realised_performance, recommend
from credit_synthetic import generate
from credit_trainer.training import platt
from fitted import fitted, of

pytestmark = pytest.mark.slow
TRAIN, CALIBRATE, WINDOW = 30_000, 10_000, 20_000


class Decided:
    """40,000 applicants the model never saw: inputs, calibrated probability, decision, outcome."""

    def __init__(self, folder: Path):
        generate(folder, TRAIN + CALIBRATE + 2 * WINDOW, 0, seed=5, fmt="parquet")
        tables = load_tables(folder)
        features = build_features(tables.application, tables.history)
        y = tables.application.get_column("TARGET").to_numpy()
        model = fitted("lightgbm", of(features[:TRAIN], y[:TRAIN]), n_estimators=200, num_leaves=15, n_jobs=2)
        raw = model.predict_proba(of(features, y).x)[:, 1]
        calibration = platt(raw[TRAIN : TRAIN + CALIBRATE], y[TRAIN : TRAIN + CALIBRATE])
        rest = slice(TRAIN + CALIBRATE, None)
        self.probability = apply_platt(raw[rest], calibration)
        self.threshold = float(np.quantile(self.probability, 0.7))  # refuses three in ten
        self.defaulted = y[rest]
        self.income = features["AMT_INCOME_TOTAL"].to_numpy()[rest]
        self.ext_source = features["EXT_SOURCE_MEAN"].fill_null(0.5).to_numpy()[rest]

    def window(self, weights: np.ndarray | None, seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed)
        p = None if weights is None else weights / weights.sum()
        return rng.choice(len(self.probability), WINDOW, replace=False, p=p)


@pytest.fixture(scope="module")
def decided(tmp_path_factory: pytest.TempPathFactory) -> Decided:
    return Decided(tmp_path_factory.mktemp("estimation"))


def _rank(values: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(values)) / len(values)


@pytest.mark.parametrize("scenario", ["no drift", "income inflation", "external-score shift"])
def test_the_expected_cost_is_within_ten_percent_of_the_realised_one(decided: Decided, scenario: str) -> None:
    weights = {
        "no drift": None,
        "income inflation": np.exp(3 * _rank(decided.income)),  # the richest 20 times likelier than the poorest
        "external-score shift": np.exp(-3 * _rank(decided.ext_source)),
    }[scenario]
    rows = decided.window(weights, seed=1)
    probability, defaulted = decided.probability[rows], decided.defaulted[rows]
    refused = probability >= decided.threshold
    estimated = estimate(probability, refused, None)
    assert estimated is not None and estimated.cost_per_1000.value is not None
    realised = per_1000(business_cost(defaulted, refused), WINDOW)
    assert estimated.cost_per_1000.value == pytest.approx(realised, rel=0.10), scenario
    assert estimated.cost_per_1000.low <= realised <= estimated.cost_per_1000.high  # type: ignore[operator]
    assert estimated.default_rate.value == pytest.approx(defaulted.mean(), rel=0.10)


def test_concept_drift_is_seen_by_realised_performance_not_by_the_estimate(decided: Decided) -> None:
    rows = decided.window(None, seed=2)
    probability, refused = decided.probability[rows], decided.probability[rows] >= decided.threshold
    before = decided.defaulted[rows]
    after = before | (np.random.default_rng(3).random(WINDOW) < 0.1)  # the same applicants, more defaults
    estimated = estimate(probability, refused, None)
    assert estimated is not None
    assert estimated == estimate(probability, refused, None)  # the inputs alone: nothing to see

    settings = Settings(auth_disabled=True)  # the monitor's own defaults
    for outcomes, concept in ((before, False), (after, True)):
        performance = realised_performance(probability, refused, outcomes, None)
        performance.expected = estimated
        _, reasons = recommend(None, performance, settings, estimated=estimated)
        said = [r for r in reasons if "concept drift" in r]
        assert bool(said) is concept, reasons
    assert performance.cost_per_1000 > estimated.cost_per_1000.high  # type: ignore[operator]
    assert "which estimation before outcomes cannot see" in said[0] and "default rate" in said[0]
