"""Scoring a whole book: the bucketed engines at full Home Credit size and at ten times that.

    python bench/portfolio_scale.py [--scales 1,10] [--engines single,polars,spark] [--bucket-size 50000]

1. Data, generated once in chunks (``credit-trainer synth``, Parquet): 1x is the full size of
   ``features_scale.py`` (307,511 + 48,744 applicants, ~58 M history rows, ``data/full``), 10x
   ten times the applicants with the same history per applicant (``data/full-10x``).
2. A LightGBM champion trained once on 20,000 synthetic applicants (``data/bench-registry``).
3. Per scale and engine, in a process of its own: ``single`` is today's path (every table
   scanned into one feature build, then the compiled model on every row); ``polars`` and ``spark``
   (``local[2,4]``) are ``credit-trainer score-portfolio``. The process tree is sampled every
   0.2 s: peak RSS of the largest process of each kind (the CLI / driver, Spark's JVM, its
   Python workers).

Prints wall time, applicants/s, and peak memory per process. Bar: the bucketed engines' peak
memory stays flat from 1x to 10x (it follows the bucket size, not the book).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from credit_core.schema import FULL_SIZE_ROWS

sys.path.insert(0, str(Path(__file__).parent))
from features_scale import ensure_data

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _registry(folder: Path) -> str:
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    if not (folder / "mlflow.db").exists():
        data = folder / "data"
        subprocess.run(
            [BIN / "credit-trainer", "synth", "--out", data, "--applicants", "20000", "--format", "parquet"],
            check=True,
            capture_output=True,
        )
        command = [
            BIN / "credit-trainer",
            "train",
            "--data",
            data,
            "--models",
            "lightgbm",
            "--imbalance",
            "none",
            "--constraints",
            "none",
            "--promote",
        ]
        subprocess.run(command, check=True, capture_output=True, env=os.environ | {"TRAINER_MLFLOW_DIR": str(folder)})
    return uri


def _kind(process: psutil.Process, root: psutil.Process) -> str:
    """The command itself (the CLI, Spark's driver), Spark's JVM, a Spark Python worker (the
    daemon or a process forked from it: those rename themselves after the task they run), or
    anything else by its name."""
    if process.pid == root.pid:
        return "cli / driver"
    try:
        if "java" in process.name():
            return "spark jvm"
        if any("pyspark.daemon" in " ".join(p.cmdline()) for p in [process, *process.parents()]):
            return "spark python worker"
        return f"other ({process.name()})"
    except psutil.Error:
        return "gone"


def _measured(command: list[str], env: dict[str, str], log: Path) -> dict[str, object]:
    """Run ``command`` (its output in ``log``); wall time and the peak RSS of each kind of process
    in its tree (:func:`_kind`; those above 50 MB), sampled every 0.2 s."""
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        root, peaks = psutil.Process(process.pid), {}
        while process.poll() is None:
            for child in [root, *root.children(recursive=True)]:
                try:
                    rss, kind = child.memory_info().rss, _kind(child, root)
                except psutil.Error:
                    continue
                if rss >= 50 * 1024**2:  # not the launcher scripts
                    peaks[kind] = max(peaks.get(kind, 0), rss)
            progress = [line for line in log.read_text().splitlines() if "bucket" in line or "split" in line]
            if progress:
                print(f"    {progress[-1][-110:]:<110}", end="\r", flush=True)
            time.sleep(0.2)
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n" + "\n".join(log.read_text().splitlines()[-30:]))
    return {"seconds": time.perf_counter() - started, "peaks_gb": {k: v / 1024**3 for k, v in peaks.items()}}


SINGLE = """
import json, sys, time
from pathlib import Path
import polars as pl
from credit_core.features import build_features
from credit_core.loader import scan_tables
from credit_trainer.portfolio import load_book_model
started = time.perf_counter()
model = load_book_model(sys.argv[2], "models:/credit-default@champion", Path(sys.argv[3]))
application, history = scan_tables(sys.argv[1])
features = build_features(application, history).collect()
probability = model.compiled.probabilities(model.compiled.matrix(features))
print(json.dumps({"applicants": len(probability)}))
"""


def _single_need_gb(rows: list[tuple[int, str, int, float, dict[str, float]]], scale: int) -> float:
    """What today's one-process build would need at ``scale``: it holds every table, so its
    memory grows with the book (its peak at the smallest scale measured, scaled)."""
    measured = [(s, max(p.values())) for s, e, _, _, p in rows if e == "single"]
    return min(measured)[1] * scale / min(measured)[0] if measured else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--engines", default="single,polars,spark")
    parser.add_argument("--bucket-size", type=int, default=50_000)
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("BENCH_DATA_DIR", "data/full")))
    args = parser.parse_args()
    registry = _registry(Path("data/bench-registry").resolve())
    env = os.environ | {
        "TRAINER_MLFLOW_TRACKING_URI": registry,
        "PYSPARK_SUBMIT_ARGS": "--driver-memory 4g pyspark-shell",
    }
    rows: list[tuple[int, str, int, float, dict[str, float]]] = []
    total_gb = psutil.virtual_memory().total / 1024**3
    for scale in (int(s) for s in args.scales.split(",")):
        folder = args.data if scale == 1 else args.data.with_name(f"{args.data.name}-{scale}x")
        train, test = FULL_SIZE_ROWS["application_train"] * scale, FULL_SIZE_ROWS["application_test"] * scale
        ensure_data(folder, train, test)
        history = json.loads((folder / "rows.json").read_text())["total"] - train - test
        for engine in args.engines.split(","):
            if engine == "single" and (need := _single_need_gb(rows, scale)) > total_gb:
                print(f"{scale}x, single: not run, needs ~{need:.0f} GB (its 1x peak x {scale}) of {total_gb:.0f} GB")
                continue
            print(
                f"{scale}x ({train + test:,} applicants, {history / 1e6:.0f} M history rows), {engine} ...", flush=True
            )
            with tempfile.TemporaryDirectory(dir=folder.parent) as work:
                if engine == "single":
                    command = [sys.executable, "-c", SINGLE, str(folder), registry, work]
                else:
                    command = [
                        str(BIN / "credit-trainer"),
                        "score-portfolio",
                        "--data",
                        str(folder),
                        "--engine",
                        engine,
                        "--out",
                        f"{work}/scores",
                        "--bucket-size",
                        str(args.bucket_size),
                        "--staging",
                        work,
                    ]
                    command += ["--spark-master", "local[2,4]"] if engine == "spark" else []
                measured = _measured(command, env, Path(work) / "run.log")
            applicants = train + test
            peaks = measured["peaks_gb"]
            rows.append((scale, engine, applicants, measured["seconds"], peaks))
            print(" " * 120, end="\r")
            print(
                f"  {measured['seconds']:.0f} s, {applicants / measured['seconds']:,.0f} applicants/s, peak "
                + ", ".join(f"{k} {v:.2f} GB" for k, v in sorted(peaks.items()))
            )  # type: ignore[union-attr]
    print("\n| scale | engine | applicants | wall time | applicants/s | peak RSS per process |")
    print("|---|---|---|---|---|---|")
    for scale, engine, applicants, seconds, peaks in rows:
        memory = ", ".join(f"{k} {v:.2f} GB" for k, v in sorted(peaks.items()))
        print(f"| {scale}x | {engine} | {applicants:,} | {seconds:.0f} s | {applicants / seconds:,.0f} | {memory} |")
    for engine in ("polars", "spark"):
        by_scale = {s: max(p.values()) for s, e, _, _, p in rows if e == engine}
        if 1 in by_scale and 10 in by_scale:
            print(
                f"{engine}: largest process {by_scale[1]:.2f} GB at 1x, {by_scale[10]:.2f} GB at 10x "
                f"({by_scale[10] / by_scale[1]:.2f} times)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
