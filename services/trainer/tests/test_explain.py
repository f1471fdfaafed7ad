"""Per-applicant SHAP of every candidate family adds up to the model's own log-odds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from credit_core.explain import ShapExplainer, global_importance
from credit_core.features import feature_columns
from credit_core.loader import load_tables
from credit_core.model import CreditModel
from credit_core.scoring import CompiledModel
from credit_trainer.candidates import make_candidate
from credit_trainer.training import Dataset, prepare


@pytest.fixture(scope="module")
def data(small_data: Path) -> Dataset:
    return prepare(load_tables(small_data), holdout=0.2, seed=0)


def _raw_log_odds(estimator: object, frame: object) -> np.ndarray:
    """The fitted pipeline's own log-odds (float64 wherever the library gives it)."""
    prep, model = estimator.named_steps["prep"], estimator.named_steps["model"]  # type: ignore[attr-defined]
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


@pytest.mark.parametrize(
    ("family", "imbalance"),
    [("lightgbm", "none"), ("lightgbm", "smote"), ("xgboost", "weights"), ("logreg", "none"), ("dummy", "none")],
)
def test_base_plus_contributions_is_the_log_odds(data: Dataset, family: str, imbalance: str) -> None:
    # given a fitted, calibrated bundle and its explainer (background: the training rows)
    candidate = make_candidate(family, imbalance, "small", float(data.y.mean()), seed=0)
    candidate.pipeline.fit(data.x.iloc[data.train], data.y[data.train])
    a, b = 0.9, -0.1
    bundle = CreditModel(candidate.pipeline, threshold=0.1, calibration=(a, b))
    compiled = CompiledModel.compile(bundle)
    explainer = ShapExplainer.build(bundle, compiled, data.x.iloc[data.train])
    rows = data.features[data.holdout[:100].tolist()].drop("SK_ID_CURR").to_dicts()

    # when each hold-out applicant is explained
    attributions = [explainer.explain(r) for r in rows]

    # then base + contributions = the calibrated log-odds of the pipeline, and the probability is the fast path's
    expected = a * _raw_log_odds(candidate.pipeline, data.x.iloc[data.holdout[:100]]) + b
    got = np.array([x.base + sum(x.values.values()) for x in attributions])
    assert np.abs(got - expected).max() <= 1e-6
    assert [x.probability for x in attributions] == [compiled.probability_of(r) for r in rows]
    assert all(set(x.values) == set(feature_columns()) for x in attributions)
    if family == "dummy":
        assert all(v == 0 for x in attributions for v in x.values.values())
    else:
        assert max(abs(v) for v in attributions[0].values.values()) > 0


def test_global_importance_ranks_features_by_mean_absolute_shap(data: Dataset) -> None:
    candidate = make_candidate("lightgbm", "none", "small", float(data.y.mean()), seed=0)
    candidate.pipeline.fit(data.x.iloc[data.train], data.y[data.train])
    table = global_importance(candidate.pipeline, data.x.iloc[data.holdout])
    assert len(table) == len(feature_columns())
    assert table["mean_abs_shap"].is_monotonic_decreasing and table["mean_abs_shap"].iloc[0] > 0
    assert {"label", "group", "table", "gain"} <= set(table.columns)
