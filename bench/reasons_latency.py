"""What the principal reasons of a refusal cost: refusals and grants scored over HTTP, apart.

    python bench/reasons_latency.py [--seconds 30] [--paced 1200] [--refused-share 0.25] [--runs 3]

The scoring API as in ``bench/api_load.py`` (2 workers, durable spool, real Postgres, the same
LightGBM champion): 200 applications the champion refuses and 200 it grants (the bench's synthetic
test applicants). Each run sends both at once, as a lender's traffic: two wrk processes, one with
the refusals (``--refused-share`` of the paced load, a quarter by default: more than the champion
refuses), one with the grants (the rest), each measuring its own latency; then the grants alone at
the whole paced load, the case where reasons cost nothing. Then in-process, per decision: a
refusal with its reasons, a grant, and the reasons alone.

Bars: refusals with their reasons p99 <= 30 ms over HTTP in every run; grants in the mixed load
p99 <= 30 ms too; a grant computes no reason (its answer has none, checked on every one).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
from api_load import ROOT, ensure_model, fresh_database, lua_script, start_api, wrk_figures
from credit_core.model_store import ModelStore
from credit_core.registry import CHAMPION, MODEL_NAME


def bodies_by_decision(registry: str, data: Path, n: int = 200) -> tuple[dict[str, list[str]], dict[str, float]]:
    """``n`` request bodies the champion refuses and ``n`` it grants; in-process median times (ms)."""
    from credit_core.scoring import request_features
    from credit_scoring_api.decisions import decide, reason_finder

    store = ModelStore(registry, MODEL_NAME, CHAMPION, 0, prepare=reason_finder)
    store.refresh()
    model = store.current
    assert model is not None, store.error
    bodies: dict[str, list[str]] = {"refused": [], "granted": []}
    took: dict[str, list[float]] = {"refused, with its reasons": [], "granted": [], "the reasons alone": []}
    for record in pl.read_parquet(data / "application_test.parquet").head(5_000).to_dicts():
        application = {k: v for k, v in record.items() if v is not None}
        started = time.perf_counter()
        score, _ = decide(application, {}, model, "api", None)
        elapsed = (time.perf_counter() - started) * 1e3
        assert (score.reasons is None) == (score.decision == "granted")
        took["refused, with its reasons" if score.reasons else "granted"].append(elapsed)
        if score.reasons:
            row = model.compiled.row(request_features(application, {})[1])
            started = time.perf_counter()
            model.extra.reasons(row)
            took["the reasons alone"].append((time.perf_counter() - started) * 1e3)
        if len(bodies[score.decision]) < n:
            bodies[score.decision].append(json.dumps({"application": application}))
    store.stop()
    assert all(len(b) == n for b in bodies.values()), {k: len(v) for k, v in bodies.items()}
    return bodies, {name: statistics.median(times) for name, times in took.items()}


def run_together(url: str, scripts: dict[str, tuple[Path, int]], seconds: int) -> dict[str, dict[str, float]]:
    """wrk processes at once, one per script (path, connections); each one's figures."""
    running = {
        name: subprocess.Popen(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script), url],
            stdout=subprocess.PIPE,
            text=True,
        )
        for name, (script, connections) in scripts.items()
    }
    return {name: wrk_figures(process.communicate()[0]) for name, process in running.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--paced", type=float, default=1_200, help="decisions/s offered, refusals and grants together")
    parser.add_argument("--refused-share", type=float, default=0.25)
    parser.add_argument("--folder", type=Path, default=ROOT / "data" / "bench")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk (Debian package)", file=sys.stderr)
        return 2
    registry, data = ensure_model(args.folder)
    bodies, in_process = bodies_by_decision(registry, data)
    database = fresh_database()
    refusing = max(1, round(args.connections * args.refused_share))
    granting = args.connections - refusing
    worst = {"refused": 0.0, "granted": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        process, url = start_api(registry, database, folder / "api.log", folder / "spool")
        # pauses sized so that each connection offers the same share of the paced load
        delay_ms = args.connections * 1000 / args.paced
        for name, sent in bodies.items():
            (folder / f"{name}.lua").write_text(lua_script(sent, delay_ms))
        try:
            for run in range(args.runs):
                mixed = run_together(
                    url,
                    {"refused": (folder / "refused.lua", refusing), "granted": (folder / "granted.lua", granting)},
                    args.seconds,
                )
                alone = run_together(url, {"granted": (folder / "granted.lua", args.connections)}, args.seconds)
                for label, r in (*((f"mixed, {k}", v) for k, v in mixed.items()), ("grants alone", alone["granted"])):
                    print(
                        f"run {run + 1}, {label}: {r['rate']:,.0f}/s; p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, "
                        f"p99 {r['p99']:.1f} ms; answered {r['answered']:,.0f}, non-2xx {r['status_errors']:.0f}",
                        flush=True,
                    )
                worst = {name: max(p99, mixed[name]["p99"]) for name, p99 in worst.items()}
        finally:
            process.terminate()
            process.wait(timeout=60)
    print(
        f"({args.connections} connections, {refusing} of them sending refusals; paced for {args.paced:,.0f}/s; "
        f"{args.seconds} s per run; 2 API workers, durable spool, Postgres)"
    )
    for name, took in in_process.items():
        print(f"in-process {name}: median {took:.3f} ms")
    met = worst["refused"] <= 30 and worst["granted"] <= 30
    print(
        f"bars (p99 <= 30 ms in every run, refusals with reasons {worst['refused']:.1f} ms, grants "
        f"{worst['granted']:.1f} ms at worst; no grant computed a reason): " + ("met" if met else "MISSED")
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
