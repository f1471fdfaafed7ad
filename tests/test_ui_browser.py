"""The dashboard in a real browser: Debian's chromium, headless, driven by Playwright, against the
UI served by Streamlit with the real scoring API, explainer and monitor behind it.

An officer's journey: look an applicant up, read the decision and reasons, compare with the
population, lower the amount in what-if and see the decision change, score a CSV, open the model
and monitoring pages, switch to French. Screenshots of each page and the measured draw time go to
``UI_ARTEFACTS`` (default ``build/ui-artefacts``, not committed). Any Streamlit exception on a page
fails the test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
from support import refused_with_offer, served

pytestmark = pytest.mark.integration
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
APP = Path(__file__).parents[1] / "services" / "ui" / "src" / "credit_ui" / "app.py"
# no background connections: the machine's network is closed and chromium would keep trying
CHROMIUM_FLAGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTEFACTS = Path(os.environ.get("UI_ARTEFACTS", Path(__file__).parents[1] / "build" / "ui-artefacts"))

if not Path(CHROMIUM).exists():
    pytest.skip(
        "Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)", allow_module_level=True
    )
sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright


@pytest.fixture(scope="module")
def dashboard(ui_stack: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {
        "UI_SCORING_API_URL": ui_stack["scoring"],
        "UI_EXPLAINER_URL": ui_stack["explainer"],
        "UI_MONITOR_URL": ui_stack["monitor"],
        "UI_AUTH": "disabled",  # every page in one journey; signing in: test_dashboard_sign_in.py
    }
    args = ["run", str(APP), "--server.port", "{port}", "--server.headless", "true"]
    args += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    log = tmp_path_factory.mktemp("ui") / "streamlit.log"
    with served("streamlit", env, log, args=args, ready="/_stcore/health") as url:
        yield url


@pytest.fixture(scope="module")
def drifted(ui_stack: dict[str, str], synthetic: Path) -> dict[str, Any]:
    """Traffic with shifted external scores, and a drift run over it."""
    command = [sys.executable, "-m", "credit_monitor.cli", "simulate", "--api", ui_stack["scoring"]]
    command += ["--data", str(synthetic), "--n", "300", "--scenario", "ext-source-shift"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    time.sleep(1.5)  # the prediction log is written in the background
    run = httpx.post(f"{ui_stack['monitor']}/v1/drift/runs", json={"last": 300}, timeout=120)
    assert run.status_code == 201, run.text
    return run.json()  # type: ignore[no-any-return]


def test_a_report_opened_by_itself_draws_under_its_strict_policy(
    ui_stack: dict[str, str], drifted: dict[str, Any]
) -> None:
    """The monitor serves reports with a CSP that lets only their own inline code run, sandboxed,
    and nosniff: the report still draws, and the browser reports no blocked script."""
    url = f"{ui_stack['monitor']}/v1/drift/runs/{drifted['id']}/report"
    headers = httpx.get(url, timeout=30).headers
    assert (
        "sandbox allow-scripts" in headers["content-security-policy"] and headers["x-content-type-options"] == "nosniff"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        blocked: list[str] = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda e: blocked.append(str(e)))
        try:
            page.goto(url)
            page.get_by_text("EXT_SOURCE_2").first.wait_for(timeout=30_000)  # drawn by the report's script
        finally:
            browser.close()
    assert not blocked, blocked


def _settled(page: Any, timeout: float = 30) -> None:
    """Wait until the script run is over (Streamlit marks its app root) and every chart (Vega-Lite)
    has drawn; then check that no exception is shown."""
    page.wait_for_timeout(100)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout * 1000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]')]"
        ".every(c => c.querySelector('.vega-embed canvas, .vega-embed svg'))",
        timeout=timeout * 1000,
    )
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def test_an_officer_journey_in_chromium(
    dashboard: str, ui_stack: dict[str, str], drifted: dict[str, Any], synthetic: Path, tmp_path: Path
) -> None:
    applicant, offer = refused_with_offer(ui_stack["explainer"], synthetic)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 2400})  # tall: Streamlit scrolls inside the page
        try:
            _journey(page, dashboard, applicant, offer, drifted, synthetic, tmp_path, timings)
        except Exception:
            _shot(page, "failure")
            raise
        finally:
            browser.close()
    (ARTEFACTS / "timings.json").write_text(json.dumps(timings, indent=1))
    print(f"\napplicant page fully drawn {timings['applicant_page_seconds']:.2f} s after the look-up")


def _journey(
    page: Any,
    dashboard: str,
    applicant: int,
    offer: dict[str, float],
    drifted: dict[str, Any],
    synthetic: Path,
    tmp_path: Path,
    timings: dict[str, float],
) -> None:
    page.goto(dashboard)
    page.get_by_role("heading", name="Credit scoring").wait_for(timeout=60_000)
    _settled(page)

    # look up: the decision, the reasons, the counter-offer, fully drawn
    page.get_by_label("Applicant number").fill(str(applicant))
    page.get_by_label("Applicant number").press("Enter")
    _settled(page)
    page.get_by_label("Why you look this applicant up").click()
    page.get_by_text("Reviewing the application", exact=True).click()
    _settled(page)
    start = time.perf_counter()
    page.get_by_role("button", name="Look up").click()
    page.get_by_text("Counter-offer").wait_for(timeout=30_000)
    _settled(page)
    timings["applicant_page_seconds"] = time.perf_counter() - start
    assert page.get_by_text("✖ Refused").count() >= 1
    assert page.get_by_text("Raises the risk").is_visible() and page.get_by_text("Lowers the risk").is_visible()
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 2
    _shot(page, "1-applicant")

    page.get_by_text("Compared with others", exact=True).click()
    page.get_by_text("Comparable group (").wait_for()
    _settled(page)
    _shot(page, "2-population")

    # what-if: the counter-offer's amount and annuity grant the loan
    page.get_by_text("What if", exact=True).click()
    page.get_by_label("Credit amount").fill(str(offer["amount"]))
    page.get_by_label("Loan annuity").fill(str(offer["annuity"]))
    page.get_by_role("button", name="Score the change").click()
    page.get_by_text("The decision changes: Refused → Granted").wait_for(timeout=30_000)
    _settled(page)
    _shot(page, "3-what-if")

    # batch: a CSV of applications scored, the file offered back
    csv = tmp_path / "applications.csv"
    pl.read_parquet(synthetic / "application_test.parquet").head(25).write_csv(csv)
    page.get_by_text("Batch", exact=True).click()
    _settled(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(csv))
    page.get_by_text("Applications scored").wait_for(timeout=30_000)
    _settled(page)
    page.get_by_role("button", name="Download the scored file").wait_for(timeout=30_000)
    _shot(page, "4-batch")

    page.get_by_text("Model", exact=True).click()
    page.get_by_text("Business cost vs threshold").wait_for(timeout=30_000)
    _settled(page)
    _shot(page, "5-model")

    page.get_by_text("Monitoring", exact=True).click()
    page.get_by_text(f"Latest run #{drifted['id']}").wait_for(timeout=30_000)
    _settled(page)
    # the Evidently report draws itself in a sandboxed frame (an origin of its own)
    page.get_by_text("Evidently report of the latest run").click()
    report = page.frame_locator("iframe").frame_locator('iframe[title="report"]')
    report.get_by_text("EXT_SOURCE_2").first.wait_for(timeout=30_000)
    _shot(page, "6-monitoring")

    page.get_by_text("Français", exact=True).click()
    page.get_by_role("heading", name="Scoring crédit").wait_for()
    page.get_by_text(f"Dernière analyse n° {drifted['id']}").wait_for()
    _settled(page)
    _shot(page, "7-monitoring-fr")
