"""Drift and estimated performance per segment (contract type, income band, region rating, age
band: ``MONITOR_SEGMENTS``): a shift confined to a small part of the applicants can stay below
every whole-population threshold. Each segment with at least ``segment_min_rows`` rows on both
sides is judged like a run (the same rules, window-size-aware thresholds, which matter at segment
sizes) on the model's ``segment_top_features`` most important inputs and the probability, without
an HTML report; smaller segments are listed as not judged."""

from __future__ import annotations

import pandas as pd
from credit_core.catalogue import RAW_FEATURES, feature_columns
from credit_core.contracts.drift import SegmentResult
from credit_core.segments import SEGMENTATIONS

from credit_monitor.config import DriftSettings
from credit_monitor.drift import compute_drift
from credit_monitor.estimation import estimate


def top_inputs(importance: dict[str, float] | None, top: int) -> list[str]:
    """The model's ``top`` most important inputs (raw fields first without importance)."""
    if not importance:
        return list(RAW_FEATURES[:top])
    return sorted(feature_columns(), key=lambda c: -importance.get(c, 0.0))[:top]


def segment_results(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    importance: dict[str, float] | None,
    settings: DriftSettings,
    segmentations: tuple[str, ...],
    min_rows: int,
    top: int,
) -> list[SegmentResult]:
    columns = [*top_inputs(importance, top), "probability"]
    results = []
    for name in segmentations:
        label = SEGMENTATIONS[name]
        of_reference, of_current = label(reference), label(current)
        for segment in sorted(set(of_current) | set(of_reference)):
            ref = reference[of_reference == segment]
            cur = current[of_current == segment]
            rows = {"segmentation": name, "segment": segment, "reference_rows": len(ref), "current_rows": len(cur)}
            if min(len(ref), len(cur)) < min_rows:
                results.append(SegmentResult(**rows, judged=False))
                continue
            drift = compute_drift(ref, cur, columns, settings, importance)
            results.append(
                SegmentResult(
                    **rows,
                    judged=True,
                    dataset_drift=drift.dataset_drift,
                    drifted_columns=[c.column for c in drift.drifted],
                    drifted_importance=drift.drifted_importance,
                    probability_drift=drift.probability_drift,
                    refusal_rate=drift.decision_rate_current,
                    estimated=estimate(
                        cur["probability"].to_numpy(float), (cur["decision"] == "refused").to_numpy(), None
                    ),
                )
            )
    return results
