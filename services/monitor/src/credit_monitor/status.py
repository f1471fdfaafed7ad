"""Realised performance of logged decisions, and the recommendation ops act on.

Statuses (what ops should do is in the README):
- ``retrain recommended``: the dataset-drift flag is up (several columns drifted together, or
  drifted columns carry ``drift_share`` of the model's importance, or the predicted probability
  drifted), or, with
  enough outcomes, the AUC fell by ``auc_drop`` or the cost per 1,000 rose by ``cost_rise``
  against the version's hold-out figures.
  Also, with enough outcomes, when their realised default rate or cost is above the range their
  probabilities predicted (concept drift: see ``credit_monitor.estimation``).
- ``watch``: some columns drifted without reaching the flag, or the refusal rate moved by more
  than 5 points, or too few rows to judge, or the cost per 1,000 expected from the window's
  probabilities is ``estimated_cost_rise`` above the hold-out's (before any outcome), or a segment
  (``credit_monitor.segments``) raised the drift flag on its own.
- ``ok``: none of that.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from credit_core.contracts.drift import EstimatedPerformance, RealisedPerformance, SegmentResult, Status
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


def _beyond_expected(performance: RealisedPerformance) -> list[str]:
    """Realised default rate or cost above the range the same decisions' probabilities predicted:
    the same inputs now default more often, which no estimate from the inputs can see."""
    expected, said = performance.expected, list[str]()
    if expected is None:
        return said
    pairs = (
        ("default rate", performance.default_rate, expected.default_rate, "{:.1%}"),
        ("cost per 1,000", performance.cost_per_1000, expected.cost_per_1000, "{:.0f}"),
    )
    for name, realised, predicted, shown in pairs:
        if realised is not None and predicted.high is not None and realised > predicted.high:
            said.append(
                f"realised {name} {shown.format(realised)} on {performance.outcomes} outcomes is above the"
                f" {shown.format(predicted.value)} ({shown.format(predicted.low)}-{shown.format(predicted.high)})"
                " their probabilities predicted: inputs now relate to default differently (concept drift),"
                " which estimation before outcomes cannot see"
            )
    return said


def _before_outcomes(
    estimated: EstimatedPerformance | None, segments: list[SegmentResult] | None, rise: float
) -> list[str]:
    """Watch reasons that need no outcome: segments drifting on their own, an expected cost above
    the hold-out's by ``rise``."""
    said = [
        f"drift in the segment {s.segmentation} = {s.segment}: {', '.join(s.drifted_columns[:5]) or 'the probability'}"
        for s in segments or []
        if s.dataset_drift
    ]
    expected = estimated.cost_per_1000 if estimated else None
    reference = estimated.holdout_cost_per_1000 if estimated else None
    if expected and expected.value is not None and reference and expected.value > reference * (1 + rise):
        said.append(
            f"expected cost {expected.value:.0f} per 1,000 (from the probabilities, before outcomes;"
            f" {expected.low:.0f}-{expected.high:.0f}) against {reference:.0f} on the hold-out"
        )
    return said


def _drift_reasons(drift: DriftResult) -> tuple[list[str], list[str]]:
    """Retrain and watch reasons of the whole window's drift."""
    retrain, watch = [], []
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
    return retrain, watch


def recommend(
    drift: DriftResult | None,
    performance: RealisedPerformance,
    settings: Any,
    note: str | None = None,
    estimated: EstimatedPerformance | None = None,
    segments: list[SegmentResult] | None = None,
) -> tuple[Status, list[str]]:
    """The status and the reasons for it, most serious first."""
    retrain, watch = _drift_reasons(drift) if drift is not None else ([], [])
    watch = ([note] if note else []) + watch + _before_outcomes(estimated, segments, settings.estimated_cost_rise)
    outcomes = performance.outcomes
    if outcomes >= settings.min_outcomes:
        auc, reference_auc = performance.auc, performance.holdout_auc
        if auc is not None and reference_auc is not None and reference_auc - auc >= settings.auc_drop:
            retrain.append(f"AUC {auc:.3f} on {outcomes} outcomes against {reference_auc:.3f} on the hold-out")
        cost, reference_cost = performance.cost_per_1000, performance.holdout_cost_per_1000
        if cost is not None and reference_cost and cost > reference_cost * (1 + settings.cost_rise):
            retrain.append(f"cost {cost:.0f} per 1,000 against {reference_cost:.0f} on the hold-out")
        retrain.extend(_beyond_expected(performance))
    if retrain:
        return RETRAIN, retrain + watch
    if watch:
        return WATCH, watch
    return OK, ["no drift in the monitored columns" + (f"; {outcomes} outcomes within bounds" if outcomes else "")]
