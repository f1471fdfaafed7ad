from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from credit_core.catalogue import feature_catalogue, feature_columns
from credit_core.features import applicant_features, build_features, with_application
from credit_core.loader import RawTables, clean_record, conform, load_tables
from credit_core.schema import TABLES


@pytest.fixture(scope="module")
def synthetic(synthetic_dir: Path) -> RawTables:
    return load_tables(synthetic_dir)


@pytest.fixture(scope="module")
def batch(synthetic: RawTables) -> pl.DataFrame:
    return build_features(synthetic.applications, synthetic.history)


def _history_of(tables: RawTables, applicant: int) -> dict[str, pl.DataFrame]:
    bureau_ids = tables.history["bureau"].filter(pl.col("SK_ID_CURR") == applicant).get_column("SK_ID_BUREAU")
    return {
        name: frame.filter(
            pl.col("SK_ID_BUREAU").is_in(bureau_ids.implode())
            if name == "bureau_balance"
            else pl.col("SK_ID_CURR") == applicant
        )
        for name, frame in tables.history.items()
    }


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def _applicants_by_history(tables: RawTables, batch: pl.DataFrame) -> dict[str, list[int]]:
    def pick(condition: pl.Expr, n: int = 15) -> list[int]:
        return batch.filter(condition).get_column("SK_ID_CURR").head(n).to_list()

    return {
        "none at all": pick((pl.col("BUREAU_NO_HISTORY") == 1) & (pl.col("PREV_NO_HISTORY") == 1)),
        "bureau and balance": pick(pl.col("BUREAU_STATUS_MONTHS") > 0),
        "cards": pick(pl.col("CC_NO_HISTORY") == 0),
        "instalments": pick(pl.col("INST_NO_HISTORY") == 0),
    }


def test_output_has_one_row_per_applicant_in_input_order(synthetic: RawTables, batch: pl.DataFrame) -> None:
    assert batch.get_column("SK_ID_CURR").to_list() == synthetic.applications.get_column("SK_ID_CURR").to_list()
    assert batch.columns == ["SK_ID_CURR", *feature_columns()]


def test_single_applicant_equals_its_batch_row(synthetic: RawTables, batch: pl.DataFrame) -> None:
    groups = _applicants_by_history(synthetic, batch)
    assert all(len(ids) >= 5 for ids in groups.values()), {k: len(v) for k, v in groups.items()}
    records = {r["SK_ID_CURR"]: r for r in synthetic.applications.to_dicts()}
    for group, ids in groups.items():
        for applicant in ids:
            expected = batch.filter(pl.col("SK_ID_CURR") == applicant).row(0, named=True)
            history = _history_of(synthetic, applicant)
            # the request path: one cleaned record, plain floats
            row = applicant_features(clean_record(records[applicant]), history)
            mismatched = [k for k, v in row.items() if not _same(v, expected[k])]
            assert not mismatched, (group, applicant, mismatched)
            # the batch function on one applicant's frames
            alone = build_features(synthetic.applications.filter(pl.col("SK_ID_CURR") == applicant), history)
            mismatched = [k for k, v in alone.row(0, named=True).items() if not _same(v, expected[k])]
            assert not mismatched, (group, applicant, mismatched)


def test_changed_application_keeps_history_aggregates(synthetic: RawTables, batch: pl.DataFrame) -> None:
    # given applicants with history and a smaller loan at the same term (what counter-offers try)
    records = {r["SK_ID_CURR"]: r for r in synthetic.applications.to_dicts()}
    for applicant in _applicants_by_history(synthetic, batch)["bureau and balance"][:5]:
        history = _history_of(synthetic, applicant)
        record = clean_record(records[applicant])
        changed = record | {"AMT_CREDIT": record["AMT_CREDIT"] * 0.6, "AMT_ANNUITY": record["AMT_ANNUITY"] * 0.6}
        # when only the application features are recomputed
        updated = with_application(applicant_features(record, history), changed)
        # then they equal a full recomputation on the changed record
        expected = applicant_features(changed, history)
        assert [k for k, v in updated.items() if not _same(v, expected[k])] == []
        assert updated["CREDIT_INCOME_RATIO"] != applicant_features(record, history)["CREDIT_INCOME_RATIO"]


def test_lazy_and_eager_agree(synthetic: RawTables, batch: pl.DataFrame) -> None:
    lazy = build_features(synthetic.applications.lazy(), {k: v.lazy() for k, v in synthetic.history.items()})
    assert isinstance(lazy, pl.LazyFrame)
    collected = lazy.collect()
    assert collected.columns == batch.columns
    for column in batch.columns:
        left, right = batch.get_column(column), collected.get_column(column)
        if left.dtype.is_float():
            # parallel sums may differ in the last bit
            assert ((left - right).abs() <= 1e-9 * left.abs().clip(lower_bound=1)).all(), column
            assert left.is_null().equals(right.is_null()), column
        else:
            assert left.equals(right), column


def test_no_inf_anywhere(batch: pl.DataFrame, sample_dir: Path) -> None:
    real = load_tables(sample_dir)
    for table in (batch, build_features(real.applications, real.history)):
        floats = table.select(pl.selectors.float())
        assert floats.select(pl.any_horizontal(pl.all().is_infinite()).sum()).item() == 0
        assert floats.select(pl.any_horizontal(pl.all().is_nan()).sum()).item() == 0


def test_real_sample_history_is_found_where_keys_match(sample_dir: Path) -> None:
    real = load_tables(sample_dir)
    table = build_features(real.applications, real.history)
    with_bureau = real.history["bureau"].get_column("SK_ID_CURR").unique().is_in(table["SK_ID_CURR"].implode()).sum()
    assert with_bureau == 142  # the applicants of the sample that the bureau sample covers (SOURCES.md)
    assert (table.get_column("BUREAU_NO_HISTORY") == 0).sum() == 142


def _application(**values: Any) -> dict[str, Any]:
    base = {
        "SK_ID_CURR": 1,
        "NAME_CONTRACT_TYPE": "Cash loans",
        "AMT_INCOME_TOTAL": 100_000.0,
        "AMT_CREDIT": 500_000.0,
        "AMT_ANNUITY": 25_000.0,
        "DAYS_BIRTH": -36_525,
        "DAYS_EMPLOYED": 365_243,
        "EXT_SOURCE_1": 0.2,
        "EXT_SOURCE_2": None,
        "EXT_SOURCE_3": 0.6,
    }
    return clean_record(base | values)


def test_hand_computed_application_features() -> None:
    row = applicant_features(_application())
    assert row["CREDIT_INCOME_RATIO"] == 5.0
    assert row["ANNUITY_INCOME_RATIO"] == 0.25
    assert row["CREDIT_TERM"] == 20.0
    assert row["AGE_YEARS"] == 100.0
    assert row["NO_EMPLOYMENT"] == 1.0 and row["EMPLOYMENT_YEARS"] is None  # the 365243 sentinel
    assert row["EXT_SOURCE_MEAN"] == pytest.approx(0.4)
    assert row["EXT_SOURCE_MIN"] == 0.2 and row["EXT_SOURCE_MAX"] == 0.6
    assert row["EXT_SOURCE_STD"] == pytest.approx(math.sqrt(0.08))
    assert row["EXT_SOURCE_COUNT"] == 2.0 and row["EXT_SOURCE_PROD"] is None
    # no history at all: counts are zero, averages missing, flags set
    assert row["BUREAU_COUNT"] == 0.0 and row["BUREAU_NO_HISTORY"] == 1.0
    assert row["INST_LATE_SHARE"] is None and row["INST_NO_HISTORY"] == 1.0


def test_division_by_zero_gives_missing_not_inf() -> None:
    record = _application(AMT_ANNUITY=0.0, CNT_FAM_MEMBERS=0.0, AMT_GOODS_PRICE=0.0)
    row = applicant_features(record)
    frame = build_features(pl.DataFrame([record]))
    for name in ("CREDIT_TERM", "INCOME_PER_FAMILY_MEMBER", "CREDIT_GOODS_RATIO"):
        assert row[name] is None
        assert frame.get_column(name)[0] is None
    assert row["ANNUITY_INCOME_RATIO"] == 0.0


def test_hand_computed_history_aggregates() -> None:
    # given two instalments, one paid 10 days late and short by 500, one paid 3 days early
    instalments = pl.DataFrame(
        {
            "SK_ID_PREV": [7, 7],
            "SK_ID_CURR": [1, 1],
            "NUM_INSTALMENT_VERSION": [1.0, 1.0],
            "NUM_INSTALMENT_NUMBER": [1, 2],
            "DAYS_INSTALMENT": [-100, -70],
            "DAYS_ENTRY_PAYMENT": [-90, -73],
            "AMT_INSTALMENT": [1_000.0, 1_000.0],
            "AMT_PAYMENT": [500.0, 1_000.0],
        }
    )
    bureau = pl.DataFrame(
        {
            "SK_ID_CURR": [1, 1, 1],
            "SK_ID_BUREAU": [10, 11, 12],
            "CREDIT_ACTIVE": ["Active", "Closed", "Active"],
            "CREDIT_DAY_OVERDUE": [0, 0, 45],
            "AMT_CREDIT_SUM": [1_000.0, 5_000.0, 3_000.0],
            "AMT_CREDIT_SUM_DEBT": [400.0, 0.0, 2_000.0],
            "AMT_CREDIT_SUM_OVERDUE": [0.0, 0.0, 300.0],
        }
    )
    balance = pl.DataFrame(
        {"SK_ID_BUREAU": [10, 10, 10, 12], "MONTHS_BALANCE": [0, -1, -2, 0], "STATUS": ["0", "1", "X", "2"]}
    )
    history = {"installments_payments": instalments, "bureau": bureau, "bureau_balance": balance}
    row = applicant_features(_application(), {name: conform(frame, TABLES[name]) for name, frame in history.items()})
    # then
    assert row["INST_LATE_SHARE"] == 0.5 and row["INST_DAYS_LATE_MAX"] == 10.0
    assert row["INST_DAYS_EARLY_MEAN"] == 1.5 and row["INST_PAID_OWED_RATIO"] == 0.75
    assert row["INST_UNDERPAID_SUM"] == 500.0 and row["INST_NO_HISTORY"] == 0.0
    assert row["BUREAU_ACTIVE_COUNT"] == 2.0 and row["BUREAU_ACTIVE_DEBT_SUM"] == 2_400.0
    assert row["BUREAU_ACTIVE_DEBT_CREDIT_RATIO"] == 0.6 and row["BUREAU_OVERDUE_COUNT"] == 1.0
    assert row["BUREAU_STATUS_DPD_SHARE"] == pytest.approx(2 / 3) and row["BUREAU_STATUS_WORST"] == 2.0
    assert row["BUREAU_DEBT_INCOME_RATIO"] == 0.024
    assert row["PREV_NO_HISTORY"] == 1.0 and row["PREV_COUNT"] == 0.0


def test_catalogue_documents_every_output_column_once() -> None:
    catalogue = feature_catalogue()
    assert [r["name"] for r in catalogue] == feature_columns()
    assert all(r["description"] and r["group"] and r["fields"] for r in catalogue)
    assert len(set(feature_columns())) == len(feature_columns())
