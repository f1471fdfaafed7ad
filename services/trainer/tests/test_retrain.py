"""Labelled decisions added to the training data (credit_trainer.retrain.with_labelled): a stored
applicant keeps the history the data holds, one already labelled is not added twice, a new
application gets a number of its own with the history it was sent, less rows whose ids the data
already uses."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from credit_core.contracts.retrain import LabelledDecision
from credit_core.features import build_features
from credit_core.loader import load_tables
from credit_trainer.retrain import with_labelled


def _decision(
    application: dict, applicant: int | None, defaulted: bool, history: dict | None = None
) -> LabelledDecision:
    return LabelledDecision(
        request_id=f"r-{applicant}",
        applicant_id=applicant,
        scored_at=datetime.now(UTC),
        defaulted=defaulted,
        application=application,
        history=history or {},
    )


def test_labelled_decisions_become_training_applicants(synthetic: Path) -> None:
    tables = load_tables(synthetic)
    test = pl.read_parquet(synthetic / "application_test.parquet")
    stored = test.row(0, named=True)  # a stored applicant: its history is in the data
    trained = tables.application.row(0, named=True)  # already a training applicant, labelled there
    bureau = tables.history["bureau"]
    taken = int(bureau["SK_ID_BUREAU"][0])
    new_application = {k: v for k, v in stored.items() if k != "SK_ID_CURR"}
    sent = {
        "bureau": [
            {"SK_ID_CURR": 1, "SK_ID_BUREAU": taken, "CREDIT_ACTIVE": "Active"},  # an id the data has: dropped
            {"SK_ID_CURR": 1, "SK_ID_BUREAU": 9_900_000, "CREDIT_ACTIVE": "Closed", "DAYS_CREDIT": -400},
        ],
        "bureau_balance": [{"SK_ID_BUREAU": 9_900_000, "MONTHS_BALANCE": -1, "STATUS": "C"}],
    }
    decisions = [
        _decision(stored, stored["SK_ID_CURR"], True),
        _decision(trained, trained["SK_ID_CURR"], False),
        _decision(new_application, None, True, sent),
    ]
    enlarged, added = with_labelled(tables, decisions)

    assert added == 2 and enlarged.application.height == tables.application.height + 2
    new_rows = enlarged.application.tail(2)
    assert new_rows["SK_ID_CURR"][0] == stored["SK_ID_CURR"] and new_rows["TARGET"].to_list() == [1, 1]
    new_id = int(new_rows["SK_ID_CURR"][1])
    assert new_id > max(tables.application["SK_ID_CURR"].max(), test["SK_ID_CURR"].max())  # type: ignore[operator]
    # the stored applicant's history is the data's, not repeated; the new one's is what was sent, less the taken id
    assert enlarged.history["bureau"].height == bureau.height + 1
    added_bureau = enlarged.history["bureau"].filter(pl.col("SK_ID_CURR") == new_id)
    assert added_bureau["SK_ID_BUREAU"].to_list() == [9_900_000]
    assert enlarged.history["bureau_balance"].height == tables.history["bureau_balance"].height + 1
    # and the features are built for them as for any applicant
    features = build_features(enlarged.application.tail(2), enlarged.history)
    assert features.height == 2 and features.filter(pl.col("SK_ID_CURR") == new_id)["BUREAU_COUNT"].to_list() == [1]
    assert with_labelled(tables, []) == (tables, 0)
