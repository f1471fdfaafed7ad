"""Candidates fitted once each on full-size synthetic data (grid search excluded): the chosen
LightGBM configuration, the monotone-constrained LightGBM and XGBoost, and the scorecard.

    python bench/train_scale.py [--data DIR] [--num-leaves 8] [--imbalance none] [--candidates ...]

Uses (or generates, once) the full-size Parquet data of ``bench/features_scale.py``; builds the
features of the 307,511 training applicants (timed apart), then fits the candidate pipeline
of each candidate on all of them and scores them. Prints wall times and peak RSS.
Bar (2 cores): <= 10 minutes and <= 12 GB.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
from credit_core.features import build_features
from credit_core.loader import scan_tables
from credit_core.pipeline import model_frame
from credit_core.schema import FULL_SIZE_ROWS
from credit_trainer.candidates import make_candidate
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).parent))
from features_scale import ensure_data

BAR_SECONDS, BAR_GB = 600, 12


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("BENCH_DATA_DIR", "data/full")))
    parser.add_argument("--num-leaves", type=int, default=8)  # what the small grid chose on 50k applicants
    parser.add_argument("--imbalance", default="none", choices=("none", "weights", "smote"))
    parser.add_argument(
        "--candidates",
        default="lightgbm,lightgbm+none+monotone,xgboost+none+monotone,scorecard+weights",
        help="family[+imbalance[+constraints]], comma-separated: each fitted once on every applicant",
    )
    args = parser.parse_args()
    ensure_data(args.data, FULL_SIZE_ROWS["application_train"], FULL_SIZE_ROWS["application_test"])

    started = time.perf_counter()
    application, history = scan_tables(args.data)
    features = build_features(application.filter(pl.col("TARGET").is_not_null()), history).collect()
    target = (
        application.filter(pl.col("TARGET").is_not_null()).select("TARGET").collect().get_column("TARGET").to_numpy()
    )
    x = model_frame(features)
    built = time.perf_counter()
    print(f"features: {features.height:,} applicants x {features.width - 1} in {built - started:.1f} s", flush=True)

    fits = []
    for name in args.candidates.split(","):
        family, _, rest = name.partition("+")
        imbalance, _, constraints = rest.partition("+")
        candidate = make_candidate(
            family,
            imbalance or args.imbalance,
            "small",
            float(target.mean()),
            seed=0,
            constraints=constraints or "none",
        )
        if family == "lightgbm":
            candidate.pipeline.set_params(model__num_leaves=args.num_leaves)
        began = time.perf_counter()
        candidate.pipeline.fit(x, target)
        fitted = time.perf_counter()
        probability = candidate.pipeline.predict_proba(x)[:, 1]
        scored = time.perf_counter()
        fits.append(fitted - began)
        print(
            f"fit {candidate.name} on {len(target):,} applicants: {fitted - began:.1f} s; scoring them: "
            f"{scored - fitted:.1f} s (training AUC {roc_auc_score(target, probability):.3f})",
            flush=True,
        )
        if not np.isfinite(probability).all():
            return 1
    total, peak = time.perf_counter() - started, _peak_gb()
    print(f"total {total:.1f} s (features {built - started:.1f} s + fits), peak RSS {peak:.2f} GB")
    # the trainer fits each candidate (grid x folds + folds + 1) times: what one fit costs says what a grid costs
    ok = built - started + max(fits) <= BAR_SECONDS and peak <= BAR_GB
    print("bar (features + the slowest fit <= 600 s, <= 12 GB): " + ("met" if ok else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
