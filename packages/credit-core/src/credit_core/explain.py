"""SHAP contributions of a compiled model, in log-odds: per applicant (the explainer service) and
averaged over a sample (global importance, logged by the trainer).

Tree models get exact TreeSHAP values from their native boosters (see :func:`column_explainer`);
linear models get linear SHAP against a background mean; constant models explain nothing. Columns
made by the preprocessing (missing indicators, one-hot levels) are summed back to the model feature
they come from. With Platt calibration the values are scaled by its slope, with isotonic calibration
by the ratio of the calibrated to the uncalibrated gap from the base, so that base value +
contributions = the log-odds of the reported probability.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from credit_core.catalogue import feature_catalogue, feature_columns
from credit_core.scoring import CompiledModel, apply_isotonic

ColumnExplainer = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def column_explainer(model: CompiledModel, background: np.ndarray | None = None) -> ColumnExplainer:
    """A function: model rows -> (contribution of each model column, base value), in raw
    log-odds, exact to float rounding: base + contributions = the model's log-odds.

    LightGBM computes TreeSHAP itself in double precision. XGBoost's own ``pred_contribs`` works
    in float32 (sums off by ~5e-6), so its trees go through shap's float64 TreeSHAP.
    Linear models: linear SHAP against ``background``, the mean model row (default: the rows' own
    mean). Built once per model: the tree parsing is not per request.
    """
    booster, classifier = model.booster, model.spec.classifier
    if classifier.kind == "lightgbm":

        def lightgbm(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            out = np.asarray(booster.predict(z, pred_contrib=True, num_threads=1), dtype=float)
            return out[:, :-1], out[:, -1]

        return lightgbm
    if classifier.kind == "xgboost":
        import shap
        import xgboost

        tree = shap.TreeExplainer(booster)
        # shap hands XGBoost models to XGBoost's own float32 pred_contribs; "internal" makes it
        # run its float64 TreeSHAP on the parsed trees instead (equal values to ~2e-7). The base
        # value is XGBoost's own expectation (shap's estimate from root nodes is off by ~0.006).
        tree.model.model_type = "internal"
        bias = booster.predict(xgboost.DMatrix(np.zeros((1, booster.num_features()))), pred_contribs=True)
        expected = float(bias[0, -1])

        def xgb(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            values = np.asarray(tree.shap_values(z, check_additivity=False), dtype=float)
            return values, np.full(len(z), expected)

        return xgb
    if classifier.kind == "linear":
        assert classifier.weights is not None and classifier.bias is not None
        weights, bias = np.asarray(classifier.weights, dtype=float), float(classifier.bias)

        def linear(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            mean = z.mean(axis=0) if background is None else background
            return (z - mean) * weights, np.full(len(z), bias + float(mean @ weights))

        return linear
    prior = float(classifier.prior or 0.5)
    return lambda z: (np.zeros_like(z, dtype=float), np.full(len(z), np.log(prior / (1 - prior))))


@dataclass(frozen=True)
class Attribution:
    """One applicant's explanation in log-odds: ``base + values.sum() == log_odds``."""

    probability: float  # as the scoring API computes it
    log_odds: float
    base: float
    values: dict[str, float]  # model feature -> contribution


@dataclass(frozen=True)
class ShapExplainer:
    """Built once per model version: the compiled model plus what SHAP needs."""

    compiled: CompiledModel
    explain_columns: ColumnExplainer
    source_index: np.ndarray  # model feature position of each model column

    @classmethod
    def build(cls, compiled: CompiledModel, reference: pl.DataFrame | None = None) -> ShapExplainer:
        """``reference``: feature rows the linear explanation is taken against (their mean)."""
        position = {name: i for i, name in enumerate(feature_columns())}
        background = None
        if compiled.kind == "linear" and reference is not None:
            background = compiled.matrix(reference).mean(axis=0)
        index = np.array([position[s] for s in compiled.column_sources])
        return cls(compiled, column_explainer(compiled, background), index)

    def explain(self, features: Mapping[str, Any]) -> Attribution:
        z = self.compiled.row(features)[None, :]
        columns, base = self.explain_columns(z)
        per_feature = np.bincount(self.source_index, weights=columns[0], minlength=len(feature_columns())).astype(float)
        raw_base = float(base[0])
        probability = float(self.compiled.probabilities(z)[0])
        if self.compiled.calibration is not None:
            a, b = self.compiled.calibration
            per_feature, raw_base = a * per_feature, a * raw_base + b
        elif self.compiled.spec.isotonic is not None:
            # a step function has no slope: the base goes through the calibration and the
            # contributions are scaled so that they still add up to the reported log-odds
            base_p = float(apply_isotonic(np.array([_sigmoid(raw_base)]), self.compiled.spec.isotonic)[0])
            total, calibrated_base = float(per_feature.sum()), _logit(base_p)
            per_feature = per_feature * ((_logit(probability) - calibrated_base) / total if total else 1.0)
            raw_base = calibrated_base
        return Attribution(
            probability=probability,
            log_odds=raw_base + float(per_feature.sum()),
            base=raw_base,
            values=dict(zip(feature_columns(), per_feature.tolist(), strict=True)),
        )


def _sigmoid(z: float) -> float:
    return float(1.0 / (1.0 + np.exp(-z)))


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def _gain(model: CompiledModel, z_std: np.ndarray) -> np.ndarray:
    booster, classifier = model.booster, model.spec.classifier
    if classifier.kind == "lightgbm":
        return np.asarray(booster.feature_importance("gain"), dtype=float)
    if classifier.kind == "xgboost":
        scores = booster.get_score(importance_type="total_gain")
        return np.array([scores.get(f"f{i}", 0.0) for i in range(len(z_std))])
    if classifier.kind == "linear":
        return np.asarray(np.abs(np.asarray(classifier.weights)) * z_std)  # standardised coefficient
    return np.zeros(len(z_std))


def global_importance(model: CompiledModel, features: pl.DataFrame) -> pd.DataFrame:
    """One row per model feature: gain, mean |SHAP|, label and group, sorted by mean |SHAP|.

    ``features``: feature rows (output of ``build_features``).
    """
    z = model.matrix(features)
    values, _ = column_explainer(model)(z)
    sources = model.column_sources
    per_column = pd.DataFrame({"feature": sources, "gain": _gain(model, z.std(axis=0))})
    shap_by_feature = pd.DataFrame(values).T.groupby(np.asarray(sources)).sum().T.abs().mean()
    table = per_column.groupby("feature", as_index=False)["gain"].sum()
    table["mean_abs_shap"] = table["feature"].map(shap_by_feature).fillna(0.0)
    catalogue = {row["name"]: row for row in feature_catalogue()}
    table["label"] = table["feature"].map(lambda f: catalogue[f]["description"])
    table["group"] = table["feature"].map(lambda f: catalogue[f]["group"])
    table["table"] = table["feature"].map(lambda f: catalogue[f]["table"])
    return table.sort_values(["mean_abs_shap", "gain"], ascending=False, ignore_index=True)
