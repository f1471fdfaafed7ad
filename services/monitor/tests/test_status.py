"""The recommendation from realised performance (the drift part is tested end to end)."""

from __future__ import annotations

import numpy as np
from credit_core.contracts.drift import RealisedPerformance
from credit_core.contracts.model_card import HoldoutMetrics
from credit_monitor.config import Settings
from credit_monitor.status import OK, RETRAIN, WATCH, realised_performance, recommend

SETTINGS = Settings(min_outcomes=100)
HOLDOUT = HoldoutMetrics.model_construct(auc=0.76, cost_per_1000=500.0)


def _performance(separation: float, n: int = 1_000) -> RealisedPerformance:
    rng = np.random.default_rng(0)
    defaulted = (rng.random(n) < 0.08).astype(int)
    probability = np.clip(0.08 + separation * (defaulted - 0.08) + rng.normal(0, 0.05, n), 0, 1)
    return realised_performance(probability, probability >= 0.1, defaulted, HOLDOUT)


def test_performance_within_bounds_is_ok() -> None:
    performance = _performance(0.3)
    assert performance.auc is not None and performance.auc > 0.9 and performance.outcomes == 1_000
    assert recommend(None, performance, SETTINGS)[0] == OK


def test_a_fall_in_auc_recommends_retraining() -> None:
    performance = _performance(0.0)  # the scores no longer separate defaulters
    status, reasons = recommend(None, performance, SETTINGS)
    assert status == RETRAIN and any(r.startswith("AUC") for r in reasons)


def test_too_few_outcomes_are_not_judged_and_a_note_means_watch() -> None:
    performance = _performance(0.0, n=50)
    assert recommend(None, performance, SETTINGS)[0] == OK
    assert recommend(None, performance, SETTINGS, note="only 20 predictions")[0] == WATCH
