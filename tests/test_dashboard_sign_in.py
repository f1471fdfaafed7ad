"""Signing in to the dashboard, in Debian's chromium, with the services behind it: local users (as
in docker compose) and OpenID Connect through Streamlit's ``st.login`` against an OpenID provider
started here on loopback (oidc-provider-mock: discovery, authorisation code flow, signed ID tokens).

Nothing is shown before signing in; a wrong password is refused; an officer cannot open the
monitoring page, an ops user cannot open an applicant; the officer's look-up is in the scoring
API's access log with its reason, and the decision record names the officer."""

from __future__ import annotations

import json
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import polars as pl
import pytest
import sqlalchemy as sa
from credit_ui.users import hash_password
from support import served

pytestmark = pytest.mark.integration
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
APP = Path(__file__).parents[1] / "services" / "ui" / "src" / "credit_ui" / "app.py"
CHROMIUM_FLAGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORDS = {"olivia": "olivia-officer-password", "oscar": "oscar-ops-password-1"}
if not Path(CHROMIUM).exists():
    pytest.skip(
        "Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)", allow_module_level=True
    )
sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright


def _dashboard(ui_stack: dict[str, str], env: dict[str, str], folder: Path, extra: list[str]) -> Any:
    env = {
        "UI_SCORING_API_URL": ui_stack["scoring"],
        "UI_EXPLAINER_URL": ui_stack["explainer"],
        "UI_MONITOR_URL": ui_stack["monitor"],
    } | env
    args = ["run", str(APP), "--server.port", "{port}", "--server.headless", "true", *extra]
    args += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    return served("streamlit", env, folder / "streamlit.log", args=args, ready="/_stcore/health")


@pytest.fixture(scope="module")
def local_dashboard(ui_stack: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    users = {
        "olivia": {"display_name": "Olivia", "roles": ["officer"], "password_hash": hash_password(PASSWORDS["olivia"])},
        "oscar": {"roles": ["ops"], "password_hash": hash_password(PASSWORDS["oscar"])},
    }
    file = tmp_path_factory.mktemp("users") / "users.json"
    file.write_text(json.dumps(users))
    with _dashboard(ui_stack, {"UI_AUTH": "local", "UI_USERS_FILE": str(file)}, file.parent, []) as url:
        yield url


def _browser(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)


def _settled(page: Any) -> None:
    page.wait_for_timeout(100)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0


def _sign_in(page: Any, url: str, name: str, password: str) -> None:
    page.goto(url)
    page.get_by_label("User name").wait_for(timeout=60_000)
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    _settled(page)


def _applicant(synthetic: Path) -> int:
    return int(pl.read_parquet(synthetic / "application_test.parquet")["SK_ID_CURR"][7])


def _look_up(page: Any, applicant: int) -> None:
    page.get_by_label("Applicant number").fill(str(applicant))
    page.get_by_label("Applicant number").press("Enter")
    _settled(page)
    page.get_by_label("Why you look this applicant up").click()
    page.get_by_text("The customer asked", exact=True).click()
    _settled(page)
    page.get_by_role("button", name="Look up").click()
    page.get_by_text("Probability of default").first.wait_for(timeout=60_000)
    _settled(page)


def test_local_users_sign_in_and_see_only_what_their_role_may(
    local_dashboard: str, ui_stack: dict[str, str], synthetic: Path
) -> None:
    applicant = _applicant(synthetic)
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            page.goto(local_dashboard)
            page.get_by_label("Password", exact=True).wait_for(timeout=60_000)
            _settled(page)
            body = page.inner_text("body")  # before signing in: the sign-in, nothing else
            assert "Applicant number" not in body and "Monitoring" not in body and "Probability" not in body

            _sign_in(page, local_dashboard, "olivia", "not-her-password-at-all")
            assert page.get_by_text("Wrong user name or password.").is_visible()
            assert page.get_by_label("Applicant number").count() == 0

            _sign_in(page, local_dashboard, "olivia", PASSWORDS["olivia"])
            sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
            assert "Signed in as olivia (officer)" in sidebar and "Batch" in sidebar
            assert "Monitoring" not in sidebar and "Model" not in sidebar  # an officer cannot open them
            _look_up(page, applicant)
            assert page.get_by_text("Granted").count() + page.get_by_text("Refused").count() >= 1

            other = browser.new_context().new_page()
            _sign_in(other, local_dashboard, "oscar", PASSWORDS["oscar"])
            sidebar = other.locator('[data-testid="stSidebar"]').inner_text()
            assert "Monitoring" in sidebar and "Applicant" not in sidebar and "Batch" not in sidebar
            assert other.get_by_label("Applicant number").count() == 0  # an ops user cannot open an applicant
        finally:
            browser.close()
    with sa.create_engine(ui_stack["database"]).connect() as connection:
        looked_up = connection.execute(
            sa.text("SELECT on_behalf_of, action, reason FROM access_log WHERE applicant_id = :a ORDER BY id"),
            {"a": applicant},
        ).all()
        decided_for = connection.execute(
            sa.text("SELECT on_behalf_of FROM predictions WHERE applicant_id = :a AND source = 'store'"),
            {"a": applicant},
        ).scalars()
        people = set(decided_for)
    assert ("olivia", "score", "customer-request") in looked_up and ("olivia", "read", "customer-request") in looked_up
    assert "olivia" in people


@pytest.fixture(scope="module")
def openid_provider() -> Iterator[str]:
    oidc_provider_mock = pytest.importorskip("oidc_provider_mock")
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        url = f"http://localhost:{server.server_port}"
        claims = {"email": "olga@lender.example", "preferred_username": "olga", "name": "Olga", "roles": ["officer"]}
        assert httpx.put(f"{url}/users/{quote('olga')}", json=claims).status_code == 204
        assert httpx.put(f"{url}/users/{quote('nora')}", json={"email": "nora@lender.example"}).status_code == 204
        yield url


def test_openid_connect_sign_in_takes_the_roles_from_the_id_token(
    openid_provider: str, ui_stack: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "secrets.toml").write_text(
        "[auth]\n"
        'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "bank-scoring-dashboard"\n'
        f'client_secret = "{secrets.token_urlsafe(24)}"\n'
        f'server_metadata_url = "{openid_provider}/.well-known/openid-configuration"\n'
    )
    extra = ["--secrets.files", str(tmp_path / "secrets.toml")]
    with _dashboard(ui_stack, {"UI_AUTH": "oidc"}, tmp_path, extra) as url, sync_playwright() as playwright:
        dashboard = url.replace("127.0.0.1", "localhost")  # the host of the redirect URI: the cookie's
        browser = _browser(playwright)
        try:
            for subject, expected in (("olga", "Signed in as olga (officer)"), ("nora", "no role on this dashboard")):
                page = browser.new_context().new_page()
                page.goto(dashboard)
                page.get_by_role("button", name="Sign in with your organisation's account").click()
                page.locator('input[name="sub"]').fill(subject)  # the provider's own form
                page.get_by_role("button", name="Authorize").click()
                page.get_by_text(expected).first.wait_for(timeout=60_000)
                _settled(page)
                if subject == "olga":
                    page.get_by_label("Applicant number").wait_for(timeout=30_000)
                    assert "Monitoring" not in page.locator('[data-testid="stSidebar"]').inner_text()
                else:
                    assert page.get_by_label("Applicant number").count() == 0
        finally:
            browser.close()
