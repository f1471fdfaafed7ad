"""Scoring a whole book in buckets: what every engine shares (``credit-trainer score-portfolio``).

A book is a folder of raw tables in the Home Credit layout. Its applicants are split into buckets
by a hash of ``SK_ID_CURR`` (:func:`bucket_expr`; the same integer arithmetic in polars and in
Spark, so both engines make the same buckets); each bucket holds every table's rows of its
applicants (``bureau_balance`` reaches its applicant through ``bureau``) and is scored by
:func:`score_bucket`: the loader's cleaning, :func:`credit_core.features.build_features` and the
compiled model, the code the trainer and the scoring API run. No engine has features of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl

from credit_core.features import build_features
from credit_core.loader import conform, find_table_file
from credit_core.reasons import ReasonFinder
from credit_core.schema import HISTORY_TABLES, TABLES
from credit_core.scoring import GRANTED, REFUSED, CompiledModel

KEY, CREDIT_KEY, BUCKET = "SK_ID_CURR", "SK_ID_BUREAU", "bucket"
APPLICATION_TABLES = ("application_train", "application_test")
# the columns each table must have for its rows to reach an applicant
KEYS: dict[str, tuple[str, ...]] = {
    "application_train": (KEY,),
    "application_test": (KEY,),
    "bureau": (KEY, CREDIT_KEY),
    "bureau_balance": (CREDIT_KEY,),
    **{name: (KEY,) for name in HISTORY_TABLES if name not in ("bureau", "bureau_balance")},
}
_MULTIPLIER, _MODULUS = 2_654_435_761, 2**32  # Knuth's multiplicative hash: keys in a row spread out
OUTPUT_SCHEMA = {
    KEY: pl.Int64(),
    "probability": pl.Float64(),
    "decision": pl.String(),
    "threshold": pl.Float64(),
    "reason_codes": pl.List(pl.String()),
    "model_name": pl.String(),
    "model_version": pl.String(),
    "scored_at": pl.Datetime("us", "UTC"),
}


class PortfolioInputError(ValueError):
    """The book cannot be scored as it is (raised before any work is split or distributed)."""


def bucket_expr(column: str, buckets: int) -> pl.Expr:
    """The bucket of a key: ``(key * 2654435761) mod 2**32 mod buckets`` (keys below 3.4e9)."""
    key = pl.col(column).cast(pl.Float64).cast(pl.Int64)
    return ((key * _MULTIPLIER) % _MODULUS % buckets).cast(pl.Int32).alias(BUCKET)


def book_files(folder: Path) -> dict[str, Path]:
    """Each table's file in ``folder``; every history table and at least one application table,
    each with its keys, or :class:`PortfolioInputError` naming what is missing."""
    if not folder.is_dir():
        raise PortfolioInputError(f"{folder}: no such folder")
    files = {name: path for name in TABLES if (path := find_table_file(folder, name)) is not None}
    missing = [name for name in HISTORY_TABLES if name not in files]
    if not any(name in files for name in APPLICATION_TABLES):
        missing.insert(0, " or ".join(APPLICATION_TABLES))
    if missing:
        raise PortfolioInputError(
            f"{folder}: missing table(s) {', '.join(missing)} (CSV, .csv.gz or Parquet, Home Credit names); "
            "a book is scored with all of its history, so an absent table is an error here, not 'no history'"
        )
    for name, path in files.items():
        columns = set(scan(path).collect_schema().names())
        if absent := [k for k in KEYS[name] if k not in columns]:
            raise PortfolioInputError(f"{path}: table {name} has no {', '.join(absent)} column (its key)")
    return files


def scan(path: Path) -> pl.LazyFrame:
    """A raw table as the trainer scans it: Parquet as written, CSV as text (cast by the cleaning)."""
    return pl.scan_parquet(path) if path.suffix == ".parquet" else pl.scan_csv(path, infer_schema=False)


def score_bucket(
    tables: Mapping[str, pl.LazyFrame],
    model: CompiledModel,
    reasons: ReasonFinder | None,
    model_name: str,
    model_version: str,
    scored_at: datetime,
) -> pl.DataFrame:
    """One bucket's raw tables (an application table or both, every history table) -> a row per
    applicant (:data:`OUTPUT_SCHEMA`), through the loader's cleaning, ``build_features`` and the
    compiled model; refusals get their principal reason codes (as the API gives them)."""
    applications = [conform(tables[n], TABLES[n]) for n in APPLICATION_TABLES if n in tables]
    application = applications[0] if len(applications) == 1 else pl.concat(applications, how="diagonal_relaxed")
    history = {name: conform(tables[name], table) for name, table in HISTORY_TABLES.items()}
    features = build_features(application, history).collect()
    rows = model.matrix(features)
    probability = model.probabilities(rows)
    refused = probability >= model.threshold
    codes: list[list[str]] = [[] for _ in range(len(probability))]
    if reasons is not None and refused.any():
        for position, found in zip(np.flatnonzero(refused), reasons.batch_codes(rows[refused]), strict=True):
            codes[position] = found
    n = len(probability)
    return pl.DataFrame(
        {
            KEY: features.get_column(KEY),
            "probability": probability,
            "decision": np.where(refused, REFUSED, GRANTED),
            "threshold": np.full(n, model.threshold),
            "reason_codes": codes,
            "model_name": [model_name] * n,
            "model_version": [model_version] * n,
            "scored_at": [scored_at] * n,
        },
        schema=OUTPUT_SCHEMA,
    )
