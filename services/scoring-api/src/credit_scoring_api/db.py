"""Tables of the prediction log, the applicant store, the recorded outcomes and the access log
(SQLAlchemy Core).

Each table's columns are derived from its contract in ``credit_core.contracts`` (one column per
field: type, length and nullability from the field), so no column list is typed twice. The schema
is created by Alembic (``credit-scoring-api migrate``); a test checks that the migrations build
exactly these tables.
"""

from __future__ import annotations

import types
import typing
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from credit_core import database
from credit_core.contracts.access import AccessRecord
from credit_core.contracts.applicants import ApplicantRecord
from credit_core.contracts.decisions import DecisionRecord, OutcomeRecord, OverrideRecord
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
# the prediction log's documents (raw input, features) are written on every decision and read far
# less: on Postgres ``json``, the text as sent, checked but not decomposed as jsonb is on every
# insert (and compressed with lz4, see migration 0004)
LOG_JSON = sa.JSON()
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _sql_type(
    name: str, annotation: Any, info: FieldInfo, json: sa.types.TypeEngine[Any]
) -> tuple[sa.types.TypeEngine[Any], bool]:
    """The column type of a contract field, and whether it is nullable."""
    args = typing.get_args(annotation)
    nullable = typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args
    if nullable:
        rest = [a for a in args if a is not type(None)]
        annotation = rest[0] if len(rest) == 1 else dict  # a union of values: JSON
    length = next((m.max_length for m in info.metadata if hasattr(m, "max_length")), None)
    origin = typing.get_origin(annotation)
    if annotation is str or origin is typing.Literal:
        if length is None:
            raise TypeError(f"{name}: a text field needs a max_length to be a column")
        return sa.String(length), nullable
    if annotation is bool:
        return sa.Boolean(), nullable
    if annotation is int:
        return sa.BigInteger(), nullable
    if annotation is float:
        return sa.Float(), nullable
    if annotation is datetime:
        return sa.DateTime(timezone=True), nullable
    if (
        origin in (dict, list)
        or annotation in (dict, list)
        or (isinstance(annotation, type) and issubclass(annotation, BaseModel))
    ):
        return json, nullable
    raise TypeError(f"{name}: no column type for {annotation!r}")


def columns_of(
    contract: type[BaseModel], primary_key: str | None = None, json: sa.types.TypeEngine[Any] = JSON
) -> list[sa.Column[Any]]:
    """One column per field of ``contract``, in field order; ``primary_key`` names the field that
    is one; ``json`` is the type of the fields that are documents."""
    columns = []
    for name, info in contract.model_fields.items():
        sql_type, nullable = _sql_type(name, info.annotation, info, json)
        key = name == primary_key
        columns.append(
            sa.Column(name, sql_type, nullable=nullable, primary_key=key, autoincrement=False if key else "auto")
        )
    return columns


metadata = sa.MetaData()

predictions = sa.Table(
    "predictions",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    *columns_of(DecisionRecord, json=LOG_JSON),
    sa.Index("ix_predictions_request_id", "request_id", unique=True),
    sa.Index("ix_predictions_scored_at", "scored_at"),
    sa.Index("ix_predictions_applicant_id", "applicant_id"),
    sa.Index("ix_predictions_model_version", "model_version"),
)

applicants = sa.Table("applicants", metadata, *columns_of(ApplicantRecord, primary_key="applicant_id"))

outcomes = sa.Table(
    "outcomes",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    *columns_of(OutcomeRecord),
    sa.Index("ix_outcomes_applicant_id", "applicant_id"),
    sa.Index("ix_outcomes_request_id", "request_id", unique=True),
)

overrides = sa.Table(
    "overrides",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    *columns_of(OverrideRecord),
    sa.Index("ix_overrides_request_id", "request_id"),
    sa.Index("ix_overrides_overridden_at", "overridden_at"),
)

access_log = sa.Table(
    "access_log",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    *columns_of(AccessRecord),
    sa.Index("ix_access_log_applicant_id", "applicant_id"),
    sa.Index("ix_access_log_accessed_at", "accessed_at"),
)


def insert_ignoring_duplicates(engine: sa.Engine, table: sa.Table, key: str) -> Any:
    """An INSERT that skips rows whose ``key`` (a unique column) is already there."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(index_elements=[key])


# What the scoring API's own login may do (`credit-scoring-api migrate --service-role`): score and
# record, read the store; the owner (migrations, ingest, purge, erase) does the rest
SERVICE_PRIVILEGES = {
    "alembic_version": "SELECT",  # serve checks the schema is at head
    "predictions": "SELECT, INSERT",
    "outcomes": "SELECT, INSERT",
    "applicants": "SELECT",
    "access_log": "SELECT, INSERT",  # the insert returns its id
    "overrides": "SELECT, INSERT",  # an override is added beside the decision, never changed
}


def migrate(url: str) -> None:
    """Bring the database to the latest schema (from empty, or from any earlier revision)."""
    database.migrate(url, Path(__file__).parent / "migrations")
