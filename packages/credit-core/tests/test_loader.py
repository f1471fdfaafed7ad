from __future__ import annotations

import csv
import shutil
from pathlib import Path

import polars as pl
import pytest
from credit_core.loader import DataValidationError, clean_record, load_tables, polars_schema, read_table
from credit_core.schema import APPLICATION, BUREAU, DAYS_SENTINEL, HISTORY_TABLES


def _copy_application(sample_dir: Path, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    return Path(shutil.copy(sample_dir / "application_train.csv", folder / "application_train.csv"))


def _edit_line(path: Path, line_number: int, column: str, value: str) -> None:
    """Set one cell of a CSV file, by file line number (the header is line 1)."""
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    rows[line_number - 1][rows[0].index(column)] = value
    with path.open("w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def test_loads_the_real_sample_folder_as_is(sample_dir: Path) -> None:
    # when the real files are loaded (CRLF tables, trailing comma-only lines, integer-looking floats)
    tables = load_tables(sample_dir)
    # then the 7,036 comma-only lines are gone and every table has its schema's types
    assert tables.application.shape == (6_229, 122)
    assert tables.application.schema == pl.Schema(polars_schema(APPLICATION))
    assert tables.history["bureau"].height == 20_000  # CRLF line endings
    assert tables.history["bureau"].schema == pl.Schema(polars_schema(BUREAU))
    assert set(tables.history) == set(HISTORY_TABLES)
    assert tables.application.get_column("TARGET").sum() == 487


def test_sentinels_and_missing_codes_become_missing(sample_dir: Path) -> None:
    raw = pl.read_csv(sample_dir / "application_train.csv", infer_schema=False).drop_nulls("SK_ID_CURR")
    sentinels = raw.get_column("DAYS_EMPLOYED").cast(pl.Float64).eq(DAYS_SENTINEL).sum()
    xna = raw.get_column("ORGANIZATION_TYPE").eq("XNA").sum()
    assert sentinels > 1_000 and xna == sentinels  # pensioners: both codes on the same rows

    app = load_tables(sample_dir).application
    assert app.get_column("DAYS_EMPLOYED").null_count() == sentinels
    assert app.get_column("DAYS_EMPLOYED").max() <= 0
    assert app.get_column("ORGANIZATION_TYPE").null_count() == xna
    previous = load_tables(sample_dir).history["previous_application"]
    assert not previous.get_column("NAME_CASH_LOAN_PURPOSE").is_in(["XAP", "XNA"]).any()
    assert previous.get_column("DAYS_FIRST_DRAWING").max() < DAYS_SENTINEL


def test_orphan_keys_warn_by_default_and_fail_when_strict(sample_dir: Path) -> None:
    # the public samples are independent random samples: most history rows have no applicant
    tables = load_tables(sample_dir)
    orphans = [w for w in tables.warnings if "absent from" in w.message]
    assert {w.file for w in orphans} >= {"bureau.csv", "bureau_balance.csv", "previous_application.csv"}
    with pytest.raises(DataValidationError, match=r"bureau\.csv: column SK_ID_CURR: \d+ of 20000 rows"):
        load_tables(sample_dir, strict_keys=True)


def test_missing_required_column_names_file_and_column(sample_dir: Path, tmp_path: Path) -> None:
    frame = pl.read_csv(sample_dir / "application_train.csv", infer_schema=False).drop("AMT_CREDIT")
    frame.write_csv(tmp_path / "application_train.csv")
    with pytest.raises(DataValidationError, match=r"application_train\.csv: column AMT_CREDIT: required column"):
        load_tables(tmp_path)


def test_missing_optional_column_is_filled_with_a_warning(sample_dir: Path, tmp_path: Path) -> None:
    frame = pl.read_csv(sample_dir / "application_train.csv", infer_schema=False).drop("OWN_CAR_AGE")
    frame.write_csv(tmp_path / "application_train.csv")
    tables = load_tables(tmp_path)
    assert tables.application.get_column("OWN_CAR_AGE").null_count() == tables.application.height
    assert any("OWN_CAR_AGE" in w.message for w in tables.warnings)


def test_non_numeric_value_is_reported_with_its_line(sample_dir: Path, tmp_path: Path) -> None:
    path = _copy_application(sample_dir, tmp_path)
    _edit_line(path, 5, "AMT_INCOME_TOTAL", "12k")
    _edit_line(path, 9, "AMT_INCOME_TOTAL", "n/a")
    with pytest.raises(DataValidationError) as error:
        load_tables(tmp_path)
    message = str(error.value)
    assert "application_train.csv: column AMT_INCOME_TOTAL: 2 non-numeric value(s)" in message
    assert "line 5: '12k'" in message and "line 9: 'n/a'" in message


@pytest.mark.parametrize(
    ("line", "column", "value", "message"),
    [
        (3, "SK_ID_CURR", "100002", r"column SK_ID_CURR: 2 rows share a SK_ID_CURR .*line 2: 100002"),
        (4, "TARGET", "2", r"column TARGET: 1 value\(s\) outside \{0, 1\} \(e\.g\. line 4: 2\.0\)"),
        (6, "CNT_CHILDREN", "1.5", r"column CNT_CHILDREN: 1 non-integer value\(s\) \(e\.g\. line 6: 1\.5\)"),
        (9, "SK_ID_CURR", "", r"column SK_ID_CURR: 1 missing value\(s\)"),
    ],
    ids=["duplicated applicant", "target outside 0-1", "fractional count", "missing key"],
)
def test_bad_values_are_errors_naming_file_column_and_line(
    sample_dir: Path, tmp_path: Path, line: int, column: str, value: str, message: str
) -> None:
    path = _copy_application(sample_dir, tmp_path)
    _edit_line(path, line, column, value)
    with pytest.raises(DataValidationError, match=rf"application_train\.csv: {message}"):
        load_tables(tmp_path)


def test_out_of_range_and_unknown_categories_only_warn(sample_dir: Path, tmp_path: Path) -> None:
    path = _copy_application(sample_dir, tmp_path)
    _edit_line(path, 7, "DAYS_BIRTH", "-80000")
    _edit_line(path, 8, "NAME_CONTRACT_TYPE", "Mortgage loans")
    tables = load_tables(tmp_path)
    messages = [str(w) for w in tables.warnings]
    assert any("DAYS_BIRTH: 1 value(s) outside the plausible range" in m and "line 7" in m for m in messages)
    assert any("NAME_CONTRACT_TYPE: 1 row(s) with unknown categories" in m for m in messages)


def test_cp1252_text_is_decoded(sample_dir: Path, tmp_path: Path) -> None:
    text = (sample_dir / "application_train.csv").read_text()
    lines = text.split("\n")
    lines[1] = lines[1].replace("Laborers", "Laborers é", 1)
    (tmp_path / "application_train.csv").write_bytes("\n".join(lines).encode("cp1252"))
    app = load_tables(tmp_path).application
    assert app.get_column("OCCUPATION_TYPE")[0] == "Laborers é"


def test_parquet_and_csv_load_identically(sample_dir: Path, tmp_path: Path) -> None:
    raw = pl.read_csv(sample_dir / "bureau.csv")
    raw.write_parquet(tmp_path / "bureau.parquet")
    from_csv, _ = read_table(sample_dir / "bureau.csv", BUREAU)
    from_parquet, _ = read_table(tmp_path / "bureau.parquet", BUREAU)
    assert from_csv.equals(from_parquet)


def test_folder_without_application_table_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="has no application_train table"):
        load_tables(tmp_path)


def test_clean_record_matches_the_file_loader(sample_dir: Path) -> None:
    raw = pl.read_csv(sample_dir / "application_train.csv", infer_schema=False).drop_nulls("SK_ID_CURR")
    loaded = load_tables(sample_dir).application
    for i in (0, 3, 10, 50):
        record = {k: v for k, v in raw.row(i, named=True).items() if v not in (None, "")}
        assert clean_record(record, APPLICATION) == loaded.row(i, named=True)
