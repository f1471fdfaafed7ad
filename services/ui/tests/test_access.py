"""Signing in to the dashboard with local users (AppTest): nothing before signing in, a wrong
password refused, each role sees its pages only; the users file holds hashes, never passwords."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from credit_ui.users import Users, demo_users, hash_password, load, sign_in, verify_password
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).parents[1] / "src" / "credit_ui" / "app.py")
PASSWORDS = {"olivia": "officer-password-1", "oscar": "ops-password-1234", "rita": "risk-password-12"}
ROLES = {"olivia": ["officer"], "oscar": ["ops"], "rita": ["risk", "officer"]}


@pytest.fixture
def local_users(monkeypatch: pytest.MonkeyPatch) -> None:
    users = {n: {"roles": ROLES[n], "password_hash": hash_password(p)} for n, p in PASSWORDS.items()}
    monkeypatch.setenv("UI_AUTH", "local")
    monkeypatch.setenv("UI_USERS", json.dumps(users))
    monkeypatch.setenv("UI_SCORING_API_URL", "http://127.0.0.1:9")  # nothing answers: no data to show anyway
    monkeypatch.setenv("UI_EXPLAINER_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("UI_MONITOR_URL", "http://127.0.0.1:9")


def _signed_in(name: str, password: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=30).run()
    app.text_input(key="sign_in_name").input(name)
    app.text_input(key="sign_in_password").input(password)
    app.button[0].click().run()
    assert not app.exception, app.exception
    return app


def test_nothing_but_the_sign_in_before_signing_in(local_users: None) -> None:
    app = AppTest.from_file(APP, default_timeout=30).run()
    assert [i.label for i in app.text_input] == ["User name", "Password"]
    assert len(app.sidebar.radio) == 1  # the language only: no page listed
    assert not app.markdown and not app.get("vega_lite_chart")


def test_a_wrong_password_or_an_unknown_user_is_refused(local_users: None) -> None:
    for name, password in (("olivia", "ops-password-1234"), ("nobody", "officer-password-1")):
        app = _signed_in(name, password)
        assert app.error[0].value == "Wrong user name or password." and len(app.sidebar.radio) == 1


@pytest.mark.parametrize(
    "name, pages",
    [
        ("olivia", ["page_applicant", "page_batch"]),
        ("oscar", ["page_monitoring"]),
        ("rita", ["page_applicant", "page_batch", "page_model"]),
    ],
)
def test_each_role_sees_its_pages_only(local_users: None, name: str, pages: list[str]) -> None:
    app = _signed_in(name, PASSWORDS[name])
    assert app.sidebar.radio(key="page").options == [app_page_label(p) for p in pages]
    assert f"Signed in as {name}" in app.sidebar.caption[0].value
    app.sidebar.button(key="sign_out").click().run()
    assert [i.label for i in app.text_input] == ["User name", "Password"]


def app_page_label(page: str) -> str:
    from credit_ui.i18n import t

    return t(page, "en")


def test_the_users_file_holds_hashes_that_check_passwords(tmp_path: Path) -> None:
    stored = hash_password("officer-password-1")
    assert (
        stored.startswith("scrypt$")
        and "officer-password-1" not in stored
        and stored != hash_password("officer-password-1")
    )
    assert verify_password("officer-password-1", stored) and not verify_password("officer-password-2", stored)
    users, passwords = demo_users()
    assert sign_in(users, "ops", passwords["ops"]) is not None and sign_in(users, "ops", passwords["risk"]) is None
    file = tmp_path / "users.json"
    command = [
        sys.executable,
        "-m",
        "credit_ui.users",
        "add",
        str(file),
        "alice",
        "--role",
        "officer",
        "--password-stdin",
    ]
    done = subprocess.run(command, input="alice-password-1\n", capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    added = load(file.read_text())
    assert "alice-password-1" not in file.read_text() and oct(file.stat().st_mode)[-3:] == "600"
    assert sign_in(added, "alice", "alice-password-1").roles == {"officer"}  # type: ignore[union-attr]
    short = subprocess.run(command, input="short\n", capture_output=True, text=True, check=False)
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    with pytest.raises(ValueError, match="user names must match"):
        Users.model_validate({"a b/": {"roles": ["ops"], "password_hash": stored}}).check()
