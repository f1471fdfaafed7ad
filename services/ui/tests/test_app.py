"""The dashboard's logic with Streamlit's AppTest: it renders in both languages, checks input, and
says plainly when a service is down (the browser test with the real services is separate)."""

from __future__ import annotations

import socket
from datetime import datetime
from pathlib import Path

import pytest
from credit_core.catalogue import feature_catalogue
from credit_core.schema import APPLICATION_TEST
from credit_ui.form import problems
from credit_ui.i18n import date, number, percent, t
from credit_ui.labels import FRENCH, GROUPS_FR, label, value_text
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).parents[1] / "src" / "credit_ui" / "app.py")


@pytest.fixture
def nothing_listening(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every service URL on a loopback port where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for name in ("SCORING_API_URL", "EXPLAINER_URL", "MONITOR_URL"):
        monkeypatch.setenv(f"UI_{name}", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("UI_TIMEOUT", "2")


def test_the_page_renders_in_english_and_in_french(nothing_listening: None) -> None:
    app = AppTest.from_file(APP).run()
    assert not app.exception and app.title[0].value == "Credit scoring"
    app.sidebar.radio[0].set_value("fr").run()
    assert app.title[0].value == "Scoring crédit" and app.text_input[0].label == "Numéro du demandeur"


def test_an_applicant_number_must_be_a_whole_number(nothing_listening: None) -> None:
    app = AppTest.from_file(APP).run()
    app.text_input[0].input("10x01").run()
    app.button[0].click().run()
    assert not app.exception and "whole number" in app.error[0].value


def test_a_look_up_needs_a_reason(nothing_listening: None) -> None:
    app = AppTest.from_file(APP).run()
    app.text_input[0].input("100001").run()
    app.button(key="look_up").click().run()
    assert not app.exception and "every look-up is recorded" in app.warning[-1].value


def test_a_service_that_is_down_gets_a_friendly_message(nothing_listening: None) -> None:
    app = AppTest.from_file(APP).run()
    app.text_input[0].input("100001").run()
    app.selectbox(key="access_reason").set_value("customer-request").run()
    app.button[0].click().run()
    assert not app.exception
    assert "scoring service is not answering" in app.warning[0].value


def test_numbers_and_dates_as_each_locale_writes_them() -> None:
    assert number(1234567.891, "en", 2) == "1,234,567.89"
    assert number(1234567.891, "fr", 2) == "1\u202f234\u202f567,89"
    assert percent(0.0832, "en") == "8.3%" and percent(0.0832, "fr") == "8,3\u00a0%"
    assert date(datetime(2026, 11, 27, 9, 5), "fr") == "27/11/2026 09:05"
    assert t("distance", "fr", distance="1,2", side=t("below", "fr")) == "1,2 points en dessous du seuil"
    assert t("unknown_key", "fr") == "unknown_key"


@pytest.mark.parametrize(("page", "services"), [("page_batch", 0), ("page_model", 2), ("page_monitoring", 1)])
def test_other_pages_say_which_service_is_down(nothing_listening: None, page: str, services: int) -> None:
    app = AppTest.from_file(APP).run()
    app.sidebar.radio[1].set_value(page).run()
    assert not app.exception
    assert len(app.warning) == services and all("is not answering" in w.value for w in app.warning)


def test_every_field_feature_and_topic_has_a_french_label() -> None:
    catalogue = feature_catalogue()
    names = {c.name for c in APPLICATION_TEST.columns} | {row["name"] for row in catalogue}
    assert names <= set(FRENCH), sorted(names - set(FRENCH))
    assert {row["group"] for row in catalogue} <= set(GROUPS_FR)
    assert label("INST_LATE_SHARE", "fr") == "Part des échéances payées en retard"
    assert label("APARTMENTS_MEDI", "fr") == "Immeuble : taille des appartements (médiane)"
    assert label("INST_LATE_SHARE", "en") == "Share of instalments paid late"


def test_values_are_written_in_their_unit_for_each_locale() -> None:
    assert value_text(-438, "days", "en") == "1.2 years" and value_text(-438, "days", "fr") == "1,2 ans"
    assert value_text(0.153, "ratio", "fr") == "15,3\u00a0%" and value_text(1, "flag", "fr") == "oui"
    assert value_text(1234567.0, "currency", "fr") == "1\u202f234\u202f567"
    assert (
        value_text(None, "currency", "fr") == "non renseigné" and value_text("Cash loans", None, "fr") == "Cash loans"
    )


def test_the_form_rules_name_the_field_and_what_is_wrong() -> None:
    good = {"SK_ID_CURR": 1, "AMT_INCOME_TOTAL": 100_000.0, "AMT_CREDIT": 200_000.0, "DAYS_BIRTH": -12_000}
    assert problems(good, "en") == {}
    found = problems(
        good | {"AMT_ANNUITY": 300_000.0, "DAYS_BIRTH": -100, "CNT_CHILDREN": 2, "CNT_FAM_MEMBERS": 2}, "en"
    )
    assert found == {
        "DAYS_BIRTH": "must be between 10 and 109.5",
        "AMT_ANNUITY": "the annuity cannot exceed the credit amount",
        "CNT_FAM_MEMBERS": "the family counts at least the applicant and the children",
    }
    missing = problems({k: v for k, v in good.items() if k != "AMT_CREDIT"}, "fr")
    assert missing == {"AMT_CREDIT": "obligatoire"}
    assert "NAME_CONTRACT_TYPE" in problems(good | {"NAME_CONTRACT_TYPE": "Mortgage"}, "en")


def test_the_form_checks_as_you_type_with_every_service_down(nothing_listening: None) -> None:
    app = AppTest.from_file(APP).run()
    app.sidebar.radio[0].set_value("fr").run()
    app.radio(key="mode").set_value("new").run()
    assert not app.exception and not app.error and not app.button(key="score_application").disabled
    app.number_input(key="form_DAYS_BIRTH").set_value(5.0).run()
    assert [e.value for e in app.error] == ["Âge : doit être entre 10 et 109,5"]
    assert app.button(key="score_application").disabled and "1 champ(s)" in app.warning[0].value
    app.number_input(key="form_DAYS_BIRTH").set_value(35.0).run()
    app.button(key="score_application").click().run()
    assert not app.exception and "Le service scoring ne répond pas" in app.warning[0].value
