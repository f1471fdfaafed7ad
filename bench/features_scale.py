"""Feature build at full Home Credit size, and the single-applicant request path.

    python bench/features_scale.py [--data DIR] [--applicants N] [--test-applicants M]

1. Generates full-size synthetic data once (Parquet, 307,511 + 48,744 applicants with history
   tables of the real sizes) with ``credit-trainer synth``, unless DIR already holds it.
2. Builds the features of every applicant in a fresh process (lazy scans -> one collect) and
   prints rows in, rows x columns out, wall time and peak RSS.
3. Times one applicant: with a typical history (5 bureau credits, 3 previous applications,
   about 50 instalments) and with the application only (the scoring API's hot path).

Bars (2 cores): full build <= 180 s and <= 8 GB; typical history <= 5 ms; application only <= 0.5 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
from credit_core.features import applicant_features, build_features
from credit_core.loader import clean_record, conform, scan_tables
from credit_core.schema import FULL_SIZE_ROWS, TABLES

BARS = {"build_seconds": 180, "build_peak_gb": 8, "typical_ms": 5, "application_only_ms": 0.5}


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def ensure_data(folder: Path, applicants: int, test_applicants: int) -> None:
    marker = folder / "rows.json"
    if marker.is_file():
        print(f"reusing {folder} ({json.loads(marker.read_text())['total']:,} rows)")
        return
    print(f"generating {applicants:,} + {test_applicants:,} applicants into {folder} ...", flush=True)
    started = time.perf_counter()
    command = [sys.executable, "-m", "credit_trainer.cli", "synth", "--out", str(folder)]
    command += ["--applicants", str(applicants), "--test-applicants", str(test_applicants), "--format", "parquet"]
    subprocess.run(command, check=True)
    rows = {name: pl.scan_parquet(folder / f"{name}.parquet").select(pl.len()).collect().item() for name in TABLES}
    marker.write_text(json.dumps({"rows": rows, "total": sum(rows.values())}))
    print(f"generated in {time.perf_counter() - started:.0f} s")


def measure_build(folder: Path) -> dict[str, float]:
    """Run in its own process so that peak RSS is the feature build's alone."""
    rows_in = json.loads((folder / "rows.json").read_text())["total"]
    started = time.perf_counter()
    application, history = scan_tables(folder)
    table = build_features(application, history).collect()
    seconds = time.perf_counter() - started
    return {
        "rows_in": rows_in,
        "rows_out": table.height,
        "columns_out": table.width,
        "seconds": seconds,
        "peak_gb": _peak_rss_gb(),
    }


def _median_ms(function: Callable[[], object], repeat: int) -> float:
    for _ in range(50):
        function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e3


def _typical_applicant(folder: Path) -> tuple[dict[str, object], dict[str, pl.DataFrame]]:
    """The first applicant with 5 bureau credits (some with monthly statuses), 3 previous
    applications and 40-60 instalments."""

    def having(table: str, condition: pl.Expr) -> pl.LazyFrame:
        counts = pl.scan_parquet(folder / f"{table}.parquet").group_by("SK_ID_CURR").agg(pl.len().alias("n"))
        return counts.filter(condition).select("SK_ID_CURR")

    reporting = pl.scan_parquet(folder / "bureau_balance.parquet").select("SK_ID_BUREAU").unique()
    bureau = pl.scan_parquet(folder / "bureau.parquet").select("SK_ID_CURR", "SK_ID_BUREAU")
    with_monthly_statuses = bureau.join(reporting, on="SK_ID_BUREAU", how="semi").select("SK_ID_CURR").unique()
    applicant = (
        having("bureau", pl.col("n") == 5)
        .join(having("previous_application", pl.col("n") == 3), on="SK_ID_CURR")
        .join(having("installments_payments", pl.col("n").is_between(40, 60)), on="SK_ID_CURR")
        .join(with_monthly_statuses, on="SK_ID_CURR")
        .join(pl.scan_parquet(folder / "application_train.parquet").select("SK_ID_CURR"), on="SK_ID_CURR")
        .sort("SK_ID_CURR")
        .head(1)
        .collect()
        .item()
    )
    raw = pl.scan_parquet(folder / "application_train.parquet").filter(pl.col("SK_ID_CURR") == applicant).collect()
    history = {}
    for name in ("bureau", "previous_application", "POS_CASH_balance", "installments_payments", "credit_card_balance"):
        history[name] = pl.scan_parquet(folder / f"{name}.parquet").filter(pl.col("SK_ID_CURR") == applicant).collect()
    bureau_ids = history["bureau"].get_column("SK_ID_BUREAU").implode()
    history["bureau_balance"] = (
        pl.scan_parquet(folder / "bureau_balance.parquet").filter(pl.col("SK_ID_BUREAU").is_in(bureau_ids)).collect()
    )
    return raw.row(0, named=True), {name: conform(frame, TABLES[name]) for name, frame in history.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("BENCH_DATA_DIR", "data/full")))
    parser.add_argument("--applicants", type=int, default=FULL_SIZE_ROWS["application_train"])
    parser.add_argument("--test-applicants", type=int, default=FULL_SIZE_ROWS["application_test"])
    parser.add_argument("--measure-build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_build:
        print(json.dumps(measure_build(args.data)))
        return 0

    ensure_data(args.data, args.applicants, args.test_applicants)
    child = subprocess.run(
        [sys.executable, __file__, "--data", str(args.data), "--measure-build"],
        check=True,
        capture_output=True,
        text=True,
    )
    build = json.loads(child.stdout.strip().splitlines()[-1])
    print(
        f"full build: {build['rows_in']:,} rows in -> {build['rows_out']:,} x {build['columns_out']} out "
        f"in {build['seconds']:.1f} s, peak RSS {build['peak_gb']:.2f} GB"
    )

    record, history = _typical_applicant(args.data)
    sizes = ", ".join(f"{name} {frame.height}" for name, frame in history.items())
    typical = _median_ms(lambda: applicant_features(clean_record(record), history), 1_000)
    application_only = _median_ms(lambda: applicant_features(clean_record(record)), 5_000)
    print(f"one applicant, typical history ({sizes}): median {typical:.3f} ms")
    print(f"one applicant, application only: median {application_only:.4f} ms")

    figures = {
        "build_seconds": build["seconds"],
        "build_peak_gb": build["peak_gb"],
        "typical_ms": typical,
        "application_only_ms": application_only,
    }
    failed = [f"{name} {figures[name]:.3g} > {bar}" for name, bar in BARS.items() if figures[name] > bar]
    print("bars: " + ("all met" if not failed else "MISSED " + "; ".join(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
