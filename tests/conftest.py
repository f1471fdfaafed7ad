"""Cross-service fixtures: a model trained and promoted by the trainer CLI, a real Postgres database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from credit_core.synthetic import generate
from support import trained_store

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic")
    generate(folder, 2_000, 400, seed=5, fmt="parquet")
    return folder


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory, synthetic: Path) -> str:
    """LightGBM champion, version 1."""
    return trained_store(tmp_path_factory.mktemp("mlflow"), synthetic, "lightgbm")


@pytest.fixture(scope="session")
def xgboost_registry(tmp_path_factory: pytest.TempPathFactory, synthetic: Path) -> str:
    """XGBoost champion, version 1, in a store of its own."""
    return trained_store(tmp_path_factory.mktemp("mlflow-xgboost"), synthetic, "xgboost")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    return POSTGRES


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[sa.Engine]:
    engine = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:  # CI starts Postgres; say so plainly if it is not there
        pytest.fail(f"Postgres is not reachable at {POSTGRES}: start it (see .ci/run): {error}")
    yield engine
    engine.dispose()


@pytest.fixture
def database(postgres_admin: sa.Engine) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    name = f"bank_scoring_test_{uuid.uuid4().hex[:10]}"
    with postgres_admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    yield url
    with postgres_admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
