"""A drift run at full scale: 300,000 reference rows against a 50,000-row window, every model input.

    python bench/drift_scale.py [--data DIR] [--max-reference-rows N]

Uses (or generates, once) the full-size Parquet data of ``bench/features_scale.py`` and builds the
features once (saved next to it, not timed): reference = 300,000 training applicants, current =
the 48,744 test applicants and 1,256 more. Then, in a fresh process, times what a monitor run does
with them: Evidently drift on all 190 model inputs (PSI for numbers, Jensen-Shannon for categories
and flags) and the HTML report. Prints wall time and peak RSS of that process; then the same with
the monitor's default reference sample of 50,000 rows.

Bar (2 cores): <= 60 s and <= 8 GB with the full reference.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
from credit_core.catalogue import feature_columns
from credit_core.features import build_features
from credit_core.loader import scan_tables
from credit_core.schema import FULL_SIZE_ROWS

sys.path.insert(0, str(Path(__file__).parent))
from features_scale import ensure_data

BAR_SECONDS, BAR_GB = 60, 8
REFERENCE, CURRENT = 300_000, 50_000


def prepare(data: Path) -> tuple[Path, Path]:
    reference, current = data / "drift-reference.parquet", data / "drift-current.parquet"
    if reference.exists() and current.exists():
        return reference, current
    print("building the features of all applicants once ...", flush=True)
    application, history = scan_tables(data)
    features = build_features(application, history).collect()
    test_ids = pl.read_parquet(data / "application_test.parquet", columns=["SK_ID_CURR"])["SK_ID_CURR"].implode()
    is_test = pl.col("SK_ID_CURR").is_in(test_ids)
    train, test = features.filter(~is_test), features.filter(is_test)
    train.head(REFERENCE).write_parquet(reference)
    pl.concat([test, train.tail(CURRENT - test.height)]).write_parquet(current)
    return reference, current


def measure(reference: Path, current: Path, max_reference_rows: int, out: Path) -> dict[str, float]:
    """In this process: load, drift on every model input, HTML report."""
    from credit_monitor.config import DriftSettings
    from credit_monitor.drift import compute_drift

    started = time.perf_counter()
    ref, cur = pl.read_parquet(reference).to_pandas(), pl.read_parquet(current).to_pandas()
    loaded = time.perf_counter()
    result = compute_drift(ref, cur, feature_columns(), DriftSettings(max_reference_rows=max_reference_rows))
    computed = time.perf_counter()
    result.save_html(out)
    finished = time.perf_counter()
    return {
        "reference_rows": result.reference_rows,
        "current_rows": result.current_rows,
        "columns": len(result.columns),
        "drifted": len(result.drifted),
        "load_s": loaded - started,
        "drift_s": computed - loaded,
        "html_s": finished - computed,
        "total_s": finished - started,
        "html_mb": out.stat().st_size / 1e6,
        "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("BENCH_DATA_DIR", "data/full")))
    parser.add_argument(
        "--measure", nargs=3, metavar=("REFERENCE", "CURRENT", "MAX_REFERENCE_ROWS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.measure:
        reference, current, rows = args.measure
        print(json.dumps(measure(Path(reference), Path(current), int(rows), Path(current).with_suffix(".html"))))
        return 0
    ensure_data(args.data, FULL_SIZE_ROWS["application_train"], FULL_SIZE_ROWS["application_test"])
    reference, current = prepare(args.data)
    ok = True
    for rows in (REFERENCE, 50_000):
        command = [sys.executable, __file__, "--measure", str(reference), str(current), str(rows)]
        figures = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        print(
            f"reference {figures['reference_rows']:,} x current {figures['current_rows']:,} x {figures['columns']} columns:"
            f" {figures['total_s']:.1f} s (load {figures['load_s']:.1f}, drift {figures['drift_s']:.1f},"
            f" HTML {figures['html_s']:.1f} s, {figures['html_mb']:.0f} MB), peak RSS {figures['peak_gb']:.2f} GB,"
            f" {figures['drifted']} columns drifted"
        )
        if rows == REFERENCE:
            ok = figures["total_s"] <= BAR_SECONDS and figures["peak_gb"] <= BAR_GB
    print(f"bar ({BAR_SECONDS} s, {BAR_GB} GB with the full reference):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
