"""The dashboard's logic with Streamlit's AppTest: it renders in both languages, checks input, and
says plainly when a service is down (the browser test with the real services is separate)."""

from __future__ import annotations

import socket
from datetime import datetime
from pathlib import Path

import pytest
from credit_ui.i18n import date, number, percent, t
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


def test_a_service_that_is_down_gets_a_friendly_message(nothing_listening: None) -> None:
    app = AppTest.from_file(APP).run()
    app.text_input[0].input("100001").run()
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


@pytest.mark.parametrize(("page", "services"), [("page_model", 2), ("page_monitoring", 1)])
def test_other_pages_say_which_service_is_down(nothing_listening: None, page: str, services: int) -> None:
    app = AppTest.from_file(APP).run()
    app.sidebar.radio[1].set_value(page).run()
    assert not app.exception
    assert len(app.warning) == services and all("is not answering" in w.value for w in app.warning)
