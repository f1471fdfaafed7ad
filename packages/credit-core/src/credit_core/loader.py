"""Read a folder of raw Home Credit tables (CSV or Parquet) into typed, cleaned polars frames.

What real files contain and how it is handled:
- CRLF line endings, lines of only commas (spreadsheet exports): such rows are dropped;
- integers written as ``202500`` or ``202500.0``: numeric columns are read as floats and cast
  to integers where the schema says so (a fractional value there is an error);
- cp1252 text: a file that is not valid UTF-8 is decoded as cp1252;
- the 365243 sentinel in ``DAYS_*`` columns and the ``XNA`` / ``XAP`` codes become missing values.

Problems are collected as :class:`DataIssue` (file, column, a few offending rows, by file line
number). Errors raise :class:`DataValidationError` listing all of them; warnings are returned.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from math import inf, isnan
from pathlib import Path
from typing import Any, Literal, TypeVar

import polars as pl

from credit_core.schema import (
    APPLICATION,
    APPLICATION_TEST,
    DAYS_SENTINEL,
    HISTORY_TABLES,
    MISSING_CODES,
    TABLES,
    Column,
    Kind,
    Table,
)

log = logging.getLogger(__name__)

LINE = "__line__"
FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)
SUFFIXES = (".csv", ".csv.gz", ".parquet")
EXAMPLES = 5


@dataclass(frozen=True)
class DataIssue:
    level: Literal["error", "warning", "info"]
    file: str
    column: str | None
    message: str
    examples: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f"{self.file}: column {self.column}" if self.column else self.file
        text = f"{self.level}: {where}: {self.message}"
        if self.examples:
            text += " (e.g. " + "; ".join(self.examples) + ")"
        return text


class DataValidationError(ValueError):
    """Raised when a table cannot be used as it is; lists every problem found."""

    def __init__(self, issues: Iterable[DataIssue]):
        self.issues = [i for i in issues if i.level == "error"]
        super().__init__("\n".join(str(i) for i in self.issues))


@dataclass
class RawTables:
    """The raw tables of one data folder, cleaned; ``history`` holds the history tables present."""

    application: pl.DataFrame
    application_test: pl.DataFrame | None = None
    history: dict[str, pl.DataFrame] = field(default_factory=dict)
    warnings: list[DataIssue] = field(default_factory=list)
    notes: list[DataIssue] = field(default_factory=list)  # what cleaning changed (sentinels, codes)

    def add(self, issues: list[DataIssue]) -> None:
        self.warnings += [i for i in issues if i.level == "warning"]
        self.notes += [i for i in issues if i.level == "info"]

    @property
    def applications(self) -> pl.DataFrame:
        """Train and test applicants together (TARGET missing for the test ones)."""
        if self.application_test is None:
            return self.application
        return pl.concat([self.application, self.application_test], how="diagonal_relaxed")


def _polars_read_type(column: Column) -> pl.DataType:
    return pl.String() if column.kind is Kind.CATEGORY else pl.Float64()


def _polars_type(column: Column) -> pl.DataType:
    if column.kind is Kind.CATEGORY:
        return pl.String()
    if column.kind is Kind.FLOAT:
        return pl.Float64()
    return pl.Int64()


def polars_schema(table: Table) -> dict[str, pl.DataType]:
    """The polars dtypes of a table once loaded."""
    return {c.name: _polars_type(c) for c in table.columns}


def cleaning_expressions(table: Table) -> list[pl.Expr]:
    """Sentinels and missing codes to nulls, then the schema's types.

    Shared by the eager loader and by lazy scans of large Parquet folders.
    """
    exprs = []
    for c in table.columns:
        e = pl.col(c.name)
        if c.kind is Kind.CATEGORY:
            e = pl.when(e.is_in(MISSING_CODES)).then(None).otherwise(e)
        else:
            e = e.cast(pl.Float64)
            if c.is_days:
                e = pl.when(e == DAYS_SENTINEL).then(None).otherwise(e)
        exprs.append(e.cast(_polars_type(c)).alias(c.name))
    return exprs


_REQUEST_LAYOUT: dict[str, tuple[dict[str, pl.DataType], list[pl.Expr]]] = {}


def clean_rows(rows: list[dict[str, Any]], table: Table) -> pl.DataFrame:
    """Raw rows of one table as a client sends them (JSON objects, any subset of columns) ->
    the cleaned, typed frame :func:`conform` gives, built straight in the table layout with the
    cleaning expressions made once per table. For the request path."""
    if table.name not in _REQUEST_LAYOUT:
        layout: dict[str, pl.DataType] = {
            c.name: pl.String() if c.kind is Kind.CATEGORY else pl.Float64() for c in table.columns
        }
        _REQUEST_LAYOUT[table.name] = (layout, cleaning_expressions(table))
    raw, cleaning = _REQUEST_LAYOUT[table.name]
    return pl.DataFrame(rows, schema=raw, strict=False).select(cleaning)


def clean_record(record: Mapping[str, Any], table: Table = APPLICATION_TEST) -> dict[str, Any]:
    """One raw row cleaned as the loader cleans a file: sentinels and missing codes to None,
    numbers to float (integers to int). Absent fields are None. For the request path."""
    out: dict[str, Any] = {}
    for name, category, days, floating in _record_plan(table):
        value = record.get(name)
        if value is None or (isinstance(value, float) and isnan(value)):
            out[name] = None
        elif category:
            out[name] = None if value in MISSING_CODES else str(value)
        else:
            number = float(value)
            out[name] = None if days and number == DAYS_SENTINEL else number if floating else int(number)
    return out


_RECORD_PLANS: dict[str, list[tuple[str, bool, bool, bool]]] = {}


def _record_plan(table: Table) -> list[tuple[str, bool, bool, bool]]:
    """Per column of ``table``: name, whether a category, a number of days, a float (made once)."""
    plan = _RECORD_PLANS.get(table.name)
    if plan is None:
        plan = _RECORD_PLANS[table.name] = [
            (c.name, c.kind is Kind.CATEGORY, c.is_days, c.kind is Kind.FLOAT) for c in table.columns
        ]
    return plan


def request_bodies(application: pl.DataFrame, history: Mapping[str, pl.DataFrame]) -> list[dict[str, Any]]:
    """One body per applicant of ``application``, as the HTTP APIs take it: ``{"application":
    record, "<table>": [rows], ...}`` with the applicant's rows of each history table (bureau
    balance through the applicant's bureau credits) and missing values left out."""
    ids = application.get_column("SK_ID_CURR").implode()
    grouped: dict[str, dict[Any, pl.DataFrame]] = {}
    for name, frame in history.items():
        if name == "bureau_balance":
            if "bureau" not in history:
                continue
            owners = history["bureau"].filter(pl.col("SK_ID_CURR").is_in(ids)).select("SK_ID_BUREAU", "SK_ID_CURR")
            rows = frame.join(owners.rename({"SK_ID_CURR": "_owner"}), on="SK_ID_BUREAU", how="inner")
        else:
            rows = frame.filter(pl.col("SK_ID_CURR").is_in(ids)).with_columns(pl.col("SK_ID_CURR").alias("_owner"))
        grouped[name] = {key[0]: part.drop("_owner") for key, part in rows.partition_by("_owner", as_dict=True).items()}
    bodies = []
    for record in application.to_dicts():
        body: dict[str, Any] = {"application": {k: v for k, v in record.items() if v is not None}}
        for name, parts in grouped.items():
            part = parts.get(record["SK_ID_CURR"])
            if part is not None:
                body[name] = [{k: v for k, v in row.items() if v is not None} for row in part.to_dicts()]
        bodies.append(body)
    return bodies


def clean_history(history: Mapping[str, Any] | None) -> dict[str, pl.DataFrame]:
    """Raw history tables (pandas or polars, any subset of columns) -> cleaned, typed frames."""
    tables = {}
    for name, rows in (history or {}).items():
        if rows is not None and name in HISTORY_TABLES:
            frame = rows if isinstance(rows, pl.DataFrame) else pl.from_pandas(rows)
            tables[name] = conform(frame, HISTORY_TABLES[name])
    return tables


def conform(frame: FrameT, table: Table) -> FrameT:
    """A frame with some of a table's columns -> the full table layout, cleaned and typed.

    For rows that do not come from a file (e.g. history lists in an API request); absent
    columns are missing values.
    """
    present = set(frame.collect_schema().names())
    absent = [pl.lit(None).alias(c) for c in table.column_names if c not in present]
    cleaned = frame.lazy().with_columns(absent).select(cleaning_expressions(table))
    # one query for an eager frame (the request path), not one per step
    return cleaned.collect() if isinstance(frame, pl.DataFrame) else cleaned  # type: ignore[return-value]


def find_table_file(folder: Path, name: str) -> Path | None:
    """The file holding table ``name`` in ``folder`` (CSV, gzipped CSV or Parquet), if any."""
    for suffix in SUFFIXES:
        for candidate in (folder / f"{name}{suffix}", folder / f"{name.lower()}{suffix}"):
            if candidate.is_file():
                return candidate
    return None


def _examples(frame: pl.DataFrame, column: str) -> tuple[str, ...]:
    rows = frame.head(EXAMPLES).select(LINE, column).rows()
    return tuple(f"line {line}: {value!r}" for line, value in rows)


def _csv(data: bytes, file: str, **options: Any) -> pl.DataFrame:
    """Parse CSV bytes; a file that is not UTF-8 is decoded as cp1252 (what spreadsheets export)."""
    try:
        return pl.read_csv(data, infer_schema=False, **options)
    except pl.exceptions.NoDataError as error:
        raise DataValidationError([DataIssue("error", file, None, "the file is empty")]) from error
    except pl.exceptions.ComputeError as error:
        if "utf-8" not in str(error).lower():
            raise
    log.info("%s is not UTF-8; reading it as cp1252", file)
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise DataValidationError([DataIssue("error", file, None, "text is neither UTF-8 nor cp1252")]) from error
    return pl.read_csv(text.encode("utf-8"), infer_schema=False, **options)


def _read_raw(path: Path, table: Table) -> pl.DataFrame:
    """Every known column as float or text (numbers that do not parse stay text for _check_numeric)."""
    known = {c.name: _polars_read_type(c) for c in table.columns}
    if path.suffix == ".parquet":
        frame = pl.read_parquet(path)
        casts = [
            pl.col(name).cast(known[name])
            for name, dtype in frame.schema.items()
            if name in known and (known[name] == pl.String or dtype.is_numeric() or dtype == pl.Null)
        ]
        return frame.with_columns(casts).with_row_index(LINE, offset=1)
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    header = _csv(data, path.name, n_rows=0).columns
    options: dict[str, Any] = {"row_index_name": LINE, "row_index_offset": 2}
    try:
        return _csv(data, path.name, schema_overrides={c: known[c] for c in header if c in known}, **options)
    except pl.exceptions.ComputeError:
        return _csv(data, path.name, **options)


def _check_numeric(frame: pl.DataFrame, table: Table, file: str) -> tuple[pl.DataFrame, list[DataIssue]]:
    """Cast numeric columns read as text to float, naming the values that are not numbers."""
    issues = []
    casts = []
    for c in table.columns:
        if c.name not in frame.columns or not c.is_numeric or frame.schema[c.name] != pl.String:
            continue
        as_float = pl.col(c.name).str.strip_chars().cast(pl.Float64, strict=False)
        bad = frame.filter(as_float.is_null() & pl.col(c.name).str.strip_chars().ne(""))
        if bad.height:
            issues.append(
                DataIssue("error", file, c.name, f"{bad.height} non-numeric value(s)", _examples(bad, c.name))
            )
        casts.append(as_float.alias(c.name))
    return frame.with_columns(casts), issues


def _column_rules(c: Column) -> list[tuple[pl.Expr, Literal["error", "warning"], str]]:
    """(condition that marks a bad row, level, message) for one column of the schema."""
    col = pl.col(c.name)
    rules: list[tuple[pl.Expr, Literal["error", "warning"], str]] = []
    if c.kind in (Kind.ID, Kind.INT, Kind.FLAG):
        rules.append((col.is_not_null() & (col != col.round(0)), "error", "non-integer value(s)"))
    if c.name == "TARGET":
        return [*rules, (col.is_null() | ~col.is_in([0.0, 1.0]), "error", "value(s) outside {0, 1}")]
    if not c.nullable:
        rules.append((col.is_null(), "error", "missing value(s)"))
    if c.categories is not None:
        known = col.is_in([*c.categories, *MISSING_CODES])
        rules.append((col.is_not_null() & ~known, "warning", "row(s) with unknown categories"))
    elif c.is_numeric and (c.min is not None or c.max is not None):
        in_range = col.is_between(c.min if c.min is not None else -inf, c.max if c.max is not None else inf)
        if c.is_days:
            in_range = in_range | (col == DAYS_SENTINEL)
        rules.append(
            (col.is_not_null() & ~in_range, "warning", f"value(s) outside the plausible range [{c.min}, {c.max}]")
        )
    return rules


def _check_values(frame: pl.DataFrame, table: Table, file: str) -> list[DataIssue]:
    issues: list[DataIssue] = []
    for c in table.columns:
        if c.name not in frame.columns:
            continue
        for condition, level, message in _column_rules(c):
            bad = frame.filter(condition)
            if bad.height:
                issues.append(DataIssue(level, file, c.name, f"{bad.height} {message}", _examples(bad, c.name)))
    key = table.primary_key
    if key and key in frame.columns:
        dup = frame.filter(pl.col(key).is_not_null() & pl.col(key).is_duplicated())
        if dup.height:
            issues.append(
                DataIssue("error", file, key, f"{dup.height} rows share a {key} with another row", _examples(dup, key))
            )
    return issues


def read_table(path: Path, table: Table) -> tuple[pl.DataFrame, list[DataIssue]]:
    """Read, validate and clean one table file. Raises DataValidationError on errors."""
    file = path.name
    frame = _read_raw(path, table)
    header = [c for c in frame.columns if c != LINE]
    issues: list[DataIssue] = []
    missing = [c for c in table.column_names if c not in header]
    required_missing = [c for c in missing if table.column(c).required]
    if required_missing:
        raise DataValidationError(
            [DataIssue("error", file, c, "required column is missing from the file") for c in required_missing]
        )
    if missing:
        issues.append(DataIssue("warning", file, None, f"columns missing, filled with nulls: {missing}"))
    unknown = [c for c in header if c not in table.column_names]
    if unknown:
        issues.append(DataIssue("warning", file, None, f"unknown columns ignored: {unknown}"))

    frame = frame.select(LINE, *[c for c in table.column_names if c in header])
    blank = pl.all_horizontal(pl.exclude(LINE).is_null() | pl.exclude(LINE).cast(pl.String).eq(""))
    frame = frame.filter(~blank)
    if frame.height == 0:
        raise DataValidationError([DataIssue("error", file, None, "the file has a header but no data rows")])
    frame, numeric_issues = _check_numeric(frame, table, file)
    issues += numeric_issues
    if not numeric_issues:
        issues += _check_values(frame, table, file)
    errors = [i for i in issues if i.level == "error"]
    if errors:
        raise DataValidationError(errors)
    frame = frame.with_columns(pl.lit(None, dtype=_polars_type(table.column(c))).alias(c) for c in missing)
    return frame.select(cleaning_expressions(table)), issues + _cleaning_notes(frame, table, file)


def _cleaning_notes(frame: pl.DataFrame, table: Table, file: str) -> list[DataIssue]:
    """How many sentinels and missing codes cleaning turns into missing values, per column."""
    counts = frame.select(
        *(pl.col(c.name).eq(DAYS_SENTINEL).sum().alias(c.name) for c in table.columns if c.is_days),
        *(pl.col(c.name).is_in(MISSING_CODES).sum().alias(c.name) for c in table.columns if c.kind is Kind.CATEGORY),
    ).row(0, named=True)
    return [
        DataIssue(
            "info",
            file,
            name,
            f"{count} {'365243 sentinel' if table.column(name).is_days else 'XNA/XAP code'} value(s) read as missing",
        )
        for name, count in counts.items()
        if count
    ]


def _orphans(
    child: pl.DataFrame, child_file: str, column: str, parent_keys: pl.Series, parent_name: str
) -> DataIssue | None:
    orphans = child.filter(~pl.col(column).is_in(parent_keys.implode()))
    if not orphans.height:
        return None
    sample = orphans.get_column(column).unique().sort().head(EXAMPLES).to_list()
    return DataIssue(
        "warning",
        child_file,
        column,
        f"{orphans.height} of {child.height} rows refer to a {column} absent from {parent_name}",
        tuple(f"{column}={v}" for v in sample),
    )


def check_keys(tables: RawTables, files: Mapping[str, str]) -> list[DataIssue]:
    """Orphan keys: history rows whose parent row is not in the folder."""
    issues = []
    applicants = tables.applications.get_column("SK_ID_CURR")
    for name, frame in tables.history.items():
        for column, (parent, parent_column) in HISTORY_TABLES[name].foreign_keys.items():
            if parent == "application":
                keys, parent_name = applicants, "the application table(s)"
            elif parent in tables.history:
                keys, parent_name = tables.history[parent].get_column(parent_column), files[parent]
            else:
                continue
            issue = _orphans(frame, files[name], column, keys, parent_name)
            if issue:
                issues.append(issue)
    return issues


def load_tables(
    folder: str | Path,
    *,
    application: Literal["train", "test"] = "train",
    strict_keys: bool = False,
) -> RawTables:
    """Load a folder of raw tables. Only the application table is required.

    ``application="test"`` loads a folder whose main table is ``application_test`` (no TARGET).
    Orphan keys are warnings unless ``strict_keys`` is set (the public samples are not key-linked).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"data folder not found: {folder}")
    main = APPLICATION if application == "train" else APPLICATION_TEST
    main_path = find_table_file(folder, main.name)
    if main_path is None:
        raise FileNotFoundError(f"{folder} has no {main.name} table (.csv, .csv.gz or .parquet)")
    frame, issues = read_table(main_path, main)
    files = {main.name: main_path.name}
    tables = RawTables(application=frame)
    tables.add(issues)

    if application == "train" and (test_path := find_table_file(folder, APPLICATION_TEST.name)):
        tables.application_test, issues = read_table(test_path, APPLICATION_TEST)
        tables.add(issues)
    for name, table in HISTORY_TABLES.items():
        path = find_table_file(folder, name)
        if path is None:
            continue
        tables.history[name], issues = read_table(path, table)
        files[name] = path.name
        tables.add(issues)

    if tables.application_test is not None:
        both = tables.application.get_column("SK_ID_CURR").is_in(
            tables.application_test.get_column("SK_ID_CURR").implode()
        )
        if both.any():
            raise DataValidationError(
                [
                    DataIssue(
                        "error",
                        "application_test",
                        "SK_ID_CURR",
                        f"{both.sum()} applicants are also in application_train",
                    )
                ]
            )
    key_issues = check_keys(tables, files)
    if strict_keys and key_issues:
        raise DataValidationError([DataIssue("error", i.file, i.column, i.message, i.examples) for i in key_issues])
    tables.warnings += key_issues
    for issue in tables.warnings:
        log.warning("%s", issue)
    return tables


def scan_tables(folder: str | Path) -> tuple[pl.LazyFrame, dict[str, pl.LazyFrame]]:
    """Lazy, cleaned scans of a Parquet folder, for batch feature builds at full size.

    No validation: use :func:`load_tables` (or ``credit-trainer validate``) for that.
    """
    folder = Path(folder)
    scans = {}
    for name, table in TABLES.items():
        path = find_table_file(folder, name)
        if path is None:
            continue
        lazy = pl.scan_parquet(path) if path.suffix == ".parquet" else pl.scan_csv(path, infer_schema=False)
        scans[name] = conform(lazy, table)
    if "application_train" not in scans:
        raise FileNotFoundError(f"{folder} has no application_train table")
    application = scans.pop("application_train")
    if (test := scans.pop("application_test", None)) is not None:
        application = pl.concat([application, test], how="diagonal_relaxed")
    return application, scans


__all__ = [
    "DataIssue",
    "DataValidationError",
    "RawTables",
    "check_keys",
    "clean_record",
    "cleaning_expressions",
    "conform",
    "find_table_file",
    "load_tables",
    "polars_schema",
    "read_table",
    "scan_tables",
]
