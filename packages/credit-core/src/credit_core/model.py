"""The model bundle: feature code + preprocessing + classifier + threshold + metadata.

A :class:`CreditModel` turns raw application rows (and optional history tables) into a
probability of default and a decision. The feature code is ``credit_core.features``, so the
registered model computes features exactly as training did; the threshold travels with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from credit_core.features import CATEGORICAL_FEATURES, build_features, feature_columns
from credit_core.loader import conform
from credit_core.schema import APPLICATION_TEST, HISTORY_TABLES

MISSING_CATEGORY = "missing"
GRANTED, REFUSED = "granted", "refused"


def model_frame(features: pl.DataFrame) -> Any:
    """Polars feature rows -> the pandas frame the preprocessing expects.

    Categorical text gets an explicit "missing" level and object dtype (pandas 3 reads text as
    ``str``, and the one-hot encoder cannot handle a missing value in a one-row ``str`` column).
    """
    frame = features.select(
        *(
            pl.col(c).fill_null(MISSING_CATEGORY) if c in CATEGORICAL_FEATURES else pl.col(c).cast(pl.Float64)
            for c in feature_columns()
        )
    ).to_pandas()
    for column in CATEGORICAL_FEATURES:
        frame[column] = frame[column].astype(object)
    return frame


def apply_platt(probability: np.ndarray, calibration: tuple[float, float]) -> np.ndarray:
    """Platt scaling on the log-odds: sigmoid(a * logit(p) + b)."""
    a, b = calibration
    clipped = np.clip(probability, 1e-12, 1 - 1e-12)
    return np.asarray(1.0 / (1.0 + np.exp(-(a * np.log(clipped / (1 - clipped)) + b))))


@dataclass
class CreditModel:
    """A fitted credit-default model with its decision threshold."""

    estimator: Any  # fitted sklearn / imblearn pipeline: model_frame -> predict_proba
    threshold: float
    calibration: tuple[float, float] | None = None  # Platt scaling on the log-odds: sigmoid(a * z + b)
    metadata: dict[str, Any] = field(default_factory=dict)

    def predict_proba_features(self, features: pl.DataFrame) -> np.ndarray:
        """Probability of default for feature rows (output of ``build_features``)."""
        probability = np.asarray(self.estimator.predict_proba(model_frame(features))[:, 1], dtype=float)
        return self.calibrate(probability)

    def calibrate(self, probability: np.ndarray) -> np.ndarray:
        return probability if self.calibration is None else apply_platt(probability, self.calibration)

    def decide(self, probability: np.ndarray) -> np.ndarray:
        return np.where(probability >= self.threshold, REFUSED, GRANTED)

    def score(
        self, application: pl.DataFrame, history: Mapping[str, pl.DataFrame | None] | None = None
    ) -> pl.DataFrame:
        """Raw (cleaned) application rows + history tables -> id, probability, decision, threshold."""
        features = build_features(application, history)
        probability = self.predict_proba_features(features)
        return pl.DataFrame(
            {
                "SK_ID_CURR": features.get_column("SK_ID_CURR"),
                "probability": probability,
                "decision": self.decide(probability),
                "threshold": np.full(len(probability), self.threshold),
            }
        )

    def score_raw(self, application: Any, history: Mapping[str, Any] | None = None) -> pl.DataFrame:
        """Like :meth:`score` for raw rows as given by a client (pandas or polars, any subset of
        columns, sentinels and codes as in the files)."""
        frame = application if isinstance(application, pl.DataFrame) else pl.from_pandas(application)
        return self.score(conform(frame, APPLICATION_TEST), clean_history(history))


def clean_history(history: Mapping[str, Any] | None) -> dict[str, pl.DataFrame]:
    """Raw history tables (pandas or polars, any subset of columns) -> cleaned, typed frames."""
    tables = {}
    for name, rows in (history or {}).items():
        if rows is not None and name in HISTORY_TABLES:
            frame = rows if isinstance(rows, pl.DataFrame) else pl.from_pandas(rows)
            tables[name] = conform(frame, HISTORY_TABLES[name])
    return tables
