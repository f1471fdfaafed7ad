"""Segments of applicants, shared by the monitor (drift and estimated performance per segment)
and the trainer (fairness by age band). Each segmentation gives every applicant of a frame
(pandas or polars, with the raw application fields) a label; an applicant without the field is
"unknown".

Income bands are the quartiles of declared income in the Home Credit training data (112,500 and
202,500): the lower quarter, the middle half, the upper quarter; fixed, so that a segment means
the same thing from one model version to the next.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from credit_core.catalogue import YEAR_DAYS

UNKNOWN = "unknown"
AGE_BANDS = ((0, 25, "under 25"), (25, 40, "25-40"), (40, 60, "40-60"), (60, 200, "over 60"))
INCOME_BANDS = ((0, 112_500, "under 112,500"), (112_500, 202_500, "112,500-202,500"), (202_500, np.inf, "over 202,500"))


def _values(frame: Any, column: str, dtype: Any) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan if dtype is float else None, dtype=dtype)
    values = frame[column]
    values = values.to_numpy() if hasattr(values, "to_numpy") else np.asarray(values)
    if dtype is float:
        return np.asarray(values, dtype=float)
    return np.asarray(values, dtype=object)


def _banded(values: np.ndarray, bands: tuple[tuple[float, float, str], ...]) -> np.ndarray:
    out = np.full(len(values), UNKNOWN, dtype=object)
    for low, high, label in bands:
        out[(values >= low) & (values < high)] = label
    return out


def age_band(frame: Any) -> np.ndarray:
    return _banded(-_values(frame, "DAYS_BIRTH", float) / YEAR_DAYS, AGE_BANDS)


def income_band(frame: Any) -> np.ndarray:
    return _banded(_values(frame, "AMT_INCOME_TOTAL", float), INCOME_BANDS)


def _labels(column: str, prefix: str = "") -> Callable[[Any], np.ndarray]:
    def labels(frame: Any) -> np.ndarray:
        values = _values(frame, column, object)
        present = ~pd.isna(values)
        out = np.full(len(values), UNKNOWN, dtype=object)
        out[present] = [f"{prefix}{v:g}" if isinstance(v, float) else f"{prefix}{v}" for v in values[present]]
        return out

    return labels


SEGMENTATIONS: dict[str, Callable[[Any], np.ndarray]] = {
    "contract type": _labels("NAME_CONTRACT_TYPE"),
    "income band": income_band,
    "region rating": _labels("REGION_RATING_CLIENT", "rating "),
    "age band": age_band,
}
