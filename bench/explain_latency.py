"""Latency of the explainer over HTTP, with the model the trainer selects on full-size data.

    python bench/explain_latency.py [--data DIR] [--store DIR] [--n 1000]

1. Uses (or generates, once) the full-size Parquet data of ``bench/features_scale.py``.
2. Trains once into ``--store`` (an embedded MLflow store): ``credit-trainer train --grid small
   --models lightgbm,xgboost --imbalance none --promote`` on all 307,511 applicants; later runs
   reuse the champion.
3. Starts ``credit-explainer serve`` as a process and explains ``--n`` test applicants one at a
   time over HTTP (each with its full history, as the scoring API's applicant store sends it).
4. Times ``GET /v1/explanations/global`` (first call, then 50 more).

Bar (2 cores): single explanation p50 <= 15 ms, p99 <= 50 ms; global importance <= 50 ms after
the first call.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import orjson
import polars as pl
from credit_core.loader import request_bodies
from credit_core.schema import FULL_SIZE_ROWS, HISTORY_TABLES

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from features_scale import ensure_data
from support import served


def train_once(data: Path, store: Path) -> str:
    uri = f"sqlite:///{store.resolve() / 'mlflow.db'}"
    if (store / "mlflow.db").exists():
        print(f"reusing the champion in {store}")
        return uri
    print("training on full-size data (small grid, LightGBM and XGBoost) ...", flush=True)
    started = time.perf_counter()
    command = [sys.executable, "-m", "credit_trainer.cli", "train", "--data", str(data), "--grid", "small"]
    command += ["--models", "lightgbm,xgboost", "--imbalance", "none", "--promote"]
    subprocess.run(command, env=os.environ | {"TRAINER_MLFLOW_DIR": str(store)}, check=True)
    print(f"trained in {time.perf_counter() - started:.0f} s")
    return uri


def bodies(data: Path, n: int) -> list[dict[str, object]]:
    """``n`` test applicants with their history rows, as JSON bodies."""
    application = pl.read_parquet(data / "application_test.parquet").head(n)
    ids = application["SK_ID_CURR"].implode()
    history = {
        name: pl.scan_parquet(data / f"{name}.parquet").filter(pl.col("SK_ID_CURR").is_in(ids)).collect()
        for name in HISTORY_TABLES
        if name != "bureau_balance"
    }
    credits = history["bureau"]["SK_ID_BUREAU"].implode()
    history["bureau_balance"] = (
        pl.scan_parquet(data / "bureau_balance.parquet").filter(pl.col("SK_ID_BUREAU").is_in(credits)).collect()
    )
    return request_bodies(application, history)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("BENCH_DATA_DIR", "data/full")))
    parser.add_argument("--store", type=Path, default=Path("data/bench-mlflow"))
    parser.add_argument("--n", type=int, default=1_000)
    args = parser.parse_args()
    ensure_data(args.data, FULL_SIZE_ROWS["application_train"], FULL_SIZE_ROWS["application_test"])
    registry = train_once(args.data, args.store)
    requests = bodies(args.data, args.n)
    history_rows = np.mean([sum(len(v) for k, v in b.items() if k != "application") for b in requests])  # type: ignore[arg-type]
    print(f"{len(requests):,} applicants, {history_rows:.0f} history rows each on average")

    env = {
        "EXPLAINER_MLFLOW_TRACKING_URI": registry,
        "EXPLAINER_RELOAD_INTERVAL": "0",
        "EXPLAINER_AUTH_DISABLED": "true",
    }
    with served("credit_explainer.cli", env, args.store / "explainer.log") as url, httpx.Client(base_url=url) as client:
        model = client.get("/v1/model").json()
        print(f"explaining {model['name']} version {model['version']} ({model['candidate']}): {model['explainer']}")
        # bodies encoded beforehand, as a lender's system sends them: the client's own JSON work is not timed
        encoded = [orjson.dumps(body) for body in requests]
        json_type = {"content-type": "application/json"}
        for body in encoded[:20]:  # warm-up
            client.post("/v1/explanations", content=body, headers=json_type).raise_for_status()
        latencies = []
        for body in encoded:
            started = time.perf_counter()
            client.post("/v1/explanations", content=body, headers=json_type).raise_for_status()
            latencies.append((time.perf_counter() - started) * 1e3)
        started = time.perf_counter()
        client.get("/v1/explanations/global?top=20").raise_for_status()
        first = (time.perf_counter() - started) * 1e3
        again = []
        for _ in range(50):
            started = time.perf_counter()
            client.get("/v1/explanations/global?top=20").raise_for_status()
            again.append((time.perf_counter() - started) * 1e3)
    p50, p99 = np.percentile(latencies, [50, 99])
    print(
        f"single explanation over HTTP: p50 {p50:.1f} ms, p95 {np.percentile(latencies, 95):.1f} ms, p99 {p99:.1f} ms"
    )
    print(f"global importance: first call {first:.1f} ms, then p50 {np.median(again):.1f} ms, max {max(again):.1f} ms")
    ok = p50 <= 15 and p99 <= 50 and max(again) <= 50
    print("bar (p50 <= 15 ms, p99 <= 50 ms, global <= 50 ms):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
