"""One Postgres login per service, each with only what it needs (real Postgres): the owner migrates
and makes the roles (`credit-scoring-api migrate --service-role`, `credit-monitor migrate
--service-role`); the scoring API then scores and records as its role, which cannot delete or
change a decision; the monitor reads the decisions and writes its drift runs, and cannot write a
decision; no other login may connect; MLflow's login owns its database (docker/mlflow/database.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from credit_monitor.cli import app as monitor_cli
from credit_monitor.db import migrate as migrate_monitor
from credit_scoring_api.cli import app as scoring_cli
from credit_scoring_api.db import migrate as migrate_scoring
from support import TEST_KEY, requests_from_folder, scoring_client, spool_drained
from typer.testing import CliRunner

pytestmark = pytest.mark.integration
PASSWORD = "a-long-generated-secret-4f9a1c"
ROOT = Path(__file__).parents[1]


@pytest.fixture
def roles(database: str, postgres_admin: sa.Engine) -> Iterator[dict[str, str]]:
    """The owner migrates both services and makes their roles; the URLs each service runs with."""
    names = {"scoring": f"scoring_{uuid.uuid4().hex[:8]}", "monitor": f"monitor_{uuid.uuid4().hex[:8]}"}
    env = {"SCORING_DATABASE_URL": database, "MONITOR_DATABASE_URL": database}
    scoring = CliRunner().invoke(
        scoring_cli, ["migrate", "--service-role", names["scoring"]], env=env | {"SERVICE_ROLE_PASSWORD": PASSWORD}
    )
    assert scoring.exit_code == 0, scoring.output
    monitor = CliRunner().invoke(
        monitor_cli, ["migrate", "--service-role", names["monitor"]], env=env | {"SERVICE_ROLE_PASSWORD": PASSWORD}
    )
    assert monitor.exit_code == 0, monitor.output
    owner = sa.make_url(database)
    yield {
        service: owner.set(username=role, password=PASSWORD).render_as_string(hide_password=False)
        for service, role in names.items()
    }
    sa.create_engine(database).dispose()
    with postgres_admin.connect() as connection:
        database_name = owner.database
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)'))
        for role in names.values():
            connection.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))


def _refused(url: str, statement: str) -> str:
    engine = sa.create_engine(url)
    try:
        with pytest.raises(sa.exc.ProgrammingError) as refused, engine.begin() as connection:
            connection.execute(sa.text(statement))
    finally:
        engine.dispose()
    return str(refused.value.orig)


def test_the_scoring_api_records_as_its_role_and_cannot_change_a_decision(
    roles: dict[str, str], registry: str, synthetic: Path
) -> None:
    migrate_scoring(roles["scoring"])  # what `serve` does first: at head, it only reads the version
    request = requests_from_folder(synthetic, 1, with_history=True)[0]
    with scoring_client(registry, roles["scoring"]) as client:
        scored = client.post("/v1/scores", json=request, headers={"X-API-Key": TEST_KEY})
        assert scored.status_code == 200, scored.text
        spool_drained(client)
        request_id = scored.json()["request_id"]
        assert client.get(f"/v1/decisions/{request_id}", headers={"X-API-Key": TEST_KEY}).status_code == 200
        outcome = client.post(
            "/v1/outcomes", json={"request_id": request_id, "defaulted": False}, headers={"X-API-Key": TEST_KEY}
        )
        assert outcome.status_code in (200, 201), outcome.text
        change = {"decision": "refused" if scored.json()["decision"] == "granted" else "granted"}
        change |= {"reason": "data-error", "comment": "The income field was wrong"}
        officer = {"X-API-Key": TEST_KEY, "X-On-Behalf-Of": "olivia"}
        overridden = client.post(f"/v1/decisions/{request_id}/overrides", json=change, headers=officer)
        assert overridden.status_code == 201, overridden.text
    assert "permission denied" in _refused(roles["scoring"], "DELETE FROM predictions")
    assert "permission denied" in _refused(roles["scoring"], "UPDATE overrides SET to_decision = 'granted'")
    assert "permission denied" in _refused(roles["scoring"], "DELETE FROM overrides")
    assert "permission denied" in _refused(roles["scoring"], "UPDATE predictions SET decision = 'granted'")
    assert "must be owner" in _refused(roles["scoring"], "DROP TABLE predictions")
    assert "permission denied" in _refused(roles["scoring"], "DELETE FROM applicants")


def test_the_monitor_reads_decisions_writes_drift_runs_and_cannot_write_a_decision(roles: dict[str, str]) -> None:
    migrate_monitor(roles["monitor"])  # what the monitor does when it starts
    engine = sa.create_engine(roles["monitor"])
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM predictions")).scalar() == 0
        assert connection.execute(sa.text("SELECT count(*) FROM outcomes")).scalar() == 0
        may = {
            (table, kind): connection.execute(
                sa.text("SELECT has_table_privilege(current_user, :table, :kind)"), {"table": table, "kind": kind}
            ).scalar()
            for table in (
                "drift_runs",
                "drift_columns",
                "predictions",
                "outcomes",
                "overrides",
                "applicants",
                "access_log",
            )
            for kind in ("SELECT", "INSERT", "UPDATE", "DELETE")
        }
    engine.dispose()
    assert {key for key, allowed in may.items() if allowed} == {
        ("drift_runs", "SELECT"),
        ("drift_runs", "INSERT"),
        ("drift_runs", "UPDATE"),
        ("drift_columns", "SELECT"),
        ("drift_columns", "INSERT"),
        ("predictions", "SELECT"),
        ("outcomes", "SELECT"),
        ("overrides", "SELECT"),
    }
    assert "permission denied" in _refused(
        roles["monitor"], "INSERT INTO predictions (request_id) VALUES ('00000000-0000-0000-0000-000000000000')"
    )
    assert "permission denied" in _refused(roles["monitor"], "SELECT * FROM applicants")


def test_a_weak_password_or_a_database_without_roles_is_refused(database: str, tmp_path: Path) -> None:
    weak = CliRunner().invoke(
        scoring_cli,
        ["migrate", "--service-role", "scoring"],
        env={"SCORING_DATABASE_URL": database, "SERVICE_ROLE_PASSWORD": "change-me"},
    )
    assert weak.exit_code == 2 and "placeholder" in weak.output
    sqlite = CliRunner().invoke(
        monitor_cli,
        ["migrate", "--service-role", "monitor"],
        env={"MONITOR_DATABASE_URL": f"sqlite:///{tmp_path}/monitor.db", "SERVICE_ROLE_PASSWORD": PASSWORD},
    )
    assert sqlite.exit_code == 2 and "Postgres" in sqlite.output


def _cannot_connect(url: str) -> str:
    engine = sa.create_engine(url)
    try:
        with pytest.raises(sa.exc.OperationalError) as refused:
            engine.connect()
    finally:
        engine.dispose()
    return str(refused.value.orig)


def test_no_other_login_may_connect_and_mlflow_owns_its_database(
    roles: dict[str, str], postgres_admin: sa.Engine
) -> None:
    mlflow_database = f"mlflow_test_{uuid.uuid4().hex[:8]}"
    stranger = f"stranger_{uuid.uuid4().hex[:8]}"
    with postgres_admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{mlflow_database}"'))
        connection.execute(sa.text(f"CREATE ROLE \"{stranger}\" LOGIN PASSWORD '{PASSWORD}'"))
    owner = sa.make_url(roles["scoring"]).set(username=postgres_admin.url.username, password=None)
    try:
        made = subprocess.run(
            [sys.executable, str(ROOT / "docker/mlflow/database.py")],
            env=os.environ
            | {
                "MLFLOW_DATABASE_OWNER_URL": owner.set(database=mlflow_database).render_as_string(hide_password=False),
                "MLFLOW_DB_PASSWORD": PASSWORD,
            },
            capture_output=True,
            text=True,
            check=False,
        )
        assert made.returncode == 0, made.stderr
        with postgres_admin.connect() as connection:
            found = connection.execute(
                sa.text("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = :name"),
                {"name": mlflow_database},
            ).scalar()
        assert found == "mlflow"
        for login, database in ((stranger, owner.database), (sa.make_url(roles["monitor"]).username, mlflow_database)):
            url = owner.set(username=login, password=PASSWORD, database=database).render_as_string(hide_password=False)
            assert "permission denied for database" in _cannot_connect(url)
    finally:
        with postgres_admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{mlflow_database}" WITH (FORCE)'))
            connection.execute(sa.text(f'DROP ROLE IF EXISTS "{stranger}"'))
