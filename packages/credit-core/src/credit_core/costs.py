"""Business cost of credit decisions, the cost-optimal threshold, and hold-out evaluation.

Convention: the model gives the probability of default; an applicant is **refused** when the
probability is at or above the threshold. A false negative (a defaulter granted credit) costs
``FN_COST`` = 10, a false positive (a good payer refused) costs ``FP_COST`` = 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

FN_COST = 10.0
FP_COST = 1.0


def business_cost(y_true: Any, refused: Any, fn_cost: float = FN_COST, fp_cost: float = FP_COST) -> float:
    """``fn_cost * FN + fp_cost * FP`` for 0/1 outcomes and 0/1 (or bool) refusals."""
    y, r = np.asarray(y_true).astype(bool), np.asarray(refused).astype(bool)
    if y.shape != r.shape:
        raise ValueError(f"y_true has {y.shape[0]} rows but refused has {r.shape[0]}")
    return float(fn_cost * np.sum(y & ~r) + fp_cost * np.sum(~y & r))


def per_1000(cost: float, applicants: int) -> float:
    """A cost per 1,000 applicants, so that runs on different data sizes compare."""
    return 1_000.0 * cost / applicants if applicants else float("nan")


@dataclass(frozen=True)
class CostCurve:
    thresholds: np.ndarray  # increasing; refuse when probability >= threshold
    costs: np.ndarray  # total cost at each threshold


def cost_curve(y_true: Any, probability: Any, fn_cost: float = FN_COST, fp_cost: float = FP_COST) -> CostCurve:
    """The business cost at every distinct threshold (each observed probability, plus one above
    all of them, where everyone is granted), in one sorted pass."""
    y = np.asarray(y_true).astype(bool)
    p = np.asarray(probability, dtype=float)
    if y.shape != p.shape or y.ndim != 1:
        raise ValueError("y_true and probability must be 1-d and of the same length")
    order = np.argsort(-p, kind="stable")
    p_sorted, y_sorted = p[order], y[order]
    # refusing the top k applicants: true positives and false positives so far
    tp = np.cumsum(y_sorted)
    fp = np.cumsum(~y_sorted)
    last_of_value = np.r_[p_sorted[1:] != p_sorted[:-1], True]  # ties are refused together
    positives = y.sum()
    costs = fn_cost * (positives - tp[last_of_value]) + fp_cost * fp[last_of_value]
    thresholds = p_sorted[last_of_value]
    above_all = np.nextafter(p_sorted[0], np.inf) if len(p_sorted) else 1.0
    thresholds = np.r_[above_all, thresholds][::-1]
    costs = np.r_[fn_cost * positives, costs][::-1].astype(float)
    return CostCurve(thresholds, costs)


@dataclass(frozen=True)
class Threshold:
    threshold: float
    cost: float
    cost_per_1000: float


def find_cost_optimal_threshold(
    y_true: Any, probability: Any, fn_cost: float = FN_COST, fp_cost: float = FP_COST
) -> Threshold:
    """The threshold with the lowest business cost (the highest one among equal costs, so that
    as few applicants as possible are refused for nothing)."""
    curve = cost_curve(y_true, probability, fn_cost, fp_cost)
    best = len(curve.costs) - 1 - int(np.argmin(curve.costs[::-1]))
    cost = float(curve.costs[best])
    return Threshold(float(curve.thresholds[best]), cost, per_1000(cost, len(np.asarray(y_true))))


def evaluate(y_true: Any, probability: Any, threshold: float) -> dict[str, float]:
    """Hold-out metrics at a threshold: ranking, calibration and the business view."""
    from sklearn.metrics import (
        accuracy_score,
        average_precision_score,
        brier_score_loss,
        f1_score,
        precision_score,
        recall_score,
        roc_auc_score,
    )

    y = np.asarray(y_true).astype(int)
    p = np.asarray(probability, dtype=float)
    refused = (p >= threshold).astype(int)
    cost = business_cost(y, refused)
    return {
        "auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "brier": float(brier_score_loss(y, p)),
        "accuracy": float(accuracy_score(y, refused)),
        "precision": float(precision_score(y, refused, zero_division=0)),
        "recall": float(recall_score(y, refused, zero_division=0)),
        "f1": float(f1_score(y, refused, zero_division=0)),
        "cost": cost,
        "cost_per_1000": per_1000(cost, len(y)),
        "refusal_rate": float(refused.mean()),
        "tn": float(np.sum((y == 0) & (refused == 0))),
        "fp": float(np.sum((y == 0) & (refused == 1))),
        "fn": float(np.sum((y == 1) & (refused == 0))),
        "tp": float(np.sum((y == 1) & (refused == 1))),
        "threshold": float(threshold),
    }


def reference_costs(y_true: Any) -> dict[str, float]:
    """Cost per 1,000 applicants of the two trivial policies a model must beat."""
    y = np.asarray(y_true).astype(bool)
    n = len(y)
    return {
        "accept_everyone_per_1000": per_1000(business_cost(y, np.zeros(n, bool)), n),
        "refuse_everyone_per_1000": per_1000(business_cost(y, np.ones(n, bool)), n),
    }


def model_card_curves(y_true: Any, probability: Any, points: int = 101) -> dict[str, dict[str, list[float]]]:
    """What a model card plots, small enough to travel with the model: the cost per 1,000
    applicants at ``points`` evenly spaced thresholds, and the ROC curve thinned to about as many
    points."""
    from sklearn.metrics import roc_curve

    y = np.asarray(y_true).astype(bool)
    p = np.asarray(probability, dtype=float)
    thresholds = np.linspace(0.0, 1.0, points)
    costs = [per_1000(business_cost(y, p >= t), len(y)) for t in thresholds]
    fpr, tpr, _ = roc_curve(y, p)
    keep = np.unique(np.r_[np.linspace(0, len(fpr) - 1, min(points, len(fpr))).astype(int), len(fpr) - 1])
    return {
        "cost": {"threshold": thresholds.round(4).tolist(), "cost_per_1000": costs},
        "roc": {"fpr": fpr[keep].tolist(), "tpr": tpr[keep].tolist()},
    }
