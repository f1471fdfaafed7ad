"""``/health`` and ``/ready`` of the scoring API and the explainer while heavy work runs on them: JSON batches of
1,000 applications, CSV uploads of 1,000 and explanations, sent without pause, twice: batches
without history, then with every applicant's full history (tens of MB of JSON).

    python bench/health_under_load.py [--seconds 20]

Bar: /health and /ready p99 under 50 ms on both services. Uses the champion of data/bench/mlruns (trained like
bench/api_load.py when there is none) and a fresh database on BENCH_POSTGRES_URL.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import orjson
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]

from api_load import ensure_model, fresh_database  # noqa: E402
from credit_scoring_api.db import migrate  # noqa: E402
from support import requests_from_folder, served  # noqa: E402


def health_while(
    scoring: str, explainer: str, sends: dict[str, Callable[[httpx.Client], httpx.Response]], seconds: float
) -> tuple[dict[str, list[float]], dict[str, int]]:
    """/health and /ready of both services every 10 ms for ``seconds`` (and until each kind of work
    ran twice) while each of ``sends`` is repeated without pause: the times (ms), and how often each ran."""
    stop, done = threading.Event(), dict.fromkeys(sends, 0)

    def repeat(name: str) -> None:
        with httpx.Client(timeout=300) as client:
            while not stop.is_set():
                response = sends[name](client)
                if response.status_code != 200:
                    raise RuntimeError(f"{name}: {response.status_code} {response.text[:300]}")
                done[name] += 1

    heavy = [threading.Thread(target=repeat, args=(name,), daemon=True) for name in sends]
    for thread in heavy:
        thread.start()
    times: dict[str, list[float]] = {f"{s} {p}": [] for s in ("scoring", "explainer") for p in ("/health", "/ready")}
    try:
        with httpx.Client(timeout=30) as client:
            started = time.monotonic()
            while time.monotonic() < started + seconds or min(done.values()) < 2:
                if time.monotonic() > started + seconds + 300:
                    raise RuntimeError(f"the heavy work did not run: {done}")
                for name, answered in times.items():
                    service, path = name.split()
                    sent = time.perf_counter()
                    client.get(f"{scoring if service == 'scoring' else explainer}{path}").raise_for_status()
                    answered.append((time.perf_counter() - sent) * 1e3)
                time.sleep(0.01)
    finally:
        stop.set()
        for thread in heavy:
            thread.join(timeout=300)
    return times, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--folder", type=Path, default=ROOT / "data" / "bench")
    args = parser.parse_args()
    registry, data = ensure_model(args.folder)
    database = fresh_database()
    migrate(database)
    upload = io.BytesIO()
    pl.read_parquet(data / "application_test.parquet").head(1_000).write_csv(upload)
    explain = requests_from_folder(data, 20, with_history=True, table="application_test")
    csv = {"file": ("applications.csv", upload.getvalue(), "text/csv")}
    json_body = {"content-type": "application/json"}
    met = True
    with tempfile.TemporaryDirectory() as tmp:
        scoring_env = {
            "SCORING_DATABASE_URL": database,
            "SCORING_MLFLOW_TRACKING_URI": registry,
            "SCORING_AUTH_DISABLED": "true",
        }
        with served(
            "credit_scoring_api.cli", scoring_env | {"SCORING_RELOAD_INTERVAL": "0"}, Path(tmp) / "s.log"
        ) as scoring:
            explainer_env = {
                "EXPLAINER_MLFLOW_TRACKING_URI": registry,
                "EXPLAINER_SCORING_API_URL": scoring,
                "EXPLAINER_RELOAD_INTERVAL": "0",
                "EXPLAINER_AUTH_DISABLED": "true",
            }
            with served("credit_explainer.cli", explainer_env, Path(tmp) / "e.log") as explainer:
                for history in (False, True):
                    batch = orjson.dumps(
                        {
                            "applications": requests_from_folder(
                                data, 1_000, with_history=history, table="application_test"
                            )
                        }
                    )
                    sends: dict[str, Callable[[httpx.Client], httpx.Response]] = {
                        "batch": lambda c, b=batch: c.post(f"{scoring}/v1/scores/batch", content=b, headers=json_body),
                        "csv": lambda c: c.post(f"{scoring}/v1/scores/batch.csv", files=csv),
                        "explanation": lambda c: c.post(
                            f"{explainer}/v1/explanations", json=explain[int(time.time()) % 20]
                        ),
                    }
                    times, done = health_while(scoring, explainer, sends, args.seconds)
                    p99 = {name: statistics.quantiles(t, n=100)[98] for name, t in times.items()}
                    print(
                        f"while {done['batch']} JSON batches of 1,000 ({'with' if history else 'without'} history, "
                        f"{len(batch) / 1e6:.1f} MB), {done['csv']} CSV uploads of 1,000, {done['explanation']} explanations:"
                    )
                    for name, t in times.items():
                        print(f"  {name}: p50 {statistics.median(t):.1f} ms, p99 {p99[name]:.1f} ms ({len(t):,} calls)")
                    met = met and all(p < 50 for p in p99.values())
    print("bar (/health and /ready p99 < 50 ms on both, both phases): " + ("met" if met else "MISSED"))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
