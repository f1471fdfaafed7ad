"""Calibration and bootstrap figures, checked against scikit-learn and against cases whose answer is
known; isotonic calibration served by the compiled model and explained additively."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from credit_core.contracts.model_artifacts import Isotonic
from credit_core.explain import ShapExplainer
from credit_core.scoring import CompiledModel
from credit_core.uncertainty import (
    bootstrap_intervals,
    paired_cost_comparison,
    reliability,
    resample_weights,
    weighted_auc,
    weighted_cost_per_1000,
)
from fitted import Data, fitted, load
from pydantic import ValidationError
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import roc_auc_score

RNG = np.random.default_rng(7)


def _outcomes(n: int, bias: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities and outcomes drawn from them (calibrated when ``bias`` is 0), with ties."""
    p = np.round(RNG.beta(1.2, 12, n), 3)
    y = (RNG.random(n) < p).astype(int)
    return y, np.clip(p + bias, 0, 1)


def test_weighted_auc_equals_scikit_learn_with_sample_weights_ties_included() -> None:
    y, p = _outcomes(3_000)
    weights = resample_weights(len(y), 5, seed=1)
    expected = [roc_auc_score(y, p, sample_weight=w) for w in weights]
    assert np.allclose(weighted_auc(y, p, weights), expected, atol=1e-12)
    assert weighted_auc(y, p, np.ones(len(y)))[0] == pytest.approx(roc_auc_score(y, p), abs=1e-12)


def test_reliability_tells_a_calibrated_model_from_a_biased_one() -> None:
    y, p = _outcomes(20_000)
    calibrated, shifted = reliability(y, p), reliability(y, np.clip(p + 0.05, 0, 1))
    assert calibrated.ece < 0.01 and abs(calibrated.in_the_large) < 0.005
    assert shifted.ece == pytest.approx(0.05, abs=0.01) and shifted.in_the_large == pytest.approx(0.05, abs=0.005)
    assert sum(calibrated.counts) == len(y) and len(calibrated.counts) == 10


def test_bootstrap_intervals_hold_the_estimate_and_narrow_with_more_applicants() -> None:
    small_y, small_p = _outcomes(1_000)
    large_y, large_p = _outcomes(16_000)
    small = bootstrap_intervals(small_y, small_p, 0.15, resamples=400)
    large = bootstrap_intervals(large_y, large_p, 0.15, resamples=400)
    for figures in (small, large):
        for interval in figures.values():
            assert interval.low <= interval.estimate <= interval.high
    for name in ("auc", "cost_per_1000"):
        width = {k: f[name].high - f[name].low for k, f in (("small", small), ("large", large))}
        assert width["large"] < 0.5 * width["small"], (name, width)  # about 1 / sqrt(16) = 0.25
    refused = small_p >= 0.15
    expected = 1_000 * (10 * np.sum((small_y == 1) & ~refused) + np.sum((small_y == 0) & refused)) / len(small_y)
    assert small["cost_per_1000"].estimate == pytest.approx(expected)
    assert weighted_cost_per_1000(small_y, refused, np.ones(len(small_y)))[0] == pytest.approx(expected)


def test_the_paired_bootstrap_finds_a_real_difference_and_not_an_imagined_one() -> None:
    y, p = _outcomes(5_000)
    model = p >= 0.12
    same = paired_cost_comparison(y, model, model)
    assert same.difference.estimate == 0 and not same.better
    grant_all = paired_cost_comparison(y, np.zeros(len(y), bool), model)
    assert not grant_all.better and grant_all.share_better < 0.01
    assert paired_cost_comparison(y, model, np.zeros(len(y), bool)).better


# ---- isotonic calibration served ------------------------------------------------------------------
@pytest.fixture(scope="module")
def data(small_data: Path) -> Data:
    return load(small_data)


def test_isotonic_calibration_is_served_as_scikit_learn_predicts_it_and_explained_additively(
    data: Data, tmp_path: Path
) -> None:
    pipeline = fitted("lightgbm", data)
    raw = pipeline.predict_proba(data.x)[:, 1].astype(float)
    regression = IsotonicRegression(y_min=1e-4, y_max=1 - 1e-4, out_of_bounds="clip").fit(raw, data.y)
    isotonic = Isotonic(x=regression.X_thresholds_.tolist(), y=regression.y_thresholds_.tolist())
    CompiledModel.from_pipeline(pipeline, threshold=0.1, isotonic=isotonic).save(tmp_path)
    loaded = CompiledModel.load(tmp_path)
    assert loaded.calibration_method == "isotonic"
    served = loaded.probabilities(loaded.matrix(data.features))
    assert np.abs(served - regression.predict(raw)).max() <= 1e-12

    explainer = ShapExplainer.build(loaded)
    rows = data.features.head(20).to_dicts()
    for row in rows:
        attribution = explainer.explain(row)
        logit = np.log(attribution.probability / (1 - attribution.probability))
        assert attribution.base + sum(attribution.values.values()) == pytest.approx(logit, abs=1e-9)


def test_an_isotonic_map_that_is_not_a_calibration_is_refused() -> None:
    with pytest.raises(ValidationError, match="y must not decrease"):
        Isotonic(x=[0.1, 0.2], y=[0.3, 0.2])
    with pytest.raises(ValidationError, match="x must increase"):
        Isotonic(x=[0.2, 0.2], y=[0.1, 0.2])
    with pytest.raises(ValidationError, match="within"):
        Isotonic(x=[0.1, 0.2], y=[0.0, 0.2])
