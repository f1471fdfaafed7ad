"""Drift thresholds against the window size: what flags an unchanged population, what catches a shift.

    python bench/drift_windows.py [--windows 20] [--sizes 1000,10000,100000] [--shift 0.9]

A population of 300,000 synthetic applicants (every raw application field the model reads); the
reference is 5,000 of them (what the trainer registers with a version; ``--reference``). For each
window size, the monitor's drift (``compute_drift``, default settings) on ``--windows`` windows drawn from the same
population, then on as many where one important field moves (EXT_SOURCE_3 times ``--shift``: the
bureau's score a little lower). Each column is judged twice: with the fixed thresholds alone (PSI
0.2, Jensen-Shannon 0.1: what the monitor did before) and with the window-size-aware ones (the
larger of those and the critical value at the row counts). Prints, per size: windows with a flag
and columns flagged in all, for both; the largest statistic / critical value seen without drift;
the shifted field's PSI and whether each window caught it.

Bar: the same population flags nothing at any size; the shift is caught in every window at all.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from credit_core.catalogue import RAW_FEATURES
from credit_monitor.config import DriftSettings
from credit_monitor.drift import ColumnDrift, compute_drift
from credit_synthetic.generator import FIRST_SK_ID_CURR, _applications

SHIFTED = "EXT_SOURCE_3"


def fixed_verdict(column: ColumnDrift, settings: DriftSettings) -> bool:
    """The verdict of the material threshold alone (the statistic is a distance here)."""
    material = settings.categorical_threshold if column.method == "jensenshannon" else settings.numeric_threshold
    return column.statistic is not None and column.statistic >= material


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=20)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--reference", type=int, default=5_000, help="reference rows (the trainer registers 5,000)")
    parser.add_argument("--shift", type=float, default=0.9, help=f"factor applied to {SHIFTED} in the shifted windows")
    args = parser.parse_args()
    settings = DriftSettings()
    population = _applications(np.random.default_rng(1), np.arange(300_000) + FIRST_SK_ID_CURR).frame.to_pandas()
    columns = [c for c in RAW_FEATURES if c in population.columns]
    reference = population.sample(args.reference, random_state=0)
    print(f"{len(columns)} columns, reference {len(reference):,} rows, {args.windows} windows per size and case")
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        started = time.perf_counter()
        quiet = {"fixed": [0, 0], "aware": [0, 0]}  # windows flagged, columns flagged
        worst = 0.0
        caught, psi = {"fixed": 0, "aware": 0}, []
        for window in range(args.windows):
            current = population.sample(size, replace=True, random_state=1_000 + window)
            result = compute_drift(reference, current, columns, settings)
            flags = {"fixed": sum(fixed_verdict(c, settings) for c in result.columns), "aware": len(result.drifted)}
            for way, n in flags.items():
                quiet[way][0] += n > 0
                quiet[way][1] += n
            worst = max([worst, *(c.statistic / c.critical_value for c in result.columns if c.critical_value)])

            current[SHIFTED] = current[SHIFTED] * args.shift
            shifted = next(
                c for c in compute_drift(reference, current, columns, settings).columns if c.column == SHIFTED
            )
            psi.append(shifted.statistic or 0.0)
            caught["fixed"] += fixed_verdict(shifted, settings)
            caught["aware"] += shifted.drifted
            print(f"  {size:>7,} rows: window {window + 1}/{args.windows}", end="\r", flush=True)
        rows.append(
            {
                "rows": size,
                "unchanged: windows flagged (fixed)": quiet["fixed"][0],
                "columns flagged (fixed)": quiet["fixed"][1],
                "unchanged: windows flagged (aware)": quiet["aware"][0],
                "columns flagged (aware)": quiet["aware"][1],
                "max statistic / critical": round(worst, 2),
                f"{SHIFTED} x{args.shift}: psi": f"{np.min(psi):.3f}-{np.max(psi):.3f}",
                "caught (fixed)": f"{caught['fixed']}/{args.windows}",
                "caught (aware)": f"{caught['aware']}/{args.windows}",
                "seconds": round(time.perf_counter() - started),
            }
        )
    print()
    print(pd.DataFrame(rows).set_index("rows").T.to_string())


if __name__ == "__main__":
    main()
