"""Drift per segment (credit_monitor.segments): a shift confined to one contract type is reported
for that segment and not for the other, while the whole window does not raise the flag; segments
below the minimum size are listed as not judged; the run's reasons name the segment."""

from __future__ import annotations

import numpy as np
import pandas as pd
from credit_core.catalogue import RAW_FEATURES
from credit_core.contracts.drift import RealisedPerformance
from credit_monitor.config import DriftSettings, Settings
from credit_monitor.drift import compute_drift
from credit_monitor.segments import segment_results
from credit_monitor.status import recommend
from credit_synthetic.generator import FIRST_SK_ID_CURR, _applications

REVOLVING = "Revolving loans"


def applicants(rows: int, seed: int) -> pd.DataFrame:
    frame = _applications(np.random.default_rng(seed), np.arange(rows) + FIRST_SK_ID_CURR).frame.to_pandas()
    frame["probability"] = np.random.default_rng(seed + 1).beta(1.2, 12, rows)
    frame["decision"] = np.where(frame["probability"] >= 0.15, "refused", "granted")
    return frame


def test_a_shift_in_one_contract_type_is_reported_for_that_segment_only() -> None:
    settings = DriftSettings()
    importance = {c: 1.0 for c in RAW_FEATURES} | {"AMT_CREDIT": 20.0, "AMT_ANNUITY": 20.0, "AMT_GOODS_PRICE": 20.0}
    reference, current = applicants(5_000, seed=1), applicants(5_000, seed=2)
    revolving = current["NAME_CONTRACT_TYPE"] == REVOLVING
    assert 200 <= revolving.sum() <= 1_000  # a small part of the window
    for column in ("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"):  # a campaign of larger credit lines
        current.loc[revolving, column] = current.loc[revolving, column] * 2.5

    whole = compute_drift(reference, current, [*RAW_FEATURES, "probability"], settings, importance)
    segments = segment_results(reference, current, importance, settings, ("contract type", "age band"), 300, 15)
    by_name = {(s.segmentation, s.segment): s for s in segments}

    shifted, cash = by_name[("contract type", REVOLVING)], by_name[("contract type", "Cash loans")]
    assert shifted.judged and shifted.dataset_drift
    assert {"AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"} <= set(shifted.drifted_columns)
    assert cash.judged and not cash.dataset_drift and not cash.drifted_columns
    assert not whole.dataset_drift  # diluted in the whole window
    assert shifted.estimated is not None and shifted.estimated.rows == shifted.current_rows
    small = [s for s in segments if not s.judged]
    assert [s.segment for s in small] == ["under 25"] and min(small[0].reference_rows, small[0].current_rows) < 300

    _, reasons = recommend(
        whole,
        RealisedPerformance(outcomes=0, holdout_auc=None, holdout_cost_per_1000=None),
        Settings(auth_disabled=True),
        segments=segments,
    )
    assert any(r.startswith(f"drift in the segment contract type = {REVOLVING}: ") for r in reasons), reasons
    assert not any("Cash loans" in r for r in reasons)
