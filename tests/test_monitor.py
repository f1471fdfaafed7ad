"""The monitor end to end on real parts: the scoring API and the monitor as processes on the real
Postgres, traffic sent by the simulator, drift runs through the monitor's API."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
import sqlalchemy as sa
from credit_monitor.cli import app as monitor_cli
from credit_synthetic import generate
from support import clients_env, served, trained_store
from typer.testing import CliRunner

pytestmark = pytest.mark.integration
KEY = {"X-API-Key": "monitor-key-of-the-tests"}
UI_APP = Path(__file__).parents[1] / "services" / "ui" / "src" / "credit_ui" / "app.py"
EVIDENTLY_SECRET = "evidently-secret-of-the-tests"


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Enough applicants for drift verdicts: a champion trained on 6,400 (its reference sample:
    5,000) and 2,500 test applicants to send as traffic."""
    folder = tmp_path_factory.mktemp("monitor-population")
    generate(folder, 8_000, 2_500, seed=21, fmt="parquet")
    return folder, trained_store(tmp_path_factory.mktemp("monitor-mlflow"), folder, "lightgbm")


def _simulate(api: str, data: Path, n: int, scenario: str) -> str:
    command = [sys.executable, "-m", "credit_monitor.cli", "simulate", "--api", api, "--data", str(data)]
    command += ["--n", str(n), "--scenario", scenario, "--api-key", "scoring-key"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A receiver on loopback that keeps what is POSTed to it."""
    received: list[dict[str, Any]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()


def test_drifted_traffic_is_detected_and_the_recommendation_changes(
    population: tuple[Path, str],
    database: str,
    tmp_path: Path,
    webhook: tuple[str, list[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    synthetic, registry = population
    hook_url, hooked = webhook
    scoring_env = {
        "SCORING_DATABASE_URL": database,
        "SCORING_MLFLOW_TRACKING_URI": registry,
        "SCORING_API_CLIENTS": clients_env("scoring-key"),
        "SCORING_RELOAD_INTERVAL": "0",
    }
    monitor_env = {
        "MONITOR_DATABASE_URL": database,
        "MONITOR_MLFLOW_TRACKING_URI": registry,
        "MONITOR_API_CLIENTS": clients_env("monitor-key-of-the-tests"),
        "MONITOR_REPORTS": str(tmp_path / "reports"),
        "MONITOR_RELOAD_INTERVAL": "0",
        "MONITOR_MIN_OUTCOMES": "50",
        "MONITOR_WEBHOOK_URL": hook_url,
    }
    evidently = ["ui", "--port", "{port}", "--workspace", str(tmp_path / "evidently"), "--secret", EVIDENTLY_SECRET]
    with (
        served("evidently.cli", {}, tmp_path / "evidently.log", args=evidently, ready="/api/version") as evidently_url,
        served("credit_scoring_api.cli", scoring_env, tmp_path / "scoring.log") as scoring_url,
        served(
            "credit_monitor.cli",
            monitor_env | {"MONITOR_EVIDENTLY_WORKSPACE": evidently_url, "MONITOR_EVIDENTLY_SECRET": EVIDENTLY_SECRET},
            tmp_path / "monitor.log",
        ) as monitor_url,
        httpx.Client(base_url=monitor_url, headers=KEY, timeout=120) as monitor,
    ):
        # given traffic like the training population, with some outcomes known
        assert "failed 0" in _simulate(scoring_url, synthetic, 2_000, "none")
        outcomes = pl.read_parquet(synthetic / "application_train.parquet").select("SK_ID_CURR", "TARGET").head(100)
        scoring = httpx.Client(base_url=scoring_url, headers={"X-API-Key": "scoring-key"})
        stable = monitor.post("/v1/drift/runs", json={"last": 2_000})
        assert stable.status_code == 201, stable.text
        stable_run = stable.json()
        assert stable_run["current_rows"] == 2_000 and stable_run["model_version"] == "1"
        assert not stable_run["dataset_drift"] and stable_run["status"] != "retrain recommended", stable_run["reasons"]
        segmentations = {s["segmentation"] for s in stable_run["segments"] if s["judged"]}
        assert segmentations == {"contract type", "income band", "region rating", "age band"}
        expected = stable_run["estimated"]  # before any outcome, from the probabilities
        assert expected["rows"] == 2_000 and expected["holdout_cost_per_1000"] > 0
        assert (
            0
            < expected["cost_per_1000"]["low"]
            <= expected["cost_per_1000"]["value"]
            <= expected["cost_per_1000"]["high"]
        )

        # when the external scores shift
        assert "failed 0" in _simulate(scoring_url, synthetic, 2_000, "ext-source-shift")
        drifted = monitor.post("/v1/drift/runs", json={"last": 2_000}).json()

        # then the run flags it, names the columns, and recommends retraining
        assert drifted["dataset_drift"] and drifted["status"] == "retrain recommended", drifted["reasons"]
        columns = {c["column"]: c for c in drifted["column_results"]}
        assert all(columns[f]["drifted"] for f in ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"))
        assert columns["EXT_SOURCE_2"]["method"] == "psi" and columns["EXT_SOURCE_2"]["statistic"] >= 0.2
        assert any("EXT_SOURCE" in reason for reason in drifted["reasons"])
        assert [h["run_id"] for h in hooked] == [drifted["id"]] and hooked[0]["status"] == "retrain recommended"
        summary = monitor.get("/v1/drift/summary").json()
        assert summary["status"] == "retrain recommended" and [r["id"] for r in summary["trend"]] == [
            stable_run["id"],
            drifted["id"],
        ]
        report = monitor.get(f"/v1/drift/runs/{drifted['id']}/report")
        assert report.status_code == 200 and "text/html" in report.headers["content-type"]
        assert "EXT_SOURCE_2" in report.text and len(report.text) > 10_000
        assert [r["id"] for r in monitor.get("/v1/drift/runs").json()] == [drifted["id"], stable_run["id"]]
        _dashboard_shows_it(monitor_url, monkeypatch)

        # realised performance once outcomes are reported for decisions that were made
        engine = sa.create_engine(database)
        with engine.connect() as connection:
            decided = connection.execute(sa.text("SELECT request_id FROM predictions LIMIT 80")).scalars().all()
        engine.dispose()
        for request_id, defaulted in zip(decided, outcomes["TARGET"].to_list()[:80], strict=True):
            recorded = scoring.post("/v1/outcomes", json={"request_id": request_id, "defaulted": bool(defaulted)})
            assert recorded.status_code == 201, recorded.text
        with_outcomes = monitor.post("/v1/drift/runs", json={"last": 4_000}).json()
        performance = with_outcomes["performance"]
        assert performance["outcomes"] > 50 and 0 <= performance["default_rate"] <= 1
        assert performance["cost_per_1000"] >= 0 and performance["holdout_auc"] > 0.5
        assert performance["expected"]["rows"] == performance["outcomes"]  # realised beside estimated

        # every judged run is in Evidently's UI: its project, two snapshots a run, the monitor's panels
        (project,) = httpx.get(f"{evidently_url}/api/projects").json()
        assert project["name"] == "credit-default"
        names = {s["name"] for s in httpx.get(f"{evidently_url}/api/projects/{project['id']}/snapshots").json()}
        judged = [stable_run["id"], drifted["id"], with_outcomes["id"]]
        assert names == {f"drift run {i}" for i in judged} | {f"run {i} figures" for i in judged}
        dashboard = httpx.get(f"{evidently_url}/api/v2/dashboards/{project['id']}").json()
        assert "PSI of the top features" in json.dumps(dashboard) and "Override rate" in json.dumps(dashboard)

        # refusals say what is wrong
        assert monitor.post("/v1/drift/runs", json={"last": 10}, headers={"X-API-Key": "no"}).status_code == 401
        unknown = monitor.post("/v1/drift/runs", json={"last": 10, "model_version": "99"})
        assert unknown.status_code == 404 and "no version '99'" in unknown.json()["detail"]
        empty = monitor.post("/v1/drift/runs", json={"start": "2099-01-01T00:00:00Z"})
        assert empty.status_code == 422 and "no prediction" in empty.json()["detail"]
        both = monitor.post("/v1/drift/runs", json={"last": 10, "start": "2026-01-01T00:00:00Z"})
        assert both.status_code == 422 and "either last or a time range" in both.text
        few = monitor.post("/v1/drift/runs", json={"last": 20}).json()
        assert few["status"] == "watch" and "at least 1000" in few["reasons"][0] and few["report_uri"] is None
        assert monitor.get(f"/v1/drift/runs/{few['id']}/report").status_code == 404
        assert monitor.get("/v1/drift/runs/999999").status_code == 404
        assert monitor.get("/ready").status_code == 200
        metrics = monitor.get("/metrics").text
        assert "monitor_requests_total" in metrics and 'monitor_latest_status{status="watch"} 1.0' in metrics


def _dashboard_shows_it(monitor_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ops page of the dashboard, on the same monitor (AppTest, no browser)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("UI_MONITOR_URL", monitor_url)
    monkeypatch.setenv("UI_MONITOR_API_KEY", "monitor-key-of-the-tests")
    monkeypatch.setenv("UI_AUTH", "disabled")  # the page itself; signing in: tests/test_dashboard_sign_in.py
    app = AppTest.from_file(str(UI_APP), default_timeout=60).run()
    app.sidebar.radio[1].set_value("page_monitoring").run()
    assert not app.exception and not app.warning
    subheaders = [h.value for h in app.subheader]
    assert "✖ Retrain recommended" in subheaders and {"Expected before outcomes", "Drift per segment"} <= set(
        subheaders
    )
    assert any("EXT_SOURCE" in m.value for m in app.markdown)
    frames = [d.value for d in app.dataframe]
    table = next(f for f in frames if "column" in f.columns)
    assert bool(table.loc[table["column"] == "EXT_SOURCE_2", "drifted"].iloc[0])
    segments = next(f for f in frames if "Segment" in f.columns)
    assert "contract type: Cash loans" in set(segments["Segment"])
    assert len(app.get("vega_lite_chart")) == 1


def test_offline_comparison_of_two_data_sets(synthetic: Path, tmp_path: Path) -> None:
    # given the training applications and a copy of the test ones with lower external scores
    shifted = tmp_path / "shifted.csv"
    pl.read_parquet(synthetic / "application_test.parquet").with_columns(
        pl.col("EXT_SOURCE_2") * 0.5, pl.col("EXT_SOURCE_3") * 0.5
    ).write_csv(shifted)
    out = tmp_path / "report.html"
    # when they are compared offline
    result = CliRunner().invoke(
        monitor_cli, ["drift", "--reference", str(synthetic), "--current", str(shifted), "--out", str(out)]
    )
    # then the shifted columns are listed and the report is written
    assert result.exit_code == 0, result.output
    assert "EXT_SOURCE_2" in result.stdout and "EXT_SOURCE_3" in result.stdout
    assert out.stat().st_size > 10_000
    missing = CliRunner().invoke(
        monitor_cli, ["drift", "--reference", str(tmp_path / "nope"), "--current", str(shifted)]
    )
    assert missing.exit_code == 2 and "nope" in missing.output


def test_retrain_recommended_starts_the_trainer_which_registers_a_challenger_through_the_promotion_rules(
    population: tuple[Path, str], database: str, tmp_path: Path
) -> None:
    """Drifted traffic -> retrain recommended -> a retrain request -> `credit-trainer retrain`
    trains on the data plus the labelled decisions -> challenger registered -> promoted or refused
    with the promotion rules' reason, all read from the monitor's API. (Last in this module: it
    adds a version to the shared registry.)"""
    synthetic, registry = population
    trainer_key = "trainer-key-of-the-tests"
    clients = json.loads(clients_env("monitor-key-of-the-tests")) + json.loads(
        clients_env(trainer_key, "trainer", ("retrain",))
    )
    scoring_env = {
        "SCORING_DATABASE_URL": database,
        "SCORING_MLFLOW_TRACKING_URI": registry,
        "SCORING_API_CLIENTS": clients_env("scoring-key"),
        "SCORING_RELOAD_INTERVAL": "0",
    }
    monitor_env = {
        "MONITOR_DATABASE_URL": database,
        "MONITOR_MLFLOW_TRACKING_URI": registry,
        "MONITOR_API_CLIENTS": json.dumps(clients),
        "MONITOR_REPORTS": str(tmp_path / "reports"),
        "MONITOR_RELOAD_INTERVAL": "0",
        "MONITOR_RETRAIN_ON_RECOMMENDATION": "true",
    }
    with (
        served("credit_scoring_api.cli", scoring_env, tmp_path / "scoring.log") as scoring_url,
        served("credit_monitor.cli", monitor_env, tmp_path / "monitor.log") as monitor_url,
        httpx.Client(base_url=monitor_url, headers=KEY, timeout=120) as monitor,
    ):
        assert "failed 0" in _simulate(scoring_url, synthetic, 2_000, "ext-source-shift")
        engine = sa.create_engine(database)
        with engine.connect() as connection:
            decided = connection.execute(sa.text("SELECT request_id FROM predictions LIMIT 300")).scalars().all()
        engine.dispose()
        labels = pl.read_parquet(synthetic / "application_train.parquet")["TARGET"].to_list()
        with httpx.Client(base_url=scoring_url, headers={"X-API-Key": "scoring-key"}) as scoring:
            for request_id, defaulted in zip(decided, labels, strict=False):
                assert scoring.post(
                    "/v1/outcomes", json={"request_id": request_id, "defaulted": bool(defaulted)}
                ).is_success
        run = monitor.post("/v1/drift/runs", json={"last": 2_000}).json()
        assert run["status"] == "retrain recommended", run["reasons"]
        (asked,) = monitor.get("/v1/retrain").json()
        assert (asked["status"], asked["trigger"], asked["run_id"], asked["champion_version"]) == (
            "pending",
            "drift run",
            run["id"],
            "1",
        )
        assert monitor.post("/v1/retrain", json={"reason": "a second one while it is open"}).status_code == 409

        store = Path(registry.removeprefix("sqlite:///")).parent
        command = [sys.executable, "-m", "credit_trainer.cli", "retrain", "--once", "--data", str(synthetic)]
        command += ["--models", "lightgbm", "--max-applicants", "3000"]
        env = {
            "TRAINER_MLFLOW_DIR": str(store),
            "TRAINER_MONITOR_URL": monitor_url,
            "TRAINER_MONITOR_API_KEY": trainer_key,
        }
        done = subprocess.run(command, env=os.environ | env, capture_output=True, text=True, check=False, timeout=1200)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        said = done.stdout + done.stderr  # the trainer's progress goes to stderr
        added = re.search(r"([\d,]+) labelled decisions added", said)
        assert added and 200 <= int(added.group(1).replace(",", "")) <= 300, said[-3000:]

        finished = monitor.get(f"/v1/retrain/{asked['id']}").json()
        assert finished["status"] in ("promoted", "refused") and finished["claimed_by"] == "trainer"
        assert finished["challenger_version"] == "2" and finished["trainer_run_id"]
        verdict = "beats champion version 1" if finished["status"] == "promoted" else "does not beat champion version 1"
        assert f"version 2 {verdict}" in finished["outcome"], finished["outcome"]
        again = subprocess.run(command, env=os.environ | env, capture_output=True, text=True, check=False, timeout=600)
        assert again.returncode == 0 and "no pending retrain request" in again.stdout + again.stderr
