"""The compiled model equals the fitted pipeline for every classifier family, one request at a time
and in batches, before and after its round trip through the registry files (data, no pickle)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from credit_core.contracts.model_artifacts import ModelSpec
from credit_core.loader import load_tables, request_bodies
from credit_core.scoring import BOOSTER_FILES, MODEL_FILE, CompiledModel, apply_platt, request_features
from fitted import FAMILIES, Data, fitted, load
from pydantic import ValidationError

CALIBRATION = (0.9, -0.1)


@pytest.fixture(scope="module")
def data(small_data: Path) -> Data:
    return load(small_data)


@pytest.fixture(scope="module")
def requests(small_data: Path) -> list[dict[str, object]]:
    """The first 150 applicants as the API receives them, with their history rows."""
    tables = load_tables(small_data)
    return request_bodies(tables.application.drop("TARGET").head(150), tables.history)


@pytest.mark.parametrize("family", FAMILIES)
def test_compiled_model_saved_and_loaded_equals_the_pipeline(
    data: Data, requests: list[dict[str, object]], tmp_path: Path, family: str
) -> None:
    # given a fitted pipeline, compiled, saved as files and loaded back
    pipeline = fitted(family, data)
    compiled = CompiledModel.from_pipeline(pipeline, threshold=0.1, calibration=CALIBRATION)
    written = compiled.save(tmp_path)
    loaded = CompiledModel.load(tmp_path)
    assert {p.name for p in written} <= {MODEL_FILE, *BOOSTER_FILES.values()}

    # when the same applicants are scored by the pipeline, in a batch and one request at a time
    ids = [int(body["application"]["SK_ID_CURR"]) for body in requests]  # type: ignore[index]
    rows = data.features.filter(pl.col("SK_ID_CURR").is_in(ids))
    expected = apply_platt(pipeline.predict_proba(data.x.iloc[: len(ids)])[:, 1].astype(float), CALIBRATION)
    batch = loaded.probabilities(loaded.matrix(rows))
    single = np.array(
        [
            loaded.probability_of(
                request_features(b["application"], {k: v for k, v in b.items() if k != "application"})[1]
            )  # type: ignore[arg-type]
            for b in requests
        ]
    )

    # then all agree to 1e-9, and the decision is the threshold's
    assert data.features.get_column("SK_ID_CURR").head(len(ids)).to_list() == ids
    assert np.abs(batch - expected).max() <= 1e-9
    assert np.abs(single - expected).max() <= 1e-9
    assert np.abs(compiled.probabilities(compiled.matrix(rows)) - batch).max() == 0
    assert loaded.decision(0.1) == "refused" and loaded.decision(0.0999) == "granted"
    assert len(loaded.column_sources) == loaded.matrix(rows.head(1)).shape[1]


def test_a_model_file_that_is_not_a_model_is_refused(data: Data, tmp_path: Path) -> None:
    CompiledModel.from_pipeline(fitted("logreg", data), threshold=0.1).save(tmp_path)
    spec = (tmp_path / MODEL_FILE).read_text()
    (tmp_path / MODEL_FILE).write_text(spec.replace('"kind": "linear"', '"kind": "pickle"'))
    with pytest.raises(ValidationError):
        CompiledModel.load(tmp_path)
    (tmp_path / MODEL_FILE).write_text(spec.replace('"format_version": 1', '"format_version": 2'))
    with pytest.raises(ValidationError):
        CompiledModel.load(tmp_path)


def test_the_booster_file_name_is_fixed_by_the_kind(data: Data, tmp_path: Path) -> None:
    CompiledModel.from_pipeline(fitted("lightgbm", data), threshold=0.1).save(tmp_path)
    spec = ModelSpec.model_validate_json((tmp_path / MODEL_FILE).read_text())
    moved = spec.model_copy(update={"classifier": spec.classifier.model_copy(update={"booster_file": "../x.txt"})})
    (tmp_path / MODEL_FILE).write_text(moved.model_dump_json())
    with pytest.raises(ValueError, match="unexpected booster file"):
        CompiledModel.load(tmp_path)
