"""The end-to-end scenario, against a running stack: processes on this machine (`make e2e`) or the
compose containers (`make compose-test`). The stack is given by E2E_* variables (see e2e/stack.py);
it holds a trained and promoted champion and ingested test applicants.

Scenario: every service ready; the registry's champion is the model that scores; score an
application, explain it (same probability, same version); send drifted traffic, run drift through
the monitor and see it flagged; the dashboard in headless Chromium shows an applicant's decision
and the monitor's recommendation.
"""

from __future__ import annotations

import html
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from credit_core.contracts.applications import EXAMPLE_APPLICATION
from credit_core.reason_codes import reason_catalogue

ENV = os.environ
if "E2E_SCORING_URL" not in ENV:
    pytest.skip("no stack to test: run `make e2e` or `make compose-test`", allow_module_level=True)

SCORING, EXPLAINER, MONITOR = ENV["E2E_SCORING_URL"], ENV["E2E_EXPLAINER_URL"], ENV["E2E_MONITOR_URL"]
UI, MLFLOW, EVIDENTLY = ENV["E2E_UI_URL"], ENV["E2E_MLFLOW_URL"], ENV["E2E_EVIDENTLY_URL"]
SERVICES_USER = ("services", ENV.get("E2E_MLFLOW_SERVICES_PASSWORD", ""))  # what the services read the registry as
KEYS = {
    "scoring": {"X-API-Key": ENV.get("E2E_SCORING_API_KEY", "")},
    "explainer": {"X-API-Key": ENV.get("E2E_EXPLAINER_API_KEY", "")},
    "ops": {"X-API-Key": ENV.get("E2E_OPS_API_KEY", "")},  # ops on call: drift runs, reloads
}
TRAFFIC = int(ENV.get("E2E_TRAFFIC", "1200"))
ARTEFACTS = Path(ENV.get("E2E_ARTEFACTS", "build/e2e"))


@pytest.fixture(scope="module")
def champion() -> str:
    answer = httpx.get(
        f"{MLFLOW}/api/2.0/mlflow/registered-models/alias",
        params={"name": "credit-default", "alias": "champion"},
        auth=SERVICES_USER,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["model_version"]["version"])


def test_every_service_is_ready() -> None:
    for url in (f"{SCORING}/ready", f"{EXPLAINER}/ready", f"{MONITOR}/ready", f"{UI}/_stcore/health"):
        assert httpx.get(url, timeout=30).status_code == 200, url


def test_score_and_explain_one_application_with_the_champion(champion: str) -> None:
    body = {"application": EXAMPLE_APPLICATION}
    assert httpx.post(f"{SCORING}/v1/scores", json=body, timeout=30).status_code == 401  # keys are required
    score = httpx.post(f"{SCORING}/v1/scores", json=body, headers=KEYS["scoring"], timeout=30)
    assert score.status_code == 200, score.text
    scored = score.json()
    assert 0 < scored["probability"] < 1 and scored["model_version"] == champion
    explanation = httpx.post(f"{EXPLAINER}/v1/explanations", json=body, headers=KEYS["explainer"], timeout=60)
    assert explanation.status_code == 200, explanation.text
    explained = explanation.json()
    assert explained["probability"] == pytest.approx(scored["probability"], abs=1e-9)
    assert explained["model_version"] == champion and explained["towards_default"] + explained["towards_repayment"]


def test_each_key_does_only_what_its_client_may() -> None:
    dashboard = httpx.post(f"{SCORING}/v1/admin/reload", headers=KEYS["scoring"], timeout=30)
    assert dashboard.status_code == 403 and "'admin' scope" in dashboard.json()["detail"]
    assert httpx.post(f"{SCORING}/v1/admin/reload", headers=KEYS["ops"], timeout=60).status_code == 200
    assert httpx.get(f"{MONITOR}/v1/drift/summary", headers=KEYS["explainer"], timeout=30).status_code == 401


def test_the_registry_cannot_be_changed_without_the_trainers_user(champion: str) -> None:
    """Without a user nothing is answered; the services' user reads the champion (the services are
    ready: they loaded it with it) but cannot register a version or move the alias."""
    alias = {"name": "credit-default", "alias": "champion", "version": champion}
    version = {"name": "credit-default", "source": "s3://mlflow/artifacts/elsewhere"}
    for auth, expected in ((None, 401), (SERVICES_USER, 403)):
        created = httpx.post(f"{MLFLOW}/api/2.0/mlflow/model-versions/create", json=version, auth=auth, timeout=30)
        moved = httpx.post(f"{MLFLOW}/api/2.0/mlflow/registered-models/alias", json=alias, auth=auth, timeout=30)
        assert (created.status_code, moved.status_code) == (expected, expected), (created.text, moved.text)
    read = {"name": "credit-default", "alias": "champion"}
    assert httpx.get(f"{MLFLOW}/api/2.0/mlflow/registered-models/alias", params=read, timeout=30).status_code == 401
    for service in (SCORING, EXPLAINER, MONITOR):
        assert httpx.get(f"{service}/ready", timeout=30).json()["model"]["version"] == champion


def _traffic_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Applicants to send: E2E_DATA, or synthetic ones generated here."""
    if "E2E_DATA" in ENV:
        return Path(ENV["E2E_DATA"])
    folder = tmp_path_factory.mktemp("traffic")
    command = [sys.executable, "-m", "credit_trainer.cli", "synth", "--out", str(folder)]
    command += ["--applicants", "200", "--test-applicants", str(TRAFFIC), "--format", "parquet", "--seed", "77"]
    subprocess.run(command, check=True, capture_output=True)
    return folder


@pytest.fixture(scope="module")
def drift_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    command = [sys.executable, "-m", "credit_monitor.cli", "simulate", "--api", SCORING]
    command += ["--data", str(_traffic_data(tmp_path_factory)), "--n", str(TRAFFIC), "--scenario", "ext-source-shift"]
    command += ["--api-key", KEYS["scoring"]["X-API-Key"]]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "failed 0" in done.stdout, done.stdout[-2000:] + done.stderr[-2000:]
    time.sleep(2)  # the prediction log is written in the background
    run = httpx.post(f"{MONITOR}/v1/drift/runs", json={"last": TRAFFIC}, headers=KEYS["ops"], timeout=600)
    assert run.status_code == 201, run.text
    return run.json()  # type: ignore[no-any-return]


def test_drifted_traffic_is_flagged_by_the_monitor(drift_run: dict[str, Any]) -> None:
    assert drift_run["current_rows"] == TRAFFIC and drift_run["dataset_drift"] is True
    assert drift_run["status"] == "retrain recommended", drift_run["reasons"]
    drifted = {c["column"] for c in drift_run["column_results"] if c["drifted"]}
    assert {"EXT_SOURCE_2", "EXT_SOURCE_3"} <= drifted
    report = httpx.get(f"{MONITOR}/v1/drift/runs/{drift_run['id']}/report", headers=KEYS["ops"], timeout=60)
    assert report.status_code == 200 and "drawDashboard" in report.text and "EXT_SOURCE_2" in report.text


def _sign_in(page: Any, user: str) -> None:
    page.goto(UI, timeout=60_000)
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password", exact=True).fill(ENV.get(f"E2E_DASHBOARD_{user.upper()}_PASSWORD", ""))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {user}").wait_for(timeout=60_000)


def _chromium(playwright: Any) -> Any:
    """Debian's chromium, headless, asking nothing of the network; the artefacts' folder made."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is not installed (apt-get install chromium)"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    flags = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
    return playwright.chromium.launch(executable_path=chromium, headless=True, args=flags)


def _download(page: Any, button: str) -> Any:
    """Click a download button once the app has finished its run, and the download it gives. A
    click while Streamlit redraws the page lands on an element about to be replaced and starts
    nothing; the button does not rerun the app (``on_click="ignore"``), so a second click is safe."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(3):
        page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=60_000)
        try:
            with page.expect_download(timeout=20_000) as download:
                page.get_by_role("button", name=button).click()
            return download.value
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def test_the_dashboard_in_chromium(drift_run: dict[str, Any], champion: str) -> None:
    from playwright.sync_api import sync_playwright

    answer = httpx.get(f"{SCORING}/v1/applicants", params={"limit": 200}, headers=KEYS["scoring"], timeout=30)
    stored = answer.json()["applicant_ids"]
    assert stored, "no applicant was ingested"
    with httpx.Client(base_url=SCORING, headers=KEYS["scoring"], timeout=30) as scoring:  # one the model refuses
        answers = (scoring.get(f"/v1/applicants/{i}/score").json() | {"applicant": i} for i in stored)
        refused = next(a["applicant"] for a in answers if a["decision"] == "refused" and a["reasons"])
    with sync_playwright() as playwright:
        browser = _chromium(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 2000})
        try:
            _sign_in(page, "officer")
            page.get_by_label("Applicant number").fill(str(refused))
            page.get_by_label("Applicant number").press("Enter")
            page.get_by_label("Why you look this applicant up").click()
            page.get_by_text("Reviewing the application", exact=True).click()
            page.get_by_role("button", name="Look up").click()
            page.get_by_text("Probability of default").first.wait_for(timeout=60_000)
            page.get_by_text("Raises the risk").wait_for(timeout=60_000)
            page.get_by_text("Principal reasons for the refusal").wait_for(timeout=60_000)
            page.screenshot(path=str(ARTEFACTS / "applicant.png"), full_page=True)

            # the notice, in both languages, names the reasons the page gives
            page.get_by_text("Decision record", exact=True).click()
            notices = {}
            for language in ("English", "Français"):
                download = _download(page, f"Notice to the applicant ({language})")
                notices[language] = Path(download.path()).read_text(encoding="utf-8")
                request_id = download.suggested_filename.split("-")[1]
            record = httpx.get(f"{SCORING}/v1/decisions/{request_id}", headers=KEYS["scoring"], timeout=30).json()
            assert record["decision"] == "refused" and record["on_behalf_of"] == "officer"
            catalogue = reason_catalogue()
            for language, text in notices.items():
                code = "fr" if language == "Français" else "en"
                texts = [html.escape(catalogue.get(r["code"]).text(code)) for r in record["reasons"]]
                assert texts and all(t in text for t in texts), (language, texts)

            # the officer grants it, with a reason and a comment; the record keeps both decisions
            page.get_by_label("Comment (what you saw, at least 10 characters)").fill("Payslips for six months seen")
            page.get_by_role("button", name="Record the override").click()
            page.get_by_text("officer changed it from Refused to Granted").wait_for(timeout=60_000)
            page.screenshot(path=str(ARTEFACTS / "override.png"), full_page=True)
            record = httpx.get(f"{SCORING}/v1/decisions/{request_id}", headers=KEYS["scoring"], timeout=30).json()
            assert record["decision"] == "refused" and record["final_decision"] == "granted"
            assert [(o["by"], o["from_decision"], o["to_decision"]) for o in record["overrides"]] == [
                ("officer", "refused", "granted")
            ]

            page = browser.new_context(viewport={"width": 1280, "height": 2000}).new_page()
            _sign_in(page, "ops")  # the monitoring page is ops'
            page.get_by_text("Monitoring", exact=True).click()
            page.get_by_text("Retrain recommended").first.wait_for(timeout=60_000)
            page.get_by_text("Officers' overrides").wait_for(timeout=60_000)
            version = page.locator("th", has_text=re.compile(rf"^\s*{champion}\s*$"))
            row = page.locator("table").filter(has_text="Override rate").locator("tbody tr").filter(has=version)
            row.wait_for(timeout=60_000)  # the header is drawn before the monitor answers, the table after
            cells = [c.strip() for c in row.locator("td").all_inner_texts()]  # decisions, overridden, rate, r->g, g->r
            assert cells[1] == "1" and cells[3] == "1", cells
            reasons = page.locator("table").filter(has_text="Additional information")
            assert (
                reasons.locator("tr", has_text="Additional information").locator("td").last.inner_text().strip() == "1"
            )
            page.screenshot(path=str(ARTEFACTS / "monitoring.png"), full_page=True)
            assert page.locator('[data-testid="stException"]').count() == 0
        except Exception:
            page.screenshot(path=str(ARTEFACTS / "failed.png"), full_page=True)  # what the page showed
            print("the page said:", page.inner_text("body")[-3000:])  # in CI's output, where no screenshot is
            raise
        finally:
            browser.close()


def test_the_runs_are_in_evidently_ui_and_the_dashboard_links_to_it(drift_run: dict[str, Any]) -> None:
    """After the drift scenario: the monitoring page's link opens Evidently's UI, which holds the
    model's project with the monitor's panels (drawn) and the run's snapshots."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = _chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 2000})
        try:
            _sign_in(page, "ops")
            page.get_by_text("Monitoring", exact=True).click()
            link = page.get_by_role("link", name=re.compile("Open the runs in Evidently"))
            link.wait_for(timeout=60_000)
            with page.expect_popup(timeout=30_000) as opened:
                link.click()
            page = opened.value
            page.wait_for_load_state()
            assert page.url.rstrip("/") == EVIDENTLY.rstrip("/")
            page.get_by_text("credit-default", exact=True).first.click(timeout=60_000)
            for title in (
                "Drift share and drifted importance",
                "Drifted importance (latest run)",
                "PSI of the top features",
                "Probability drift",
                "Refusal rate",
                "Expected and realised cost per 1,000",
                "Override rate",
            ):
                page.get_by_text(title, exact=True).first.wait_for(timeout=60_000)
            assert page.locator("svg").count() >= 3  # the panels are drawn, not only titled
            page.screenshot(path=str(ARTEFACTS / "evidently-dashboard.png"), full_page=True)
            page.get_by_text("Reports", exact=True).first.click()
            page.get_by_text(f"drift run {drift_run['id']}", exact=True).first.wait_for(timeout=60_000)
            page.get_by_text(f"run {drift_run['id']} figures", exact=True).first.wait_for(timeout=60_000)
            page.screenshot(path=str(ARTEFACTS / "evidently-reports.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(ARTEFACTS / "failed-evidently.png"), full_page=True)
            print("the page said:", page.inner_text("body")[-3000:])
            raise
        finally:
            browser.close()


def test_the_model_documentation_opens_from_the_dashboard_with_every_section_filled(champion: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = _chromium(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 2000})
        try:
            _sign_in(page, "risk")  # the model page is the risk reviewers' (their only page)
            page.get_by_text("Fairness on the hold-out").wait_for(timeout=60_000)
            download = _download(page, "Download the model documentation (HTML)")
            saved = ARTEFACTS / download.suggested_filename
            download.save_as(saved)
            assert saved.name == f"model-documentation-v{champion}.html"
            # opened in the browser as a reviewer would, straight from the file
            document = browser.new_page()
            document.goto(saved.as_uri())
            assert document.locator("h1").inner_text() == f"Model documentation: credit-default version {champion}"
            sections = document.locator("section")
            titles = [t.strip() for t in document.locator("section h2").all_inner_texts()]
            assert titles[0].startswith("1. General description") and titles[-1] == "9. Post-market monitoring plan"
            assert {"2(e). Performance on the hold-out, with intervals", "2(f). Calibration", "2(g). Fairness"} <= set(
                titles
            )
            for i, title in enumerate(titles):
                text = sections.nth(i).inner_text().removeprefix(title).strip()
                assert len(text) > 80, f"section {title!r} is empty"
            assert document.locator("img").count() >= 2  # the cost curve and the reliability diagram
            document.screenshot(path=str(ARTEFACTS / "documentation.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(ARTEFACTS / "failed-documentation.png"), full_page=True)
            print("the page said:", page.inner_text("body")[-3000:])
            raise
        finally:
            browser.close()


def test_retrain_recommended_is_trained_and_the_challenger_promoted_or_refused_by_the_rules(
    drift_run: dict[str, Any],
) -> None:
    """Drifted traffic -> retrain recommended -> the trainer takes the request (E2E_RETRAIN_COMMAND:
    `credit-trainer retrain --once` as a process, or the compose retrainer) -> a challenger
    registered -> promoted or refused with the promotion rules' reason, read from the monitor.
    Last: a promotion changes the champion the other tests look at."""
    requests = httpx.get(f"{MONITOR}/v1/retrain", headers=KEYS["ops"], timeout=30).json()
    (asked,) = [r for r in requests if r["run_id"] == drift_run["id"]]
    assert asked["status"] == "pending" and asked["trigger"] == "drift run"
    done = subprocess.run(
        shlex.split(ENV["E2E_RETRAIN_COMMAND"]), capture_output=True, text=True, check=False, timeout=1800
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    finished = httpx.get(f"{MONITOR}/v1/retrain/{asked['id']}", headers=KEYS["ops"], timeout=30).json()
    assert finished["status"] in ("promoted", "refused"), finished
    assert finished["challenger_version"] and finished["trainer_run_id"] and finished["claimed_by"] == "trainer"
    assert (
        f"version {finished['challenger_version']}" in finished["outcome"] and "champion version" in finished["outcome"]
    )
    print(f"retrain request {asked['id']}: {finished['status']}: {finished['outcome']}")
