"""The classic scorecard as a candidate: ``optbinning``'s optimal binning of each characteristic
(monotonic for numeric fields), weight of evidence (WoE) per bin, the characteristics with the most
information value (IV) kept, then a logistic regression on their WoE, scaled to points.

The binning is fitted with optbinning and then held as data (:class:`BinnedBlock`): the fitted
pipeline transforms with the same code the compiled model serves with, so training and serving
cannot disagree. Points: ``score = BASE_SCORE`` at odds of ``BASE_ODDS`` good payers to one
defaulter, ``PDO`` more points double the odds; each characteristic's points are
``-factor * weight * WoE`` and the constant goes to the base points.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
from credit_core.catalogue import CATEGORICAL_FEATURES, feature_columns
from credit_core.contracts.model_artifacts import BinnedBlock, WoeVariable
from credit_core.scoring import woe_matrix
from sklearn.base import BaseEstimator, TransformerMixin

BASE_SCORE = 600.0
BASE_ODDS = 50.0  # good payers per defaulter at the base score
PDO = 20.0  # points to double the odds
CHARACTERISTICS = 20  # kept by information value
MIN_IV = 0.02  # below: "not predictive" in the usual scorecard reading


def _bins(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """optbinning's binning table: the bins, then Special, Missing and Totals, in that order."""
    rows = table.drop(index="Totals")
    return rows.iloc[:-2], rows.iloc[-1]


def _labels(variable: WoeVariable) -> list[str]:
    if variable.categories is not None:
        return [", ".join(levels) for levels in variable.categories]
    edges = [-math.inf, *(variable.splits or []), math.inf]
    return [f"[{a:,.4g}, {b:,.4g})" for a, b in itertools.pairwise(edges)]


class WoeBinning(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Optimal binning of every model feature but ``excluded``, the ``top`` by IV kept (at least
    ``min_iv``); transforms feature rows into their WoE (one column per kept characteristic)."""

    def __init__(self, top: int = CHARACTERISTICS, min_iv: float = MIN_IV, excluded: frozenset[str] = frozenset()):
        self.top = top
        self.min_iv = min_iv
        self.excluded = excluded

    def fit(self, X: pd.DataFrame, y: Any) -> WoeBinning:  # noqa: N803 (sklearn's name)
        from optbinning import BinningProcess

        # a field with fewer than two values seen (e.g. no applicant has a card history) cannot be binned
        names = [c for c in feature_columns() if c not in self.excluded and X[c].dropna().nunique() >= 2]
        categorical = [c for c in names if c in CATEGORICAL_FEATURES]
        process = BinningProcess(
            names,
            categorical_variables=categorical,
            binning_fit_params={c: {"monotonic_trend": "auto_asc_desc"} for c in names if c not in categorical},
            n_jobs=1,
        )
        process.fit(X[names], np.asarray(y))
        self.process_ = process  # optbinning's own fitted binning: its tables, and for comparison
        summary = process.summary().sort_values(["iv", "name"], ascending=[False, True])
        kept = [str(n) for n, iv in zip(summary["name"], summary["iv"], strict=True) if iv >= self.min_iv][: self.top]
        if not kept:  # nothing predictive: keep the best one, so that the model still has an input
            kept = [str(summary["name"].iloc[0])]
        self.iv_ = dict(zip(summary["name"].astype(str), summary["iv"].astype(float), strict=True))
        self.block_ = BinnedBlock(variables=[self._variable(process.get_binned_variable(n), n) for n in kept])
        return self

    @staticmethod
    def _variable(binning: Any, name: str) -> WoeVariable:
        bins, missing_row = _bins(binning.binning_table.build())
        woe, missing = [float(w) for w in bins["WoE"]], float(missing_row["WoE"])
        if binning.dtype == "categorical":
            return WoeVariable(
                column=name,
                categories=[[str(c) for c in group] for group in binning.splits],
                woe=woe,
                missing_woe=missing,
            )
        return WoeVariable(column=name, splits=[float(s) for s in binning.splits], woe=woe, missing_woe=missing)

    def transform(self, X: pd.DataFrame) -> np.ndarray:  # noqa: N803 (sklearn's name)
        columns = [v.column for v in self.block_.variables]
        frame = X[columns].copy()
        for column in columns:
            if column in CATEGORICAL_FEATURES:
                frame[column] = frame[column].astype(str)
        return woe_matrix(self.block_, pl.from_pandas(frame))

    def compiled_blocks(self) -> list[BinnedBlock]:
        """What :meth:`credit_core.scoring.CompiledModel.from_pipeline` serves."""
        return [self.block_]


def points_table(binning: WoeBinning, weights: np.ndarray, bias: float) -> pd.DataFrame:
    """The scorecard: for each kept characteristic and bin, its count, default rate, WoE and points;
    the base points (the constant) on a row of its own; the IV of each characteristic."""
    factor = PDO / math.log(2)
    offset = BASE_SCORE - factor * math.log(BASE_ODDS)
    rows = [
        {
            "characteristic": "(base points)",
            "bin": "",
            "count": None,
            "default_rate": None,
            "woe": None,
            "points": round(offset - factor * bias, 1),
            "iv": None,
        }
    ]
    for variable, weight in zip(binning.block_.variables, weights, strict=True):
        bins, missing = _bins(binning.process_.get_binned_variable(variable.column).binning_table.build())
        labels = [*_labels(variable), "Missing"]
        woes = [*variable.woe, variable.missing_woe]
        counts = [row for _, row in bins.iterrows()] + [missing]
        for label, woe, row in zip(labels, woes, counts, strict=True):
            rows.append(
                {
                    "characteristic": variable.column,
                    "bin": label,
                    "count": int(row["Count"]),
                    "default_rate": float(row["Event rate"]) if row["Count"] else None,
                    "woe": round(woe, 4),
                    "points": round(-factor * weight * woe, 1),
                    "iv": round(binning.iv_[variable.column], 4),
                }
            )
    return pd.DataFrame(rows)


def scorecard_of(estimator: Any) -> pd.DataFrame | None:
    """The points table of a fitted scorecard pipeline (None for any other model)."""
    binning, model = estimator.named_steps["prep"], estimator.named_steps["model"]
    if not isinstance(binning, WoeBinning):
        return None
    return points_table(binning, model.coef_[0], float(model.intercept_[0]))


def information_values(estimator: Any) -> dict[str, float] | None:
    """Information value of every field the scorecard binned (None for any other model)."""
    binning = estimator.named_steps["prep"]
    return dict(binning.iv_) if isinstance(binning, WoeBinning) else None
