"""The compiled single-application path equals the bundle's pipeline for every candidate family."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from credit_core.loader import load_tables
from credit_core.model import CreditModel
from credit_core.scoring import CompiledModel
from credit_trainer.candidates import make_candidate
from credit_trainer.training import Dataset, prepare


@pytest.fixture(scope="module")
def data(small_data: Path) -> Dataset:
    return prepare(load_tables(small_data), holdout=0.2, seed=0)


@pytest.fixture(scope="module")
def raw(small_data: Path) -> tuple[list[dict[str, object]], dict[str, pl.DataFrame]]:
    application = pl.read_parquet(small_data / "application_train.parquet").drop("TARGET").head(150)
    ids = application["SK_ID_CURR"].implode()
    bureau = pl.read_parquet(small_data / "bureau.parquet").filter(pl.col("SK_ID_CURR").is_in(ids))
    history = {"bureau": bureau}
    for name in ("previous_application", "POS_CASH_balance", "installments_payments", "credit_card_balance"):
        history[name] = pl.read_parquet(small_data / f"{name}.parquet").filter(pl.col("SK_ID_CURR").is_in(ids))
    history["bureau_balance"] = pl.read_parquet(small_data / "bureau_balance.parquet").filter(
        pl.col("SK_ID_BUREAU").is_in(bureau["SK_ID_BUREAU"].implode())
    )
    return application.to_dicts(), history


@pytest.mark.parametrize(
    ("family", "imbalance"),
    [
        ("lightgbm", "none"),
        ("lightgbm", "smote"),
        ("xgboost", "weights"),
        ("logreg", "none"),
        ("logreg", "smote"),
        ("dummy", "none"),
    ],
)
@pytest.mark.parametrize("with_history", [False, True], ids=["application only", "with history"])
def test_compiled_path_equals_the_pipeline(
    data: Dataset,
    raw: tuple[list[dict[str, object]], dict[str, pl.DataFrame]],
    family: str,
    imbalance: str,
    with_history: bool,
) -> None:
    # given a fitted bundle (calibrated, to exercise that step too) and its compiled form
    candidate = make_candidate(family, imbalance, "small", float(data.y.mean()), seed=0)
    candidate.pipeline.fit(data.x.iloc[data.train], data.y[data.train])
    bundle = CreditModel(candidate.pipeline, threshold=0.1, calibration=(0.9, -0.1))
    compiled = CompiledModel.compile(bundle)
    records, history = raw

    # when the same raw applicants are scored by the pipeline (batch) and one by one, compiled
    expected = bundle.score_raw(pl.DataFrame(records), history if with_history else None)["probability"].to_numpy()
    got = np.array(
        [
            compiled.probability(
                r,
                {
                    n: f.filter(pl.col("SK_ID_CURR") == r["SK_ID_CURR"])
                    for n, f in history.items()
                    if n != "bureau_balance"
                }
                | {"bureau_balance": history["bureau_balance"]}
                if with_history
                else None,
            )
            for r in records
        ]
    )

    # then they agree to 1e-9
    assert np.abs(got - expected).max() <= 1e-9
    assert compiled.decision(got[0]) == bundle.decide(expected[:1])[0]
