"""Principal reasons for a refusal: why this applicant's score is above the cut-off.

The codes and their texts are the catalogue (:mod:`credit_core.reason_codes`).

The reference is the **applicants the model version granted closest to its cut-off**: of the
version's reference sample (the training applicants it ships with), the 50 granted ones with the
highest probability. The gap between a refused applicant's log-odds of default and the reference
applicants' mean log-odds is split exactly among the features by TreeSHAP (for linear models, by
the coefficients): a feature's share is its SHAP value for the applicant minus its mean SHAP
value over the reference applicants, and a code's impact is the sum over its features. The shares
of all codes, withheld ones included, add up to the gap. Up to four applicant-facing codes with a
positive impact are given, largest first (ties by code). Everything comes from the version's own
files, so the same application scored by the same version always gets the same codes, after a
restart or on replay. A refusal costs one contribution call of the booster (0.1 to 0.5 ms).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from credit_core.reason_codes import MAX_REASONS, ReasonCatalogue, reason_catalogue
from credit_core.scoring import CompiledModel

NEAR_CUT_OFF = 50  # the granted reference applicants closest to the cut-off refusals are compared with
Contributions = Callable[[np.ndarray], np.ndarray]


def contributions(model: CompiledModel) -> Contributions:
    """Model rows -> each model column's contribution to the raw log-odds (its base left out; the
    reference's mean is subtracted from them). LightGBM and XGBoost give their own TreeSHAP values
    (XGBoost's in float32: ~1e-6, the same every time); a linear model ``x * w``; a constant none."""
    booster, classifier = model.booster, model.spec.classifier
    if classifier.kind == "lightgbm":
        return lambda z: np.asarray(booster.predict(z, pred_contrib=True, num_threads=1), dtype=float)[:, :-1]
    if classifier.kind == "xgboost":
        import xgboost

        return lambda z: np.asarray(booster.predict(xgboost.DMatrix(z), pred_contribs=True), dtype=float)[:, :-1]
    if classifier.kind == "linear":
        assert classifier.weights is not None
        weights = np.asarray(classifier.weights, dtype=float)
        return lambda z: z * weights
    return np.zeros_like


def near_cut_off(probability: np.ndarray, threshold: float) -> np.ndarray:
    """Positions of the reference applicants: the granted ones with the highest probabilities
    (ties broken by position, so always the same rows), in order."""
    granted = np.flatnonzero(probability < threshold)
    if len(granted) == 0:
        raise ValueError("the reference sample has no granted applicant to compare refusals with")
    return np.sort(granted[np.lexsort((granted, -probability[granted]))[:NEAR_CUT_OFF]])


@dataclass(frozen=True)
class ReasonFinder:
    """Built once per model version (from its reference sample); :meth:`reasons` per refusal."""

    catalogue: ReasonCatalogue
    contributions: Contributions
    codes: tuple[str, ...]  # the applicant-facing codes the model has columns for
    masks: np.ndarray  # model columns x codes: 1 where the column is under the code
    reference: np.ndarray  # each code's mean contribution over the reference applicants
    scale: float  # Platt's slope: contributions in the log-odds of the reported probability
    reference_probabilities: np.ndarray  # of the reference applicants (all granted)

    @classmethod
    def build(
        cls, compiled: CompiledModel, reference: pl.DataFrame, catalogue: ReasonCatalogue | None = None
    ) -> ReasonFinder:
        """``reference``: feature rows (the version's ``reference.parquet``)."""
        catalogue = catalogue or reason_catalogue()
        rows = compiled.matrix(reference)
        probability = compiled.probabilities(rows)
        near = near_cut_off(probability, compiled.threshold)
        code_of = catalogue.code_of()
        sources = np.asarray([code_of[s] for s in compiled.column_sources])
        codes = tuple(c.code for c in catalogue.codes if c.applicant_facing and (sources == c.code).any())
        masks = np.stack([sources == code for code in codes], axis=1).astype(float)
        explain = contributions(compiled)
        scale = compiled.calibration[0] if compiled.calibration else 1.0
        reference_mean = explain(rows[near]).mean(axis=0) @ masks
        return cls(catalogue, explain, codes, masks, reference_mean, scale, probability[near])

    def impacts(self, row: np.ndarray) -> dict[str, float]:
        """Each applicant-facing code's share of the gap in log-odds between ``row`` and the
        reference applicants."""
        impact = self.scale * (self.contributions(row[None, :])[0] @ self.masks - self.reference)
        return dict(zip(self.codes, impact.tolist(), strict=True))

    def reasons(self, row: np.ndarray) -> list[dict[str, Any]]:
        """Up to four codes, largest positive impact first (ties by code): ``code``, ``text``
        (English) and ``impact`` (log-odds)."""
        impacts = self.impacts(row)
        ranked = sorted((c for c in impacts if impacts[c] > 1e-9), key=lambda c: (-round(impacts[c], 9), c))
        return [
            {"code": c, "text": self.catalogue.get(c).en, "impact": round(impacts[c], 6)} for c in ranked[:MAX_REASONS]
        ]

    def batch_codes(self, rows: np.ndarray) -> list[list[str]]:
        """The codes :meth:`reasons` gives, for many rows at once (one contribution call): the
        batch path (``score-portfolio``)."""
        if len(rows) == 0:
            return []
        impacts = self.scale * (self.contributions(rows) @ self.masks - self.reference)
        # ranked as reasons() ranks: largest rounded impact first, ties by code
        by_code = np.broadcast_to(np.argsort(np.argsort(np.asarray(self.codes))), impacts.shape)
        order = np.lexsort((by_code, -np.round(impacts, 9)), axis=1)
        return [
            [self.codes[j] for j in ranked if impact[j] > 1e-9][:MAX_REASONS]
            for ranked, impact in zip(order, impacts, strict=True)
        ]
