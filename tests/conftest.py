"""Cross-service fixtures: a model trained and promoted by the trainer CLI, a real Postgres database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from credit_core.synthetic import generate
from credit_scoring_api.cli import app as scoring_cli
from credit_scoring_api.db import migrate
from support import served, trained_store
from typer.testing import CliRunner

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


@pytest.fixture(scope="session")
def ui_stack(
    registry: str, postgres_admin: sa.Engine, synthetic: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """What the dashboard talks to, as real processes on one Postgres database: the scoring API
    (60 test applicants ingested), the explainer and the monitor. No API keys."""
    name = "bank_scoring_ui"
    with postgres_admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    database = sa.make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    migrate(database)
    result = CliRunner(env={"SCORING_DATABASE_URL": database}).invoke(
        scoring_cli, ["ingest", "--data", str(synthetic), "--limit", "60"]
    )
    assert result.exit_code == 0, result.output
    logs = tmp_path_factory.mktemp("ui-services")
    scoring_env = {
        "SCORING_DATABASE_URL": database,
        "SCORING_MLFLOW_TRACKING_URI": registry,
        "SCORING_RELOAD_INTERVAL": "0",
    }
    monitor_env = {
        "MONITOR_DATABASE_URL": database,
        "MONITOR_MLFLOW_TRACKING_URI": registry,
        "MONITOR_REPORTS": str(logs / "reports"),
        "MONITOR_RELOAD_INTERVAL": "0",
        "MONITOR_MIN_ROWS": "100",
    }
    try:
        with (
            served("credit_scoring_api.cli", scoring_env, logs / "scoring.log") as scoring_url,
            served(
                "credit_explainer.cli",
                {
                    "EXPLAINER_MLFLOW_TRACKING_URI": registry,
                    "EXPLAINER_SCORING_API_URL": scoring_url,
                    "EXPLAINER_RELOAD_INTERVAL": "0",
                },
                logs / "explainer.log",
            ) as explainer_url,
            served("credit_monitor.cli", monitor_env, logs / "monitor.log") as monitor_url,
        ):
            yield {"scoring": scoring_url, "explainer": explainer_url, "monitor": monitor_url, "database": database}
    finally:
        with postgres_admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
