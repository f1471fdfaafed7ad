from __future__ import annotations

import numpy as np
import pytest
from credit_core.costs import (
    business_cost,
    cost_curve,
    evaluate,
    find_cost_optimal_threshold,
    model_card_curves,
    per_1000,
    reference_costs,
)


def test_business_cost_counts_ten_per_missed_default_and_one_per_wrong_refusal() -> None:
    y = [1, 1, 1, 0, 0, 0, 0]
    refused = [1, 0, 0, 1, 1, 0, 0]
    # FN = 2 (two defaulters granted), FP = 2 (two good payers refused)
    assert business_cost(y, refused) == 22.0
    assert business_cost(y, refused, fn_cost=5, fp_cost=2) == 14.0
    assert per_1000(22.0, 7) == pytest.approx(3142.857, rel=1e-6)


def test_business_cost_refuses_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="4 rows but refused has 3"):
        business_cost([0, 1, 0, 1], [0, 1, 0])


def test_threshold_search_on_a_hand_computed_case() -> None:
    y = [0, 0, 1, 1]
    p = [0.1, 0.4, 0.35, 0.8]
    # refuse if p >= t: t=0.8 -> FN1 -> 10; t=0.4 -> FN1 FP1 -> 11; t=0.35 -> FP1 -> 1; t=0.1 -> FP2 -> 2; above all -> 20
    curve = cost_curve(y, p)
    assert curve.thresholds.tolist()[:4] == [0.1, 0.35, 0.4, 0.8]
    assert curve.costs.tolist() == [2.0, 1.0, 11.0, 10.0, 20.0]
    best = find_cost_optimal_threshold(y, p)
    assert (best.threshold, best.cost, best.cost_per_1000) == (0.35, 1.0, 250.0)


def test_ties_are_refused_together_and_equal_costs_prefer_refusing_fewer() -> None:
    y = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    p = [0.5] * 11
    # refusing the tied block costs 10 FP; granting everyone costs 10 FN: equal -> grant
    best = find_cost_optimal_threshold(y, p)
    assert best.cost == 10.0 and best.threshold > 0.5


def test_threshold_matches_brute_force_on_random_data() -> None:
    rng = np.random.default_rng(0)
    y = rng.random(500) < 0.1
    p = np.round(np.clip(0.1 + 0.3 * y + rng.normal(0, 0.15, 500), 0, 1), 2)
    brute = min(business_cost(y, p >= t) for t in [*np.unique(p), 2.0])
    assert find_cost_optimal_threshold(y, p).cost == brute


def test_evaluate_reports_the_confusion_matrix_at_the_threshold() -> None:
    y = [0, 0, 1, 1]
    metrics = evaluate(y, [0.1, 0.4, 0.35, 0.8], threshold=0.35)
    assert (metrics["tn"], metrics["fp"], metrics["fn"], metrics["tp"]) == (1.0, 1.0, 0.0, 2.0)
    assert metrics["cost"] == 1.0 and metrics["recall"] == 1.0 and metrics["precision"] == pytest.approx(2 / 3)
    assert metrics["auc"] == 0.75


def test_reference_policies() -> None:
    costs = reference_costs([1, 0, 0, 0])
    assert costs == {"accept_everyone_per_1000": 2500.0, "refuse_everyone_per_1000": 750.0}


def test_model_card_curves_agree_with_the_cost_at_each_threshold() -> None:
    rng = np.random.default_rng(3)
    y = rng.random(2_000) < 0.1
    p = np.clip(rng.normal(0.1 + 0.2 * y, 0.1), 0, 1)
    curves = model_card_curves(y, p, points=11)
    assert curves["cost"]["threshold"][0] == 0.0 and curves["cost"]["threshold"][-1] == 1.0
    for t, cost in zip(curves["cost"]["threshold"], curves["cost"]["cost_per_1000"], strict=True):
        assert cost == pytest.approx(per_1000(business_cost(y, p >= t), len(y)))
    assert curves["cost"]["cost_per_1000"][0] == reference_costs(y)["refuse_everyone_per_1000"]
    roc = curves["roc"]
    assert len(roc["fpr"]) <= 12 and (roc["fpr"][0], roc["tpr"][-1]) == (0.0, 1.0)
    assert roc["fpr"] == sorted(roc["fpr"]) and roc["tpr"] == sorted(roc["tpr"])
