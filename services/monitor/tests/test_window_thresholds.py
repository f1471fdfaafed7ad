"""Drift thresholds that know the window size (credit_monitor.drift.critical_value): the critical
value is the tail of the statistic's sampling distribution under no drift, as Evidently computes
the statistic; a small window's threshold rises above its noise, a large one's stays the material
threshold; an unchanged population stays quiet and a shift is caught at both sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from credit_monitor.config import DriftSettings
from credit_monitor.drift import compute_drift, critical_value
from evidently.legacy.calculations.stattests.jensenshannon import _jensenshannon
from evidently.legacy.calculations.stattests.psi import _psi
from evidently.legacy.core import ColumnType

LEVELS = np.array([f"level-{i}" for i in range(58)], dtype=object)  # as many as ORGANIZATION_TYPE has
SHARES = 1 / np.arange(1, 59) / (1 / np.arange(1, 59)).sum()  # a few common, many rare


def population(rows: int, seed: int, common_share: float | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    shares = SHARES.copy()
    if common_share is not None:  # the commonest level's share moved, the others in proportion
        shares[1:] *= (1 - common_share) / shares[1:].sum()
        shares[0] = common_share
    return pd.DataFrame(
        {
            "ORGANIZATION_TYPE": rng.choice(LEVELS, rows, p=shares),
            "AMT_INCOME_TOTAL": np.round(rng.lognormal(11.9, 0.5, rows), -2),
            "EXT_SOURCE_3": rng.beta(4, 3, rows),
        }
    )


@pytest.mark.parametrize(
    ("column", "method", "kind", "statistic"),
    [
        ("ORGANIZATION_TYPE", "jensenshannon", ColumnType.Categorical, _jensenshannon),
        ("EXT_SOURCE_3", "psi", ColumnType.Numerical, _psi),
        ("AMT_INCOME_TOTAL", "psi", ColumnType.Numerical, _psi),
    ],
)
@pytest.mark.parametrize("rows", [500, 5_000])
def test_the_critical_value_is_the_tail_of_the_statistic_without_drift(
    column: str, method: str, kind: ColumnType, statistic: object, rows: int
) -> None:
    """300 pairs of a reference and a window of the same population: the 95th percentile of the
    statistic is the critical value at 5 %."""
    seen, critical = [], []
    for seed in range(1, 301):
        reference, current = population(20_000, seed=seed)[column], population(rows, seed=1_000 + seed)[column]
        seen.append(statistic(reference, current, kind, 0.1)[0])  # type: ignore[operator]
        critical.append(critical_value(method, reference, current, kind is ColumnType.Categorical, 0.05))
    empirical, predicted = float(np.quantile(seen, 0.95)), float(np.mean(critical))
    assert predicted == pytest.approx(empirical, rel=0.2), (empirical, predicted)
    assert critical_value(method, reference, current, kind is ColumnType.Categorical, 1e-4) > predicted


def test_small_windows_raise_the_threshold_and_large_ones_keep_the_material_one() -> None:
    settings = DriftSettings()
    reference = population(50_000, seed=0)
    columns = list(reference.columns)
    for rows in (1_000, 100_000):
        quiet = [compute_drift(reference, population(rows, seed=s), columns, settings) for s in (1, 2, 3)]
        assert not any(r.drifted for r in quiet), [(c.column, c.statistic) for r in quiet for c in r.drifted]
        judged = {c.column: c for c in quiet[0].columns}
        organisation = judged["ORGANIZATION_TYPE"]
        if rows == 1_000:  # the noise of 1,000 rows on 58 levels is near the material 0.1
            assert organisation.threshold == organisation.critical_value > settings.categorical_threshold
        else:
            assert organisation.threshold == settings.categorical_threshold > (organisation.critical_value or 0)
        # the commonest organisation from 29 % to 37 % of the applicants: caught at both sizes
        shifted = compute_drift(reference, population(rows, seed=9, common_share=0.37), columns, settings)
        assert [c.column for c in shifted.drifted] == ["ORGANIZATION_TYPE"]
