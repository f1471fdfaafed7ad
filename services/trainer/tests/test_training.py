from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import polars as pl
import pytest
from credit_core.catalogue import NUMERIC_FEATURES
from credit_core.loader import load_tables
from credit_trainer.candidates import make_candidate
from credit_trainer.cli import app
from credit_trainer.training import TrainingDataError, fit_candidate, prepare
from imblearn.over_sampling import SMOTE
from typer.testing import CliRunner

runner = CliRunner()


class SpySMOTE(SMOTE):
    """SMOTE that records the incomes of the rows it is given to resample."""

    seen: ClassVar[list[set[float]]] = []
    income_column: ClassVar[int] = -1

    def fit_resample(self, X: Any, y: Any, **params: Any) -> Any:  # noqa: N803 (sklearn's name)
        SpySMOTE.seen.append(set(np.asarray(X)[:, SpySMOTE.income_column].tolist()))
        return super().fit_resample(X, y, **params)


def test_smote_only_ever_sees_training_fold_rows(small_data: Path) -> None:
    # given applicants whose income is unique, so that every row can be recognised after preprocessing
    data = prepare(load_tables(small_data), holdout=0.2, seed=0)
    data.x["AMT_INCOME_TOTAL"] = 1_000_000.0 + np.arange(len(data.x))
    incomes = data.x["AMT_INCOME_TOTAL"].to_numpy()
    train, holdout = set(incomes[data.train].tolist()), set(incomes[data.holdout].tolist())
    candidate = make_candidate("lightgbm", "smote", "small", float(data.y.mean()), seed=0)
    SpySMOTE.income_column = NUMERIC_FEATURES.index("AMT_INCOME_TOTAL")
    SpySMOTE.seen = []
    candidate.pipeline.set_params(smote=SpySMOTE(random_state=0))

    # when the candidate is tuned (grid search), given its out-of-fold threshold and refitted
    fit_candidate(candidate, data, folds=3, seed=0)

    # then SMOTE never saw a hold-out row, and saw whole training rows only once (the refit):
    # every other call got a training fold, never the fold being validated
    grid = 2
    assert len(SpySMOTE.seen) == grid * 3 + 1 + 3
    assert all(not (rows & holdout) for rows in SpySMOTE.seen)
    assert all(rows <= train for rows in SpySMOTE.seen)
    fold_calls = [rows for rows in SpySMOTE.seen if rows != train]
    assert len(fold_calls) == grid * 3 + 3
    assert all(len(rows) < 0.7 * len(train) for rows in fold_calls)


def _write(frame: pl.DataFrame, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    frame.write_csv(folder / "application_train.csv")
    return folder


@pytest.fixture(scope="module")
def application(small_data: Path) -> pl.DataFrame:
    return pl.read_parquet(small_data / "application_train.parquet")


def test_refuses_a_single_class(application: pl.DataFrame, tmp_path: Path) -> None:
    folder = _write(application.with_columns(pl.lit(0).alias("TARGET")), tmp_path / "one-class")
    result = runner.invoke(app, ["train", "--data", str(folder)])
    assert result.exit_code == 2
    assert "TARGET has a single class (0)" in result.output


def test_refuses_ten_rows(application: pl.DataFrame, tmp_path: Path) -> None:
    folder = _write(application.head(10), tmp_path / "ten")
    result = runner.invoke(app, ["train", "--data", str(folder)])
    assert result.exit_code == 2
    assert "only 10 applicants with a TARGET; training needs at least 100" in result.output


def test_refuses_data_without_target(application: pl.DataFrame, tmp_path: Path) -> None:
    folder = _write(application.drop("TARGET"), tmp_path / "no-target")
    result = runner.invoke(app, ["train", "--data", str(folder)])
    assert result.exit_code == 2
    assert "application_train.csv: column TARGET: required column is missing" in result.output


def test_refuses_an_empty_file(tmp_path: Path) -> None:
    (tmp_path / "application_train.csv").write_text("")
    result = runner.invoke(app, ["train", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert "application_train.csv: the file is empty" in result.output


def test_prepare_refuses_too_few_defaulters(application: pl.DataFrame) -> None:
    from credit_core.loader import RawTables

    few = (
        application.sort("TARGET")
        .head(300)
        .with_columns(pl.when(pl.int_range(pl.len()) < 5).then(1).otherwise(0).alias("TARGET"))
    )
    with pytest.raises(TrainingDataError, match="only 5 defaulters"):
        prepare(RawTables(application=few), holdout=0.2, seed=0)


def test_unknown_candidate_options_are_refused(small_data: Path) -> None:
    result = runner.invoke(app, ["train", "--data", str(small_data), "--models", "lightgbm,catboost"])
    assert result.exit_code == 2
    assert "catboost" in result.output and "--models" in result.output
