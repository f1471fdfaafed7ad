"""Per-applicant SHAP of every classifier family adds up to the model's own log-odds, from the
compiled model loaded from its files; global importance ranks features by mean |SHAP|."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from credit_core.catalogue import feature_columns
from credit_core.explain import ShapExplainer, global_importance
from credit_core.scoring import CompiledModel
from fitted import FAMILIES, Data, fitted, load


@pytest.fixture(scope="module")
def data(small_data: Path) -> Data:
    return load(small_data)


def _raw_log_odds(pipeline: Any, frame: Any) -> np.ndarray:
    """The fitted pipeline's own log-odds (float64 wherever the library gives it)."""
    prep, model = pipeline.named_steps["prep"], pipeline.named_steps["model"]
    z = np.asarray(prep.transform(frame), dtype=float)
    kind = type(model).__name__
    if kind == "LGBMClassifier":
        return np.asarray(model.booster_.predict(z, raw_score=True))
    if kind == "XGBClassifier":
        import shap

        return np.asarray(shap.TreeExplainer(model).model.predict(z))  # the trees summed in float64
    if kind == "LogisticRegression":
        return np.asarray(model.decision_function(z))
    p = model.predict_proba(z)[:, 1]
    return np.log(p / (1 - p))


@pytest.mark.parametrize("family", FAMILIES)
def test_base_plus_contributions_is_the_log_odds(data: Data, tmp_path: Path, family: str) -> None:
    # given a fitted, calibrated model loaded from its files, and its explainer (background: all rows)
    pipeline = fitted(family, data)
    a, b = 0.9, -0.1
    CompiledModel.from_pipeline(pipeline, threshold=0.1, calibration=(a, b)).save(tmp_path)
    compiled = CompiledModel.load(tmp_path)
    explainer = ShapExplainer.build(compiled, data.features)
    rows = data.features.head(100).drop("SK_ID_CURR").to_dicts()

    # when each applicant is explained
    attributions = [explainer.explain(r) for r in rows]

    # then base + contributions = the calibrated log-odds of the pipeline, and the probability is the fast path's
    expected = a * _raw_log_odds(pipeline, data.x.iloc[:100]) + b
    got = np.array([x.base + sum(x.values.values()) for x in attributions])
    assert np.abs(got - expected).max() <= 1e-6
    assert [x.probability for x in attributions] == [compiled.probability_of(r) for r in rows]
    assert all(set(x.values) == set(feature_columns()) for x in attributions)
    if family == "dummy":
        assert all(v == 0 for x in attributions for v in x.values.values())
    else:
        assert max(abs(v) for v in attributions[0].values.values()) > 0


def test_global_importance_ranks_features_by_mean_absolute_shap(data: Data) -> None:
    compiled = CompiledModel.from_pipeline(fitted("lightgbm", data), threshold=0.1)
    table = global_importance(compiled, data.features.head(500))
    assert len(table) == len(feature_columns())
    assert table["mean_abs_shap"].is_monotonic_decreasing and table["mean_abs_shap"].iloc[0] > 0
    assert {"label", "group", "table", "gain"} <= set(table.columns)
