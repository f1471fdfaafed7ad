"""The dashboard's applicant page with the real services behind it (scoring API and explainer as
processes on Postgres), driven by Streamlit's AppTest; the browser journey is a separate test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from credit_scoring_api.cli import app as scoring_cli
from credit_scoring_api.db import migrate
from streamlit.testing.v1 import AppTest
from support import served
from typer.testing import CliRunner

pytestmark = pytest.mark.integration
APP = str(Path(__file__).parents[1] / "services" / "ui" / "src" / "credit_ui" / "app.py")


@pytest.fixture(scope="module")
def services(
    registry: str,
    postgres_admin: sa.Engine,
    postgres_url: str,
    synthetic: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, str]]:
    name = "bank_scoring_ui"
    admin = postgres_admin
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    database = sa.make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
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
    try:
        with served("credit_scoring_api.cli", scoring_env, logs / "scoring.log") as scoring_url:
            explainer_env = {
                "EXPLAINER_MLFLOW_TRACKING_URI": registry,
                "EXPLAINER_SCORING_API_URL": scoring_url,
                "EXPLAINER_RELOAD_INTERVAL": "0",
            }
            with served("credit_explainer.cli", explainer_env, logs / "explainer.log") as explainer_url:
                yield {"scoring": scoring_url, "explainer": explainer_url}
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _applicants(scoring_url: str, synthetic: Path) -> dict[str, int]:
    """One granted and one refused applicant of the store."""
    import polars as pl

    found: dict[str, int] = {}
    for applicant in pl.read_parquet(synthetic / "application_test.parquet")["SK_ID_CURR"].head(60):
        decision = httpx.get(f"{scoring_url}/v1/applicants/{applicant}/score").json()["decision"]
        found.setdefault(decision, int(applicant))
    return found


def _page(services: dict[str, str], monkeypatch: pytest.MonkeyPatch, applicant: int, language: str) -> AppTest:
    monkeypatch.setenv("UI_SCORING_API_URL", services["scoring"])
    monkeypatch.setenv("UI_EXPLAINER_URL", services["explainer"])
    monkeypatch.setenv("UI_LANGUAGE", language)
    app = AppTest.from_file(APP, default_timeout=30).run()
    app.text_input[0].input(str(applicant)).run()
    app.button[0].click().run()
    assert not app.exception, app.exception
    return app


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_officer_reads_the_decision_the_reasons_and_the_counter_offer(
    services: dict[str, str], synthetic: Path, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    applicants = _applicants(services["scoring"], synthetic)
    assert {"granted", "refused"} <= set(applicants), applicants
    refused = _page(services, monkeypatch, applicants["refused"], language)
    texts = " ".join(m.value for m in refused.markdown)
    assert ("⛔ Refused" if language == "en" else "⛔ Refusé") in [h.value for h in refused.subheader]
    assert ("Raises the risk" if language == "en" else "Augmente le risque") in texts
    assert ("the risk" if language == "en" else "le risque") in texts
    assert len(refused.get("plotly_chart")) == 2  # the gauge and the reasons waterfall
    counter = "Counter-offer" if language == "en" else "Contre-proposition"
    assert counter in [h.value for h in refused.subheader]
    granted = _page(services, monkeypatch, applicants["granted"], language)
    assert ("✅ Granted" if language == "en" else "✅ Accordé") in [h.value for h in granted.subheader]
    assert counter not in [h.value for h in granted.subheader]


def test_an_unknown_applicant_is_said_plainly(services: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    app = _page(services, monkeypatch, 1, "en")
    assert "not in the applicant store" in app.warning[0].value


def test_the_model_page_shows_the_card_and_what_drives_the_model(
    services: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UI_SCORING_API_URL", services["scoring"])
    monkeypatch.setenv("UI_EXPLAINER_URL", services["explainer"])
    monkeypatch.setenv("UI_MONITOR_URL", "http://127.0.0.1:9")  # the monitor is not running here
    app = AppTest.from_file(APP, default_timeout=30).run()
    app.sidebar.radio[1].set_value("page_model").run()
    assert not app.exception and not app.warning
    labels = [m.label for m in app.metric]
    assert "Hold-out AUC" in labels and float(app.metric[labels.index("Hold-out AUC")].value) > 0.5
    assert len(app.get("plotly_chart")) == 1
    app.sidebar.radio[1].set_value("page_monitoring").run()
    assert not app.exception and "monitor service is not answering" in app.warning[0].value
