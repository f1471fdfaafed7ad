"""SHAP contributions of a model bundle, in log-odds: per applicant (the explainer service) and
averaged over a sample (global importance, logged by the trainer).

Tree models get exact TreeSHAP values (see :func:`column_explainer`); logistic regression gets
linear SHAP against a background mean; the dummy model explains nothing. Columns made by the preprocessing (missing indicators, one-hot levels)
are summed back to the model feature they come from. With Platt calibration the values are
scaled by its slope, so that base value + contributions = the log-odds of the reported
probability.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from credit_core.features import CATEGORICAL_FEATURES, NUMERIC_FEATURES, feature_catalogue, feature_columns
from credit_core.model import CreditModel
from credit_core.scoring import CompiledModel

_INDICATOR = "missingindicator_"


def column_sources(names: list[str]) -> list[str]:
    """The model feature each transformed column comes from."""
    sources = []
    for column in names:
        if column in NUMERIC_FEATURES:
            sources.append(column)
        elif column.startswith(_INDICATOR):
            sources.append(column.removeprefix(_INDICATOR))
        else:
            sources.append(max((c for c in CATEGORICAL_FEATURES if column.startswith(f"{c}_")), key=len))
    return sources


ColumnExplainer = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def column_explainer(model: Any, background: np.ndarray | None = None) -> ColumnExplainer:
    """A function: model rows -> (contribution of each transformed column, base value), in raw
    log-odds, exact to float rounding: base + contributions = the model's log-odds.

    LightGBM computes TreeSHAP itself in double precision. XGBoost's own ``pred_contribs`` works
    in float32 (sums off by ~5e-6), so its trees go through shap's float64 TreeSHAP.
    Logistic regression: linear SHAP against ``background``, the mean model row (default: the
    rows' own mean). Built once per model: the tree parsing is not per request.
    """
    kind = type(model).__name__
    if kind == "LGBMClassifier":
        booster = model.booster_

        def lightgbm(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            out = np.asarray(booster.predict(z, pred_contrib=True, num_threads=1), dtype=float)
            return out[:, :-1], out[:, -1]

        return lightgbm
    if kind == "XGBClassifier":
        import shap
        import xgboost

        tree = shap.TreeExplainer(model)
        # shap hands XGBoost models to XGBoost's own float32 pred_contribs; "internal" makes it
        # run its float64 TreeSHAP on the parsed trees instead (equal values to ~2e-7). The base
        # value is XGBoost's own expectation (shap's estimate from root nodes is off by ~0.006).
        tree.model.model_type = "internal"
        width = model.get_booster().num_features()
        bias = model.get_booster().predict(xgboost.DMatrix(np.zeros((1, width))), pred_contribs=True)
        expected = float(bias[0, -1])

        def xgb(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            values = np.asarray(tree.shap_values(z, check_additivity=False), dtype=float)
            return values, np.full(len(z), expected)

        return xgb
    if kind == "LogisticRegression":
        weights, bias = model.coef_[0].astype(float), float(model.intercept_[0])

        def linear(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            mean = z.mean(axis=0) if background is None else background
            return (z - mean) * weights, np.full(len(z), bias + float(mean @ weights))

        return linear
    if kind == "DummyClassifier":
        prior = float(model.class_prior_[1])
        return lambda z: (np.zeros_like(z, dtype=float), np.full(len(z), np.log(prior / (1 - prior))))
    raise TypeError(f"cannot explain a {kind}")


@dataclass(frozen=True)
class Attribution:
    """One applicant's explanation in log-odds: ``base + values.sum() == log_odds``."""

    probability: float  # as the scoring API computes it
    log_odds: float
    base: float
    values: dict[str, float]  # model feature -> contribution


@dataclass(frozen=True)
class ShapExplainer:
    """Built once per model version: the compiled fast path plus what SHAP needs."""

    compiled: CompiledModel
    explain_columns: ColumnExplainer
    source_index: np.ndarray  # model feature position of each transformed column
    calibration: tuple[float, float] | None

    @classmethod
    def build(
        cls, bundle: CreditModel, compiled: CompiledModel, reference: pd.DataFrame | None = None
    ) -> ShapExplainer:
        """``reference``: feature rows (``model_frame``) the linear explanation is taken against."""
        prep, model = bundle.estimator.named_steps["prep"], bundle.estimator.named_steps["model"]
        position = {name: i for i, name in enumerate(feature_columns())}
        sources = column_sources(list(prep.get_feature_names_out()))
        background = None
        if type(model).__name__ == "LogisticRegression" and reference is not None:
            background = np.asarray(prep.transform(reference), dtype=float).mean(axis=0)
        index = np.array([position[s] for s in sources])
        return cls(compiled, column_explainer(model, background), index, bundle.calibration)

    def explain(self, features: Mapping[str, Any]) -> Attribution:
        z = self.compiled.row(features)[None, :]
        columns, base = self.explain_columns(z)
        per_feature = np.bincount(self.source_index, weights=columns[0], minlength=len(feature_columns())).astype(float)
        raw_base = float(base[0])
        if self.calibration is not None:
            a, b = self.calibration
            per_feature, raw_base = a * per_feature, a * raw_base + b
        return Attribution(
            probability=float(self.compiled.probabilities(z)[0]),
            log_odds=raw_base + float(per_feature.sum()),
            base=raw_base,
            values=dict(zip(feature_columns(), per_feature.tolist(), strict=True)),
        )


def _gain(model: Any, z_std: np.ndarray) -> np.ndarray:
    kind = type(model).__name__
    if kind == "LGBMClassifier":
        return np.asarray(model.booster_.feature_importance("gain"), dtype=float)
    if kind == "XGBClassifier":
        scores = model.get_booster().get_score(importance_type="total_gain")
        return np.array([scores.get(f"f{i}", 0.0) for i in range(len(z_std))])
    if kind == "LogisticRegression":
        return np.asarray(np.abs(model.coef_[0]) * z_std)  # standardised coefficient
    return np.zeros(len(z_std))


def global_importance(estimator: Any, frame: pd.DataFrame) -> pd.DataFrame:
    """One row per model feature: gain, mean |SHAP|, label and group, sorted by mean |SHAP|.

    ``frame``: feature rows as :func:`credit_core.model.model_frame` makes them.
    """
    prep, model = estimator.named_steps["prep"], estimator.named_steps["model"]
    z = np.asarray(prep.transform(frame), dtype=float)
    names = list(prep.get_feature_names_out())
    values, _ = column_explainer(model)(z)
    sources = column_sources(names)
    per_column = pd.DataFrame({"feature": sources, "gain": _gain(model, z.std(axis=0))})
    shap_by_feature = pd.DataFrame(values, columns=names).T.groupby(sources).sum().T.abs().mean()
    table = per_column.groupby("feature", as_index=False)["gain"].sum()
    table["mean_abs_shap"] = table["feature"].map(shap_by_feature).fillna(0.0)
    catalogue = {row["name"]: row for row in feature_catalogue()}
    table["label"] = table["feature"].map(lambda f: catalogue[f]["description"])
    table["group"] = table["feature"].map(lambda f: catalogue[f]["group"])
    table["table"] = table["feature"].map(lambda f: catalogue[f]["table"])
    return table.sort_values(["mean_abs_shap", "gain"], ascending=False, ignore_index=True)
