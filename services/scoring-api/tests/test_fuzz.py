"""schemathesis against the live OpenAPI spec of a running scoring API: no input gives a 5xx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from support import clients_env, served

pytestmark = [pytest.mark.integration, pytest.mark.slow]
KEY = "fuzz-key"


@pytest.fixture(scope="module")
def live_api(registry: str, postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import sqlalchemy as sa

    POSTGRES = postgres_url  # noqa: N806
    name = "bank_scoring_fuzz"
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    env = {
        "SCORING_DATABASE_URL": sa.make_url(POSTGRES).set(database=name).render_as_string(hide_password=False),
        "SCORING_MLFLOW_TRACKING_URI": registry,
        "SCORING_API_CLIENTS": clients_env(KEY),
        "SCORING_RELOAD_INTERVAL": "0",
    }
    log = tmp_path_factory.mktemp("api") / "api.log"
    try:
        with served("credit_scoring_api.cli", env, log) as url:
            yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_no_input_gives_a_server_error(live_api: str) -> None:
    schema = schemathesis.openapi.from_url(f"{live_api}/openapi.json")
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: schemathesis.Case) -> None:
            response = case.call(headers={"X-API-Key": KEY})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}")

        run()
    assert not failures, "\n".join(failures[:10])
