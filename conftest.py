"""Fixtures shared by every test folder (packages, services and the cross-service tests), in one
place: data (the real Home Credit sample, synthetic folders), trained registries, a real Postgres,
a real S3 endpoint and MLflow server, the dashboard's services as real processes. Helpers that
are not fixtures live in ``tests/support.py``."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from credit_synthetic import generate
from support import free_port, served, trained_store, wait_until_answering

ROOT = Path(__file__).resolve().parent
SAMPLE_DIR = Path(os.environ.get("HOME_CREDIT_SAMPLE_DIR", ROOT.parent / "shared" / "data" / "home-credit-sample"))
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BUCKET = "mlflow-artifacts"


# ---- data ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The real Home Credit sample rows (kept outside the repo, never copied into it)."""
    if not (SAMPLE_DIR / "application_train.csv").is_file():
        pytest.skip(f"real Home Credit sample not found at {SAMPLE_DIR} (set HOME_CREDIT_SAMPLE_DIR)")
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small key-linked synthetic data set as CSV files, like a lender's export."""
    folder = tmp_path_factory.mktemp("synthetic-csv")
    generate(folder, 4_000, 600, seed=11, fmt="csv")
    return folder


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 training and 400 test applicants with history, as Parquet (the trained fixtures' data)."""
    folder = tmp_path_factory.mktemp("synthetic")
    generate(folder, 2_000, 400, seed=5, fmt="parquet")
    return folder


@pytest.fixture(scope="session")
def small_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("train-data")
    generate(folder, 1_500, 200, seed=21, fmt="parquet")
    return folder


# ---- trained models --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory, synthetic: Path) -> str:
    """An embedded MLflow store with a LightGBM champion, version 1, trained by `credit-trainer train`."""
    return trained_store(tmp_path_factory.mktemp("mlflow"), synthetic, "lightgbm")


@pytest.fixture(scope="session")
def xgboost_registry(tmp_path_factory: pytest.TempPathFactory, synthetic: Path) -> str:
    """An XGBoost champion, version 1, in a store of its own."""
    return trained_store(tmp_path_factory.mktemp("mlflow-xgboost"), synthetic, "xgboost")


# ---- Postgres --------------------------------------------------------------------------------
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


def _create_database(admin: sa.Engine, name: str) -> str:
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return sa.make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)


def _drop_database(admin: sa.Engine, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def database(postgres_admin: sa.Engine) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    name = f"bank_scoring_test_{uuid.uuid4().hex[:10]}"
    yield _create_database(postgres_admin, name)
    _drop_database(postgres_admin, name)


# ---- S3 and an MLflow server -----------------------------------------------------------------
@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3 endpoint on loopback (moto's server), standing in for MinIO."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3", endpoint_url=url, aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    ).create_bucket(Bucket=BUCKET)
    yield url
    server.stop()


@pytest.fixture(scope="session")
def s3_bucket() -> str:
    return BUCKET


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory, s3_endpoint: str) -> Iterator[str]:
    """A real `mlflow server`: SQLite backend store, artifacts proxied to the S3 endpoint."""
    folder = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    env = os.environ | {
        "MLFLOW_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    log = folder / "server.log"
    command = [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--backend-store-uri", f"sqlite:///{folder / 'mlflow.db'}", "--serve-artifacts"]
    command += ["--artifacts-destination", f"s3://{BUCKET}/", "--workers", "1"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=folder)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{url}/health", process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


# ---- the dashboard's services ------------------------------------------------------------------
@pytest.fixture(scope="session")
def ui_stack(
    registry: str, postgres_admin: sa.Engine, synthetic: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """What the dashboard talks to, as real processes on one Postgres database: the scoring API
    (60 test applicants ingested), the explainer and the monitor, with authentication disabled
    (as in the demo; the keys and scopes are tested in ``tests/test_access.py``)."""
    from credit_scoring_api.cli import app as scoring_cli
    from credit_scoring_api.db import migrate
    from typer.testing import CliRunner

    name = "bank_scoring_ui"
    database = _create_database(postgres_admin, name)
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
        "SCORING_AUTH_DISABLED": "true",
    }
    monitor_env = {
        "MONITOR_DATABASE_URL": database,
        "MONITOR_MLFLOW_TRACKING_URI": registry,
        "MONITOR_REPORTS": str(logs / "reports"),
        "MONITOR_RELOAD_INTERVAL": "0",
        "MONITOR_MIN_ROWS": "100",
        "MONITOR_AUTH_DISABLED": "true",
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
                    "EXPLAINER_AUTH_DISABLED": "true",
                },
                logs / "explainer.log",
            ) as explainer_url,
            served("credit_monitor.cli", monitor_env, logs / "monitor.log") as monitor_url,
        ):
            yield {"scoring": scoring_url, "explainer": explainer_url, "monitor": monitor_url, "database": database}
    finally:
        _drop_database(postgres_admin, name)
