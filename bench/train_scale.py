"""The chosen LightGBM configuration trained on full-size synthetic data (grid search excluded).

    python bench/train_scale.py [--data DIR] [--num-leaves 8] [--imbalance none]

Uses (or generates, once) the full-size Parquet data of ``bench/features_scale.py``; builds the
features of the 307,511 training applicants (timed apart), then fits the candidate pipeline
(preprocessing + LightGBM) on all of them and scores them. Prints wall times and peak RSS.
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

    candidate = make_candidate("lightgbm", args.imbalance, "small", float(target.mean()), seed=0)
    candidate.pipeline.set_params(model__num_leaves=args.num_leaves)
    candidate.pipeline.fit(x, target)
    fitted = time.perf_counter()
    probability = candidate.pipeline.predict_proba(x)[:, 1]
    scored = time.perf_counter()
    print(
        f"fit {candidate.name} (num_leaves={args.num_leaves}) on {len(target):,} applicants: {fitted - built:.1f} s; "
        f"scoring them: {scored - fitted:.1f} s (training AUC {roc_auc_score(target, probability):.3f})"
    )
    total, peak = scored - started, _peak_gb()
    print(f"total {total:.1f} s, peak RSS {peak:.2f} GB")
    ok = total <= BAR_SECONDS and peak <= BAR_GB
    print("bar (<= 600 s, <= 12 GB): " + ("met" if ok else "MISSED"))
    return 0 if ok and np.isfinite(probability).all() else 1


if __name__ == "__main__":
    sys.exit(main())
