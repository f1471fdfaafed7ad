"""How sure a hold-out figure is: calibration (reliability, expected calibration error) and
bootstrap intervals for AUC and cost per 1,000, alone or paired between two models.

A bootstrap resample draws the hold-out applicants with replacement; here it is a vector of
weights (how often each applicant was drawn), so that every statistic of a resample is a weighted
sum over the same sorted arrays and a thousand resamples cost a few matrix products. Paired: both
models are measured on the same resamples, so that what the applicants have in common cancels out
and only the difference between the models is left.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from credit_core.costs import FN_COST, FP_COST, business_cost, per_1000

CALIBRATION_BINS = 10
RESAMPLES = 1_000
_CHUNK = 100  # resamples weighed at once (memory: chunk x applicants floats)


@dataclass(frozen=True)
class Reliability:
    """Ten bins of equal size by predicted probability: mean predicted and observed default rate."""

    predicted: list[float]
    observed: list[float]
    counts: list[int]
    ece: float  # expected calibration error: mean |observed - predicted| weighted by bin size
    mean_predicted: float
    observed_rate: float

    @property
    def in_the_large(self) -> float:
        """Calibration-in-the-large: mean predicted minus observed default rate (0 is perfect)."""
        return self.mean_predicted - self.observed_rate


def reliability(y_true: Any, probability: Any, bins: int = CALIBRATION_BINS) -> Reliability:
    """Reliability over ``bins`` quantile bins (equal numbers of applicants: with a default rate
    of 8 %, bins of equal width would put nearly everyone in the first two)."""
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(probability, dtype=float)
    order = np.argsort(p, kind="stable")
    groups = [g for g in np.array_split(order, bins) if len(g)]
    predicted = [float(p[g].mean()) for g in groups]
    observed = [float(y[g].mean()) for g in groups]
    counts = [len(g) for g in groups]
    ece = float(sum(c * abs(o - q) for c, o, q in zip(counts, observed, predicted, strict=True)) / len(p))
    return Reliability(predicted, observed, counts, ece, float(p.mean()), float(y.mean()))


def resample_weights(n: int, resamples: int, seed: int) -> np.ndarray:
    """``resamples`` x ``n`` counts: how often each of ``n`` applicants is drawn in each resample."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(resamples, n))
    return np.stack([np.bincount(row, minlength=n) for row in draws]).astype(float)


def _chunks(n: int, resamples: int, seed: int) -> Any:
    rng = np.random.default_rng(seed)
    for start in range(0, resamples, _CHUNK):
        yield resample_weights(n, min(_CHUNK, resamples - start), int(rng.integers(2**31)))


def weighted_auc(y_true: Any, probability: Any, weights: np.ndarray) -> np.ndarray:
    """AUC of each row of ``weights`` (k x n), ties counted one half, as ``roc_auc_score`` with
    sample weights."""
    y = np.asarray(y_true).astype(bool)
    p = np.asarray(probability, dtype=float)
    order = np.argsort(p, kind="stable")
    p, y, w = p[order], y[order], np.atleast_2d(weights)[:, order]
    starts = np.r_[0, np.flatnonzero(p[1:] != p[:-1]) + 1]  # each run of equal probabilities
    negatives = np.add.reduceat(w * ~y, starts, axis=1)
    positives = np.add.reduceat(w * y, starts, axis=1)
    below = np.cumsum(negatives, axis=1) - negatives  # negatives strictly below each run
    pairs = (positives * (below + 0.5 * negatives)).sum(axis=1)
    total = positives.sum(axis=1) * negatives.sum(axis=1)
    return np.asarray(np.where(total > 0, pairs / np.where(total > 0, total, 1), np.nan))


def weighted_cost_per_1000(y_true: Any, refused: Any, weights: np.ndarray) -> np.ndarray:
    """Cost ``10·FN + FP`` per 1,000 applicants of each row of ``weights``."""
    y = np.asarray(y_true).astype(bool)
    r = np.asarray(refused).astype(bool)
    unit = FN_COST * (y & ~r) + FP_COST * (~y & r)
    w = np.atleast_2d(weights)
    return np.asarray(1_000.0 * (w @ unit) / w.sum(axis=1))


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float
    confidence: float

    def text(self, digits: int = 3) -> str:
        return f"{self.estimate:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"


def _interval(estimate: float, values: np.ndarray, confidence: float) -> Interval:
    tail = (1 - confidence) / 2
    low, high = np.nanquantile(values, [tail, 1 - tail])
    return Interval(float(estimate), float(low), float(high), confidence)


def bootstrap_intervals(
    y_true: Any,
    probability: Any,
    threshold: float,
    *,
    confidence: float = 0.95,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> dict[str, Interval]:
    """Percentile intervals of the hold-out AUC and cost per 1,000 at the version's threshold."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y_true).astype(int)
    p = np.asarray(probability, dtype=float)
    refused = p >= threshold
    aucs, costs = [], []
    for w in _chunks(len(y), resamples, seed):
        aucs.append(weighted_auc(y, p, w))
        costs.append(weighted_cost_per_1000(y, refused, w))
    cost = per_1000(business_cost(y, refused), len(y))
    return {
        "auc": _interval(float(roc_auc_score(y, p)), np.concatenate(aucs), confidence),
        "cost_per_1000": _interval(cost, np.concatenate(costs), confidence),
    }


@dataclass(frozen=True)
class PairedComparison:
    """Challenger minus champion in cost per 1,000 on the same applicants (negative: the
    challenger costs less), with its bootstrap interval and the share of resamples it wins."""

    difference: Interval  # low / high: the (1 - confidence) and confidence quantiles
    share_better: float
    applicants: int
    resamples: int

    @property
    def better(self) -> bool:
        """Better with the stated confidence: the one-sided upper bound is below zero."""
        return self.difference.high < 0

    def text(self) -> str:
        d = self.difference
        return (
            f"cost difference {d.estimate:+.1f} per 1,000, at most {d.high:+.1f} with {d.confidence:.0%} confidence "
            f"(bounds {d.low:+.1f} to {d.high:+.1f}); challenger cheaper in {self.share_better:.1%} "
            f"of {self.resamples:,} paired resamples of {self.applicants:,} applicants"
        )


def paired_cost_comparison(
    y_true: Any,
    challenger_refused: Any,
    champion_refused: Any,
    *,
    confidence: float = 0.95,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> PairedComparison:
    """Paired bootstrap of the cost difference: the challenger is better with ``confidence`` when
    the one-sided upper bound (the ``confidence`` quantile) of challenger - champion is below 0."""
    y = np.asarray(y_true).astype(int)
    differences = np.concatenate(
        [
            weighted_cost_per_1000(y, challenger_refused, w) - weighted_cost_per_1000(y, champion_refused, w)
            for w in _chunks(len(y), resamples, seed)
        ]
    )
    estimate = per_1000(business_cost(y, challenger_refused) - business_cost(y, champion_refused), len(y))
    low, high = np.quantile(differences, [1 - confidence, confidence])
    return PairedComparison(
        Interval(estimate, float(low), float(high), confidence), float(np.mean(differences < 0)), len(y), resamples
    )
