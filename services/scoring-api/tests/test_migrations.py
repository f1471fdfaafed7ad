"""The database the migrations build is exactly the tables derived from the contracts, on Postgres
and SQLite: a field added to ``DecisionRecord`` (or ``OutcomeRecord``, ``ApplicantRecord``)
without its migration, or a migration without its field, fails here."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from credit_core.contracts.applicants import ApplicantRecord
from credit_core.contracts.decisions import DecisionRecord, OutcomeRecord
from credit_scoring_api.db import applicants, metadata, migrate, outcomes, predictions
from pydantic import BaseModel

pytestmark = pytest.mark.integration


@pytest.fixture(params=["postgres", "sqlite"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scoring.db'}"
    database: str = request.getfixturevalue("database")
    return database


def test_the_migrations_build_the_tables_of_the_contracts(url: str) -> None:
    migrate(url)
    migrate(url)  # again: nothing to do
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
        head = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    assert differences == [], differences
    assert (
        head
        == sorted(
            p.stem.split("_")[0]
            for p in (Path(__file__).parents[1] / "src" / "credit_scoring_api" / "migrations" / "versions").glob("*.py")
        )[-1]
    )
    inspector = sa.inspect(engine)
    contracts: list[tuple[sa.Table, type[BaseModel], set[str]]] = [
        (predictions, DecisionRecord, {"id"}),
        (outcomes, OutcomeRecord, {"id"}),
        (applicants, ApplicantRecord, set()),
    ]
    for table, contract, own in contracts:
        columns = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert set(columns) == set(contract.model_fields) | own, table.name
        for name, info in contract.model_fields.items():
            optional = type(None) in get_args(info.annotation)  # None allowed: a nullable column
            assert columns[name]["nullable"] == optional, f"{table.name}.{name}"


def test_a_contract_field_without_a_migration_is_caught(url: str) -> None:
    """What the first test guards against, shown: a column the contract has and the database lacks."""
    migrate(url)
    extra = sa.MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(extra)
    extra.tables["predictions"].append_column(sa.Column("not_migrated", sa.String(10)))
    with sa.create_engine(url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), extra)
    assert [d[0] for d in differences] == ["add_column"] and differences[0][3].name == "not_migrated"
