"""The dashboard's applicant page with the real services behind it (scoring API and explainer as
processes on Postgres), driven by Streamlit's AppTest; the browser journey is a separate test."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from credit_core.reason_codes import reason_catalogue
from streamlit.testing.v1 import AppTest
from support import refused_with_offer

pytestmark = pytest.mark.integration
APP = str(Path(__file__).parents[1] / "src" / "credit_ui" / "app.py")


def _applicants(scoring_url: str, synthetic: Path) -> dict[str, int]:
    """One granted and one refused applicant of the store."""
    import polars as pl

    found: dict[str, int] = {}
    for applicant in pl.read_parquet(synthetic / "application_test.parquet")["SK_ID_CURR"].head(60):
        decision = httpx.get(f"{scoring_url}/v1/applicants/{applicant}/score").json()["decision"]
        found.setdefault(decision, int(applicant))
    return found


def _page(ui_stack: dict[str, str], monkeypatch: pytest.MonkeyPatch, applicant: int, language: str) -> AppTest:
    monkeypatch.setenv("UI_SCORING_API_URL", ui_stack["scoring"])
    monkeypatch.setenv("UI_EXPLAINER_URL", ui_stack["explainer"])
    monkeypatch.setenv("UI_LANGUAGE", language)
    app = AppTest.from_file(APP, default_timeout=30).run()
    app.text_input[0].input(str(applicant)).run()
    app.selectbox(key="access_reason").set_value("application-review").run()
    app.button[0].click().run()
    assert not app.exception, app.exception
    return app


def _predictions(database: str) -> int:
    with sa.create_engine(database).connect() as connection:
        return int(connection.execute(sa.text("SELECT count(*) FROM predictions")).scalar_one())


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_officer_reads_the_decision_the_reasons_and_the_counter_offer(
    ui_stack: dict[str, str], synthetic: Path, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    applicants = _applicants(ui_stack["scoring"], synthetic)
    assert {"granted", "refused"} <= set(applicants), applicants
    refused = _page(ui_stack, monkeypatch, applicants["refused"], language)
    texts = " ".join(m.value for m in refused.markdown)
    assert ("✖ Refused" if language == "en" else "✖ Refusé") in [h.value for h in refused.subheader]
    assert ("Raises the risk" if language == "en" else "Augmente le risque") in texts
    assert ("the risk" if language == "en" else "le risque") in texts
    # the principal reasons, in the page's language, beside the detailed explanation
    assert ("Principal reasons for the refusal" if language == "en" else "Principales raisons du refus") in texts
    catalogue = reason_catalogue()
    listed = next(m.value for m in refused.markdown if m.value.startswith("1. "))
    codes = re.findall(r"\(([RX]\d\d)\)", listed)
    assert 1 <= len(codes) <= 4 and all(catalogue.get(code).applicant_facing for code in codes)
    assert all(f"{catalogue.get(code).text(language)} ({code})" in listed for code in codes)
    assert len(refused.get("vega_lite_chart")) == 2  # the gauge and the reasons waterfall
    counter = "Counter-offer" if language == "en" else "Contre-proposition"
    assert counter in [h.value for h in refused.subheader]
    refused.radio(key="case_view").set_value("population").run()
    assert not refused.exception, refused.exception
    # the gauge, three distributions against the population and the two-feature scatter
    assert len(refused.get("vega_lite_chart")) == 5
    assert any(("Comparable group" if language == "en" else "Groupe comparable") in m.value for m in refused.markdown)
    granted = _page(ui_stack, monkeypatch, applicants["granted"], language)
    assert ("✔ Granted" if language == "en" else "✔ Accordé") in [h.value for h in granted.subheader]
    assert counter not in [h.value for h in granted.subheader]


def test_what_if_the_amount_is_lowered_to_the_counter_offer(
    ui_stack: dict[str, str], synthetic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused, offer = refused_with_offer(ui_stack["explainer"], synthetic)
    app = _page(ui_stack, monkeypatch, refused, "en")
    app.radio(key="case_view").set_value("what_if").run()
    app.number_input(key=f"wi_AMT_CREDIT_store-{refused}").set_value(offer["amount"])
    app.number_input(key=f"wi_AMT_ANNUITY_store-{refused}").set_value(offer["annuity"])
    time.sleep(1.5)  # the prediction log is written in the background
    logged = _predictions(ui_stack["database"])
    app.button(key=f"FormSubmitter:what_if_store-{refused}-Score the change").click().run()
    assert not app.exception, app.exception
    assert "The decision changes: Refused → Granted" in [s.value for s in app.success]
    assert app.metric[1].label == "Probability of default" and app.metric[1].delta.endswith("pts")
    assert app.metric[1].delta.startswith("-")
    time.sleep(1.5)
    assert _predictions(ui_stack["database"]) == logged  # what-if scores are not predictions


def test_a_new_application_is_checked_as_typed_then_scored(
    ui_stack: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UI_SCORING_API_URL", ui_stack["scoring"])
    monkeypatch.setenv("UI_EXPLAINER_URL", ui_stack["explainer"])
    app = AppTest.from_file(APP, default_timeout=30).run()
    app.radio(key="mode").set_value("new").run()
    app.number_input(key="form_AMT_ANNUITY").set_value(900_000.0).run()
    app.number_input(key="form_EXT_SOURCE_2").set_value(1.5).run()
    errors = [e.value for e in app.error]
    assert "Loan annuity: the annuity cannot exceed the credit amount" in errors
    assert "External score 2: must be between 0 and 1" in errors
    assert app.button(key="score_application").disabled
    app.number_input(key="form_AMT_ANNUITY").set_value(20_000.0)
    app.number_input(key="form_EXT_SOURCE_2").set_value(0.6).run()
    assert not app.error and not app.button(key="score_application").disabled
    app.button(key="score_application").click().run()
    assert not app.exception, app.exception
    assert {h.value for h in app.subheader} & {"✔ Granted", "✖ Refused"}
    assert len(app.get("vega_lite_chart")) == 2  # gauge, waterfall
    app.radio(key="case_view").set_value("population").run()
    assert any("Comparable group (Cash loans, aged 50–59" in m.value for m in app.markdown)


def test_an_unknown_applicant_is_said_plainly(ui_stack: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    app = _page(ui_stack, monkeypatch, 1, "en")
    assert "not in the applicant store" in app.warning[0].value


def test_the_model_page_shows_the_card_and_what_drives_the_model(
    ui_stack: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UI_SCORING_API_URL", ui_stack["scoring"])
    monkeypatch.setenv("UI_EXPLAINER_URL", ui_stack["explainer"])
    monkeypatch.setenv("UI_MONITOR_URL", "http://127.0.0.1:9")  # the monitor is not running here
    app = AppTest.from_file(APP, default_timeout=30).run()
    app.sidebar.radio[1].set_value("page_model").run()
    assert not app.exception and not app.warning
    labels = [m.label for m in app.metric]
    assert "Hold-out AUC" in labels and float(app.metric[labels.index("Hold-out AUC")].value) > 0.5
    # the cost-vs-threshold curve, the ROC curve, the reliability diagram, global importance; the
    # candidates compared and the fairness groups; the documentation to download
    assert len(app.get("vega_lite_chart")) == 4 and len(app.dataframe) == 2
    assert any("lowest on this grid" in c.value for c in app.caption)
    assert any("Expected calibration error" in c.value for c in app.caption)
    assert {"Calibration", "Fairness on the hold-out", "Model documentation"} <= {h.value for h in app.subheader}
    assert {row for row in app.table[0].value.iloc[:, 0]} == {"gender", "age band", "family status"}
    assert any(b.label == "Download the model documentation (HTML)" for b in app.get("download_button"))
    app.sidebar.radio[1].set_value("page_monitoring").run()
    assert not app.exception and "monitor service is not answering" in app.warning[0].value
