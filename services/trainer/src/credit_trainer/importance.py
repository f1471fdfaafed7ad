"""Global importance of a fitted candidate, per model input feature: gain (or standardised
coefficients) and mean |SHAP| (exact TreeSHAP contributions from LightGBM / XGBoost themselves,
linear SHAP for logistic regression). One-hot columns are summed back to their field."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from credit_core.features import CATEGORICAL_FEATURES, feature_catalogue

from credit_trainer.candidates import NUMERIC_FEATURES

_INDICATOR = "missingindicator_"


def _source(column: str) -> str:
    """The model feature a transformed column comes from."""
    if column in NUMERIC_FEATURES:
        return column
    if column.startswith(_INDICATOR):
        return column.removeprefix(_INDICATOR)
    matches = [c for c in CATEGORICAL_FEATURES if column.startswith(f"{c}_")]
    return max(matches, key=len)


def contributions(model: Any, z: np.ndarray) -> np.ndarray:
    """Per-row contributions in log-odds of each transformed column (without the bias term)."""
    kind = type(model).__name__
    if kind == "LGBMClassifier":
        values = model.booster_.predict(z, pred_contrib=True)[:, :-1]
    elif kind == "XGBClassifier":
        import xgboost

        values = model.get_booster().predict(xgboost.DMatrix(z), pred_contribs=True)[:, :-1]
    elif kind == "LogisticRegression":
        values = (z - z.mean(axis=0)) * model.coef_[0]
    else:
        values = np.zeros_like(z)
    return np.asarray(values)


def _gain(model: Any, z_std: np.ndarray) -> np.ndarray:
    kind = type(model).__name__
    if kind == "LGBMClassifier":
        return np.asarray(model.booster_.feature_importance("gain"), dtype=float)
    if kind == "XGBClassifier":
        scores = model.get_booster().get_score(importance_type="total_gain")
        return np.array([scores.get(f"f{i}", 0.0) for i in range(len(z_std))])
    if kind == "LogisticRegression":
        return np.abs(model.coef_[0]) * z_std  # standardised coefficient
    return np.zeros(len(z_std))


def global_importance(estimator: Any, frame: pd.DataFrame) -> pd.DataFrame:
    """One row per model feature: gain, mean |SHAP|, label and group, sorted by mean |SHAP|."""
    prep, model = estimator.named_steps["prep"], estimator.named_steps["model"]
    z = np.asarray(prep.transform(frame), dtype=float)
    names = list(prep.get_feature_names_out())
    values = contributions(model, z)
    sources = [_source(n) for n in names]
    per_column = pd.DataFrame({"feature": sources, "gain": _gain(model, z.std(axis=0))})
    shap_by_feature = pd.DataFrame(values, columns=names).T.groupby(sources).sum().T.abs().mean()
    table = per_column.groupby("feature", as_index=False)["gain"].sum()
    table["mean_abs_shap"] = table["feature"].map(shap_by_feature).fillna(0.0)
    catalogue = {row["name"]: row for row in feature_catalogue()}
    table["label"] = table["feature"].map(lambda f: catalogue[f]["description"])
    table["group"] = table["feature"].map(lambda f: catalogue[f]["group"])
    table["table"] = table["feature"].map(lambda f: catalogue[f]["table"])
    return table.sort_values(["mean_abs_shap", "gain"], ascending=False, ignore_index=True)
