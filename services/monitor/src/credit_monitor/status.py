"""Realised performance of logged decisions, and the recommendation ops act on.

Statuses (what ops should do is in the README):
- ``retrain recommended``: the dataset-drift flag is up (several columns drifted together, or
  drifted columns carry ``drift_share`` of the model's importance, or the predicted probability
  drifted), or, with
  enough outcomes, the AUC fell by ``auc_drop`` or the cost per 1,000 rose by ``cost_rise``
  against the version's hold-out figures.
- ``watch``: some columns drifted without reaching the flag, or the refusal rate moved by more
  than 5 points, or too few rows to judge.
- ``ok``: none of that.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from credit_core.contracts.drift import RealisedPerformance, Status
from credit_core.contracts.model_card import HoldoutMetrics
from credit_core.costs import business_cost, per_1000

from credit_monitor.drift import DriftResult

OK: Status = "ok"
WATCH: Status = "watch"
RETRAIN: Status = "retrain recommended"
DECISION_RATE_MOVE = 0.05


def realised_performance(
    probability: np.ndarray, refused: np.ndarray, defaulted: np.ndarray, holdout: HoldoutMetrics | None
) -> RealisedPerformance:
    """AUC, default rate and business cost of the logged decisions that have an outcome."""
    out = RealisedPerformance(
        outcomes=len(defaulted),
        holdout_auc=holdout.auc if holdout else None,
        holdout_cost_per_1000=holdout.cost_per_1000 if holdout else None,
    )
    if len(defaulted) == 0:
        return out
    out.default_rate = float(np.mean(defaulted))
    out.cost_per_1000 = per_1000(business_cost(defaulted, refused), len(defaulted))
    if 0 < defaulted.sum() < len(defaulted):
        from sklearn.metrics import roc_auc_score

        out.auc = float(roc_auc_score(defaulted, probability))
    return out


def recommend(
    drift: DriftResult | None, performance: RealisedPerformance, settings: Any, note: str | None = None
) -> tuple[Status, list[str]]:
    """The status and the reasons for it, most serious first."""
    retrain, watch = [], []
    if note:
        watch.append(note)
    if drift is not None:
        drifted = drift.drifted
        if drift.dataset_drift:
            names = ", ".join(f"{c.column} ({c.method} {c.statistic:.3g})" for c in drifted[:5] if c.statistic)
            retrain.append(
                f"dataset drift: {len(drifted)} columns drifted, carrying {drift.drifted_importance:.1%} of the"
                f" model's importance; main ones: {names or 'see the report'}"
            )
        elif drifted:
            names = ", ".join(c.column for c in drifted[:5])
            watch.append(f"{len(drifted)} column(s) drifted, {drift.drifted_importance:.1%} of the importance: {names}")
        probability = next((c for c in drift.columns if c.column == "probability"), None)
        if probability is not None and probability.drifted:
            retrain.append(f"predicted probability drifted ({probability.method} {probability.statistic:.3g})")
        before, now = drift.decision_rate_reference, drift.decision_rate_current
        if before is not None and now is not None and abs(now - before) > DECISION_RATE_MOVE:
            watch.append(f"refusal rate {now:.1%} against {before:.1%} in the reference")
    outcomes = performance.outcomes
    if outcomes >= settings.min_outcomes:
        auc, reference_auc = performance.auc, performance.holdout_auc
        if auc is not None and reference_auc is not None and reference_auc - auc >= settings.auc_drop:
            retrain.append(f"AUC {auc:.3f} on {outcomes} outcomes against {reference_auc:.3f} on the hold-out")
        cost, reference_cost = performance.cost_per_1000, performance.holdout_cost_per_1000
        if cost is not None and reference_cost and cost > reference_cost * (1 + settings.cost_rise):
            retrain.append(f"cost {cost:.0f} per 1,000 against {reference_cost:.0f} on the hold-out")
    if retrain:
        return RETRAIN, retrain + watch
    if watch:
        return WATCH, watch
    return OK, ["no drift in the monitored columns" + (f"; {outcomes} outcomes within bounds" if outcomes else "")]
