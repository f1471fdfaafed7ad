"""Drift of one window of data against a reference, column by column, with Evidently 0.7.

Columns: the model's raw application fields, its most important engineered features, and its
outputs (probability of default, decision). Each column gets one Evidently ``ValueDrift`` metric
with the method and threshold of its kind; the statistics come back from the snapshot and the
same snapshot renders the HTML report. A column that is empty on one side only (a field no longer
sent) counts as drifted without a statistic.

Thresholds know the window size. A distance between two samples of the same population is not
zero: it shrinks as the rows grow (a 1,000-row window of unchanged applicants reaches a
Jensen-Shannon distance of 0.1 on a field with 58 levels). For PSI and Jensen-Shannon, each column's
threshold is therefore the larger of the material shift set (``numeric_threshold``...) and the
value an unchanged population exceeds only with probability ``false_alarm_rate`` at these row
counts (:func:`critical_value`: the statistic simulated as Evidently computes it, in its bins,
for two samples of the reference's population of these sizes). Large windows keep the material
threshold (no flag on a shift too small to matter); small ones raise it above their own noise.

The dataset-drift flag is raised when several input columns drift together
(``min_drifted_columns``: one column alone is usually a data-entry change or noise, to watch), or
when the drifted columns carry at least ``drift_share`` of the model's importance (mean |SHAP|
over all its features: one feature the model leans on), or when the predicted probability
drifts. Without importance (offline comparisons) every column weighs the same.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from credit_core.catalogue import CATEGORICAL_FEATURES, RAW_FEATURES, feature_columns, feature_unit
from credit_core.schema import Unit
from evidently import DataDefinition, Dataset, Report
from evidently.legacy.calculations.stattests.utils import get_binned_data
from evidently.legacy.core import ColumnType
from evidently.metrics import ValueDrift
from scipy.stats import chi2

from credit_monitor.config import P_VALUE_METHODS, DriftSettings

OUTPUTS = ("probability", "decision")
FEATURE_NAMES = set(feature_columns())
WINDOW_AWARE = frozenset({"psi", "jensenshannon"})  # methods whose threshold follows the row counts


@dataclass(frozen=True)
class ColumnDrift:
    column: str
    kind: str  # numeric, categorical, output
    method: str
    statistic: float | None
    threshold: float  # the one applied: the material threshold or the critical value, the larger
    drifted: bool
    importance: float  # share of the model's total importance (0 for outputs)
    reference_mean: float | None  # numeric columns; for categories the share of the most common level
    current_mean: float | None
    critical_value: float | None = None  # what an unchanged population exceeds at these row counts


@dataclass
class DriftResult:
    columns: list[ColumnDrift]
    dataset_drift: bool
    drift_share: float
    drifted_importance: float
    probability_drift: float | None
    decision_rate_reference: float | None
    decision_rate_current: float | None
    reference_rows: int
    current_rows: int
    snapshot: Any

    @property
    def drifted(self) -> list[ColumnDrift]:
        return sorted((c for c in self.columns if c.drifted), key=lambda c: -c.importance)

    def save_html(self, path: Path) -> None:
        self.snapshot.save_html(str(path))

    def column_rows(self) -> list[dict[str, Any]]:
        return [asdict(c) for c in self.columns]


def monitored_columns(importance: dict[str, float] | None, top: int) -> list[str]:
    """The raw application fields the model uses, then its ``top`` most important engineered features."""
    engineered = [c for c in feature_columns() if c not in RAW_FEATURES]
    if importance:
        engineered.sort(key=lambda c: -importance.get(c, 0.0))
    return [*RAW_FEATURES, *engineered[:top]]


def _kind(column: str, frame: pd.DataFrame) -> str:
    """0/1 flags count as categories: a normed distance on a rare flag is mostly noise."""
    if column in OUTPUTS:
        return "output"
    if column in CATEGORICAL_FEATURES or not pd.api.types.is_numeric_dtype(frame[column]):
        return "categorical"
    if column in FEATURE_NAMES and feature_unit(column) is Unit.FLAG:
        return "categorical"
    return "numeric"


def _method(column: str, kind: str, settings: DriftSettings) -> tuple[str, float]:
    if column == "decision" or kind == "categorical":
        return settings.categorical_method, settings.categorical_threshold
    if column == "probability":
        return settings.probability_method, settings.probability_threshold
    return settings.numeric_method, settings.numeric_threshold


def _evidently_shares(counts: np.ndarray, rows: int, fill: bool) -> np.ndarray:
    """Shares per bin, one sample per row, with Evidently's stand-in for an empty bin (PSI)."""
    shares = counts / rows
    if fill:
        smallest = np.where(shares > 0, shares, np.inf).min(axis=1, keepdims=True)
        shares = np.where(shares == 0, np.where(smallest <= 1e-4, smallest / 1e6, 1e-4), shares)
    return np.asarray(shares)


def _statistics(method: str, reference: np.ndarray, current: np.ndarray) -> np.ndarray:
    """Evidently's PSI, or SciPy's Jensen-Shannon distance (natural logarithm), row by row."""
    if method == "psi":
        return np.asarray(np.sum((reference - current) * np.log(reference / current), axis=1))
    reference = reference / reference.sum(axis=1, keepdims=True)
    current = current / current.sum(axis=1, keepdims=True)
    middle = (reference + current) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        divergence = sum(np.where(p > 0, p * np.log(p / middle), 0.0).sum(axis=1) for p in (reference, current))
    return np.asarray(np.sqrt(np.maximum(divergence / 2, 0.0)))


def critical_value(
    method: str,
    reference: pd.Series,
    current: pd.Series,
    categorical: bool,
    false_alarm_rate: float,
    simulations: int = 2_000,
) -> float | None:
    """The PSI or Jensen-Shannon distance that two samples of the reference's population, of
    these sizes, exceed with probability ``false_alarm_rate`` (None for other methods).

    Both samples are drawn ``simulations`` times from the reference's shares in Evidently's bins
    and the statistic computed as Evidently computes it (sparse bins included, which make it
    heavier-tailed than its chi-square limit); the tail beyond what the draws can reach comes
    from the chi-square law with their mean and variance. Seeded: the same data, the same value.
    Missing values left out, as Evidently leaves them out."""
    if method not in WINDOW_AWARE:
        return None
    reference, current = reference.dropna(), current.dropna()
    if reference.empty or current.empty:
        return 0.0
    kind = ColumnType.Categorical if categorical else ColumnType.Numerical
    shares, _ = get_binned_data(reference, current, kind, 30, feel_zeroes=False)  # Evidently's own bins
    if np.count_nonzero(shares) < 2:
        return 0.0
    m, n = len(reference), len(current)
    rng = np.random.default_rng(0)
    fill = method == "psi"
    drawn = _statistics(
        method,
        _evidently_shares(rng.multinomial(m, shares, size=simulations), m, fill),
        _evidently_shares(rng.multinomial(n, shares, size=simulations), n, fill),
    )
    if method == "jensenshannon":
        drawn = drawn**2  # the divergence is the one near a (scaled) chi-square
    mean, variance = float(drawn.mean()), float(drawn.var())
    if variance <= 0:
        return float(np.sqrt(mean) if method == "jensenshannon" else mean)
    scale, freedom = variance / (2 * mean), 2 * mean**2 / variance
    tail = scale * float(chi2.ppf(1 - false_alarm_rate, freedom))
    return float(np.sqrt(tail)) if method == "jensenshannon" else tail


def _summary(values: pd.Series, categorical: bool) -> float | None:
    present = values.dropna()
    if present.empty:
        return None
    if categorical:
        return float(present.value_counts(normalize=True).iloc[0])
    return float(present.astype(float).mean())


def _prepared(frame: pd.DataFrame, columns: list[str], categorical: set[str]) -> pd.DataFrame:
    """The columns typed for Evidently (categories as objects, numbers as floats), built at once."""
    data = {}
    for column in columns:
        values = frame[column].reset_index(drop=True) if column in frame else pd.Series([None] * len(frame))
        data[column] = values.astype(object) if column in categorical else pd.to_numeric(values, errors="coerce")
    return pd.DataFrame(data, index=range(len(frame)))


def compute_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    columns: list[str],
    settings: DriftSettings,
    importance: dict[str, float] | None = None,
    seed: int = 0,
) -> DriftResult:
    """``reference`` and ``current``: one row per applicant with (a subset of) ``columns``."""
    if len(reference) > settings.max_reference_rows:
        reference = reference.sample(settings.max_reference_rows, random_state=seed)
    columns = [c for c in columns if c in reference.columns or c in current.columns]
    kinds = {c: _kind(c, reference if c in reference.columns else current) for c in columns}
    categorical = {c for c, k in kinds.items() if k == "categorical" or c == "decision"}
    ref, cur = _prepared(reference, columns, categorical), _prepared(current, columns, categorical)
    total_importance = sum(importance.values()) if importance else 0.0

    checked, metrics, critical = [], [], {}
    for column in columns:
        if ref[column].notna().any() and cur[column].notna().any():
            method, threshold = _method(column, kinds[column], settings)
            critical[column] = critical_value(
                method, ref[column], cur[column], column in categorical, settings.false_alarm_rate
            )
            threshold = max(threshold, critical[column] or 0.0)  # the report draws the same verdict
            metrics.append(ValueDrift(column=column, method=method, threshold=threshold))
            checked.append(column)
    definition = DataDefinition(
        numerical_columns=[c for c in checked if c not in categorical],
        categorical_columns=[c for c in checked if c in categorical],
    )
    snapshot = Report(metrics).run(
        current_data=Dataset.from_pandas(cur[checked], data_definition=definition),
        reference_data=Dataset.from_pandas(ref[checked], data_definition=definition),
    )
    statistics = {
        m["config"]["column"]: float(m["value"]) for m in snapshot.dict()["metrics"] if "column" in m["config"]
    }

    results = []
    for column in columns:
        method, threshold = _method(column, kinds[column], settings)
        threshold = max(threshold, critical.get(column) or 0.0)
        statistic = statistics.get(column)
        if statistic is None:  # empty on one side: drifted if it has values on the other
            drifted = bool(ref[column].notna().any() or cur[column].notna().any())
        elif method in P_VALUE_METHODS:
            drifted = statistic < threshold
        else:
            drifted = statistic >= threshold
        if kinds[column] == "output":
            weight = 0.0
        elif total_importance:
            weight = (importance or {}).get(column, 0.0) / total_importance
        else:
            weight = 1.0 / sum(1 for k in kinds.values() if k != "output")
        is_categorical = column in categorical
        results.append(
            ColumnDrift(
                column,
                kinds[column],
                method,
                statistic,
                threshold,
                bool(drifted),
                weight,
                _summary(ref[column], is_categorical),
                _summary(cur[column], is_categorical),
                critical.get(column),
            )
        )
    inputs = [r for r in results if r.kind != "output"]
    drifted_importance = float(sum(r.importance for r in inputs if r.drifted))
    probability = next((r for r in results if r.column == "probability"), None)
    dataset_drift = (
        sum(r.drifted for r in inputs) >= settings.min_drifted_columns
        or drifted_importance >= settings.drift_share
        or bool(probability and probability.drifted)
    )
    return DriftResult(
        columns=results,
        dataset_drift=dataset_drift,
        drift_share=float(np.mean([r.drifted for r in inputs])) if inputs else 0.0,
        drifted_importance=drifted_importance,
        probability_drift=probability.statistic if probability else None,
        decision_rate_reference=_refused_share(reference),
        decision_rate_current=_refused_share(current),
        reference_rows=len(reference),
        current_rows=len(current),
        snapshot=snapshot,
    )


def _refused_share(frame: pd.DataFrame) -> float | None:
    if "decision" not in frame or frame["decision"].isna().all():
        return None
    return float((frame["decision"] == "refused").mean())
