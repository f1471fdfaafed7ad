"""What a model-risk reviewer asks, measured: free, monotone-constrained and scorecard candidates
compared (hold-out AUC and cost per 1,000, each with its bootstrap interval), the chosen model's
calibration and fairness, and what training without CODE_GENDER costs.

    python bench/model_risk.py --data ../shared/data/home-credit-sample     # the real rows
    python bench/model_risk.py --synthetic 50000                            # generated once

Candidates with class weights, the small grid, 3 folds, 20 % held out (the trainer's defaults).
The cost of excluding gender: the chosen candidate refitted without it, both at their own
out-of-fold thresholds on the same hold-out applicants, compared by a paired bootstrap.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from credit_core.catalogue import features_using
from credit_core.loader import load_tables
from credit_core.uncertainty import paired_cost_comparison, reliability
from credit_synthetic import generate
from credit_trainer.candidates import make_candidates
from credit_trainer.training import choose, fit_candidate, prepare, run_candidates


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="Folder of raw tables (the Home Credit layout)")
    parser.add_argument("--synthetic", type=int, help="Generate this many synthetic applicants instead")
    parser.add_argument("--out", type=Path, default=Path("data/bench-model-risk"))
    args = parser.parse_args()
    if args.synthetic:
        folder = args.out / f"synthetic-{args.synthetic}"
        if not (folder / "application_train.parquet").exists():
            generate(folder, args.synthetic, 10, seed=17, fmt="parquet")
    elif args.data:
        folder = args.data
    else:
        parser.error("give --data or --synthetic")
    started = time.perf_counter()
    data = prepare(load_tables(folder), holdout=0.2, seed=42)
    print(f"{folder}: {len(data.y):,} applicants, {data.y.mean():.2%} defaults, {len(data.holdout):,} held out")
    candidates = make_candidates(
        ("lightgbm", "xgboost", "scorecard"), ("weights",), "small", data.y[data.train], 42, ("none", "monotone")
    )
    results = run_candidates(candidates, data, 3, 42, lambda line: print(line, flush=True))
    print(
        f"\n{'candidate':28s} {'AUC [95 % interval]':>24s} {'cost/1,000 [95 % interval]':>28s}  lowest approval ratio"
    )
    for r in sorted(results, key=lambda r: r.holdout["cost"]):
        auc, cost = r.intervals["auc"], r.intervals["cost_per_1000"]
        ratio = min(s.demographic_parity_ratio for s in r.fairness.summary if s.demographic_parity_ratio is not None)
        print(f"{r.name:28s} {auc.text(3):>24s} {cost.text(0):>28s}  {ratio:.3f}")

    choice = choose(results, data, 3, 42)
    y = data.y[data.holdout]
    before, after = reliability(y, choice.result.holdout_proba), reliability(y, choice.holdout_proba)
    print(f"\nchosen: {choice.result.name}; " + "; ".join(choice.reasons))
    print(
        f"calibration {choice.calibration.method}: ECE {before.ece:.4f} uncalibrated -> {after.ece:.4f} served; "
        f"mean predicted {after.mean_predicted:.2%} vs observed {after.observed_rate:.2%}"
    )
    from credit_trainer.fairness import fairness_report

    refused = choice.holdout_proba >= choice.threshold.threshold
    report = fairness_report(y, refused, data.holdout_groups())
    print("\nfairness of the chosen model on the hold-out:")
    print(report.table.round(3).to_string(index=False))
    for s in report.summary:
        print(
            f"  {s.attribute}: approval ratio {s.demographic_parity_ratio}, equalized-odds difference "
            f"{s.equalized_odds_difference} ({s.groups_compared} groups of 50+)"
        )

    base = choice.result.candidate
    without = replace(
        make_candidates(
            (base.family,),
            (base.imbalance,),
            "small",
            data.y[data.train],
            42,
            (base.constraints,),
            features_using(["CODE_GENDER"]),
        )[0],
        grid={k: [v] for k, v in choice.result.best_params.items()},
    )
    genderless = fit_candidate(without, data, 3, 42)
    comparison = paired_cost_comparison(
        y, genderless.holdout_proba >= genderless.threshold.threshold, refused_raw(choice)
    )
    print(
        f"\nwithout CODE_GENDER ({without.name}, same parameters): AUC {genderless.intervals['auc'].text(3)}, "
        f"cost {genderless.intervals['cost_per_1000'].text(0)} per 1,000 "
        f"(with it: AUC {choice.result.intervals['auc'].text(3)}, cost {choice.result.intervals['cost_per_1000'].text(0)})"
    )
    print(f"  excluding gender, paired on the same applicants: {comparison.text()}")
    g = fairness_report(y, genderless.holdout_proba >= genderless.threshold.threshold, data.holdout_groups())
    gender = next(s for s in g.summary if s.attribute == "gender")
    print(f"  gender approval ratio without it: {gender.demographic_parity_ratio}")
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    return 0


def refused_raw(choice: object) -> np.ndarray:
    """The chosen candidate's own refusals (uncalibrated, at its out-of-fold threshold), the
    like-for-like comparison with the refit without gender."""
    result = choice.result  # type: ignore[attr-defined]
    return np.asarray(result.holdout_proba >= result.threshold.threshold)


if __name__ == "__main__":
    raise SystemExit(main())
