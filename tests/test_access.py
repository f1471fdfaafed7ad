"""Who may call what, on the three services as real processes: for every route of every service,
no key and an unknown key get 401, a key without the route's scope 403, a key with that scope
alone 2xx; decisions and outcomes record the name of the client that asked."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
import sqlalchemy as sa
from credit_core.auth import PUBLIC_PATHS, SCOPES, ApiClient, route_scopes
from support import requests_from_folder, served

pytestmark = pytest.mark.integration

KEYS = {scope: f"key-of-{scope}" for scope in SCOPES}  # client only-<scope> has that scope alone
EXPLAINER_KEY = "explainer-key-of-the-tests"  # the explainer's own key at the scoring API
CLIENTS = json.dumps(
    [
        ApiClient.with_key(f"only-{scope.replace(':', '-')}", key, [scope]).model_dump(mode="json")
        for scope, key in KEYS.items()
    ]
    + [ApiClient.with_key("explainer", EXPLAINER_KEY, ["applicants:read", "decisions:read"]).model_dump(mode="json")]
)


def _other(scope: str) -> str:
    return SCOPES[(SCOPES.index(scope) + 1) % len(SCOPES)]


Call = tuple[str, str, str, dict[str, Any]]  # scope, method, path, httpx keyword arguments


def _check(url: str, calls: dict[tuple[str, str], Call], app: Any) -> list[str]:
    """Every route of ``app`` has a call (and no call names a route it does not have), with the
    scope the route requires; each call is refused and admitted as it should be."""
    expected = {route: scope for route, scope in route_scopes(app).items() if route[1] not in PUBLIC_PATHS}
    assert {route: call[0] for route, call in calls.items()} == expected
    wrong = []
    with httpx.Client(base_url=url, timeout=120) as client:
        for (method, template), (scope, _, path, given) in calls.items():
            options = {k: v for k, v in given.items() if k != "headers"}
            headers = given.get("headers", {})  # besides the key (a person named)
            refusals = {
                "no key": client.request(method, path, headers=headers, **options),
                "unknown key": client.request(method, path, headers=headers | {"X-API-Key": "bsk_unknown"}, **options),
                f"{_other(scope)} key": client.request(
                    method, path, headers=headers | {"X-API-Key": KEYS[_other(scope)]}, **options
                ),
            }
            admitted = client.request(method, path, headers=headers | {"X-API-Key": KEYS[scope]}, **options)
            statuses = {who: r.status_code for who, r in refusals.items()} | {f"{scope} key": admitted.status_code}
            if list(statuses.values())[:3] != [401, 401, 403] or not admitted.is_success:
                wrong.append(f"{method} {template}: {statuses} {admitted.text[:200]}")
    return wrong


def _until(check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.2)


def test_every_route_of_every_service_needs_its_scope(
    registry: str, database: str, synthetic: Path, tmp_path: Path
) -> None:
    from credit_explainer.config import Settings as ExplainerSettings
    from credit_explainer.main import create_app as explainer_app
    from credit_monitor.config import Settings as MonitorSettings
    from credit_monitor.main import create_app as monitor_app
    from credit_scoring_api.cli import app as scoring_cli
    from credit_scoring_api.config import Settings as ScoringSettings
    from credit_scoring_api.db import migrate
    from credit_scoring_api.main import create_app as scoring_app
    from typer.testing import CliRunner

    migrate(database)
    ingested = CliRunner(env={"SCORING_DATABASE_URL": database}).invoke(
        scoring_cli, ["ingest", "--data", str(synthetic), "--limit", "5"]
    )
    assert ingested.exit_code == 0, ingested.output
    applicant = int(pl.read_parquet(synthetic / "application_test.parquet")["SK_ID_CURR"][0])
    bodies = requests_from_folder(synthetic, 40, with_history=True)
    csv = io.BytesIO()
    pl.DataFrame([b["application"] for b in bodies[:3]]).write_csv(csv)
    scoring_env = {
        "SCORING_DATABASE_URL": database,
        "SCORING_MLFLOW_TRACKING_URI": registry,
        "SCORING_API_CLIENTS": CLIENTS,
        "SCORING_RELOAD_INTERVAL": "0",
    }
    with served("credit_scoring_api.cli", scoring_env, tmp_path / "scoring.log") as scoring_url:
        with httpx.Client(base_url=scoring_url, headers={"X-API-Key": KEYS["score"]}) as scorer:
            scores = [scorer.post("/v1/scores", json=body).json() for body in bodies]
        request_id = scores[0]["request_id"]
        refused = next(s["request_id"] for s in scores if s["decision"] == "refused")  # it has a notice
        with httpx.Client(base_url=scoring_url, headers={"X-API-Key": KEYS["decisions:read"]}) as reader:
            _until(lambda: all(reader.get(f"/v1/decisions/{s['request_id']}").status_code == 200 for s in scores))
        decision = f"/v1/decisions/{request_id}"
        change = {"decision": "refused" if scores[0]["decision"] == "granted" else "granted", "reason": "data-error"}
        scoring_calls: dict[tuple[str, str], Call] = {
            ("POST", "/v1/scores"): ("score", "POST", "/v1/scores", {"json": bodies[1]}),
            ("POST", "/v1/scores/batch"): ("score", "POST", "/v1/scores/batch", {"json": {"applications": bodies}}),
            ("POST", "/v1/scores/batch.csv"): (
                "score",
                "POST",
                "/v1/scores/batch.csv",
                {"files": {"file": ("a.csv", csv.getvalue(), "text/csv")}},
            ),
            ("GET", "/v1/applicants"): ("applicants:read", "GET", "/v1/applicants", {}),
            ("GET", "/v1/applicants/{applicant_id}"): ("applicants:read", "GET", f"/v1/applicants/{applicant}", {}),
            ("GET", "/v1/applicants/{applicant_id}/score"): ("score", "GET", f"/v1/applicants/{applicant}/score", {}),
            ("GET", "/v1/decisions/{request_id}"): ("decisions:read", "GET", decision, {}),
            ("POST", "/v1/decisions/{request_id}/replay"): ("decisions:read", "POST", f"{decision}/replay", {}),
            ("GET", "/v1/decisions/{request_id}/notice"): (
                "decisions:read",
                "GET",
                f"/v1/decisions/{refused}/notice",
                {},
            ),
            ("POST", "/v1/decisions/{request_id}/overrides"): (
                "decisions:override",
                "POST",
                f"{decision}/overrides",
                {"json": change | {"comment": "The income field was wrong"}, "headers": {"X-On-Behalf-Of": "olivia"}},
            ),
            ("POST", "/v1/outcomes"): (
                "outcomes:write",
                "POST",
                "/v1/outcomes",
                {"json": {"request_id": request_id, "defaulted": False}},
            ),
            ("GET", "/v1/model"): ("model:read", "GET", "/v1/model", {}),
            ("GET", "/v1/model/documentation"): ("model:read", "GET", "/v1/model/documentation", {}),
            ("POST", "/v1/admin/reload"): ("admin", "POST", "/v1/admin/reload", {}),
        }
        wrong = _check(scoring_url, scoring_calls, scoring_app(ScoringSettings(auth_disabled=True)))

        explainer_env = {
            "EXPLAINER_MLFLOW_TRACKING_URI": registry,
            "EXPLAINER_API_CLIENTS": CLIENTS,
            "EXPLAINER_SCORING_API_URL": scoring_url,
            "EXPLAINER_SCORING_API_KEY": EXPLAINER_KEY,
            "EXPLAINER_RELOAD_INTERVAL": "0",
        }
        with served("credit_explainer.cli", explainer_env, tmp_path / "explainer.log") as explainer_url:
            explainer_calls: dict[tuple[str, str], Call] = {
                ("POST", "/v1/explanations"): ("explain", "POST", "/v1/explanations", {"json": bodies[0]}),
                ("GET", "/v1/applicants/{applicant_id}/explanation"): (
                    "explain",
                    "GET",
                    f"/v1/applicants/{applicant}/explanation",
                    {},
                ),
                ("GET", "/v1/decisions/{request_id}/explanation"): ("explain", "GET", f"{decision}/explanation", {}),
                ("POST", "/v1/counter-offers"): ("explain", "POST", "/v1/counter-offers", {"json": bodies[0]}),
                ("GET", "/v1/applicants/{applicant_id}/counter-offer"): (
                    "explain",
                    "GET",
                    f"/v1/applicants/{applicant}/counter-offer",
                    {},
                ),
                ("GET", "/v1/explanations/global"): ("model:read", "GET", "/v1/explanations/global", {}),
                ("GET", "/v1/population"): (
                    "model:read",
                    "GET",
                    "/v1/population",
                    {"params": {"features": "AGE_YEARS"}},
                ),
                ("GET", "/v1/model"): ("model:read", "GET", "/v1/model", {}),
                ("POST", "/v1/admin/reload"): ("admin", "POST", "/v1/admin/reload", {}),
            }
            wrong += _check(explainer_url, explainer_calls, explainer_app(ExplainerSettings(auth_disabled=True)))

    monitor_env = {
        "MONITOR_DATABASE_URL": database,
        "MONITOR_MLFLOW_TRACKING_URI": registry,
        "MONITOR_API_CLIENTS": CLIENTS,
        "MONITOR_REPORTS": str(tmp_path / "reports"),
        "MONITOR_RELOAD_INTERVAL": "0",
        "MONITOR_MIN_ROWS": "20",
    }
    with served("credit_monitor.cli", monitor_env, tmp_path / "monitor.log") as monitor_url:
        run = httpx.post(
            f"{monitor_url}/v1/drift/runs", json={"last": 100}, headers={"X-API-Key": KEYS["drift:run"]}, timeout=120
        )
        assert run.status_code == 201, run.text
        runs = f"/v1/drift/runs/{run.json()['id']}"
        ask = {"json": {"reason": "the loop is checked end to end"}}
        asked = httpx.post(f"{monitor_url}/v1/retrain", headers={"X-API-Key": KEYS["drift:run"]}, timeout=30, **ask)
        assert asked.status_code == 201, asked.text  # then claimed, answered, and asked again (none open)
        retrain = f"/v1/retrain/{asked.json()['id']}"
        result = {"json": {"status": "failed", "outcome": "not trained: the access test"}}
        monitor_calls: dict[tuple[str, str], Call] = {
            ("POST", "/v1/drift/runs"): ("drift:run", "POST", "/v1/drift/runs", {"json": {"last": 100}}),
            ("GET", "/v1/drift/runs"): ("drift:read", "GET", "/v1/drift/runs", {}),
            ("GET", "/v1/drift/runs/{run_id}"): ("drift:read", "GET", runs, {}),
            ("GET", "/v1/drift/runs/{run_id}/report"): ("drift:read", "GET", f"{runs}/report", {}),
            ("GET", "/v1/drift/summary"): ("drift:read", "GET", "/v1/drift/summary", {}),
            ("GET", "/v1/overrides/summary"): ("drift:read", "GET", "/v1/overrides/summary", {}),
            ("GET", "/v1/retrain"): ("drift:read", "GET", "/v1/retrain", {}),
            ("GET", "/v1/retrain/{request_id}"): ("drift:read", "GET", retrain, {}),
            ("POST", "/v1/retrain/claim"): ("retrain", "POST", "/v1/retrain/claim", {}),
            ("GET", "/v1/retrain/{request_id}/labelled"): ("retrain", "GET", f"{retrain}/labelled", {}),
            ("POST", "/v1/retrain/{request_id}/result"): ("retrain", "POST", f"{retrain}/result", result),
            ("POST", "/v1/retrain"): ("drift:run", "POST", "/v1/retrain", ask),
        }
        wrong += _check(monitor_url, monitor_calls, monitor_app(MonitorSettings(auth_disabled=True)))
    assert not wrong, "\n".join(wrong)

    # the services logged nothing of the applications: no applicant number, no amount
    values = {
        str(b["application"][field]) for b in bodies for field in ("SK_ID_CURR", "AMT_CREDIT", "AMT_INCOME_TOTAL")
    }
    logs = {name: (tmp_path / f"{name}.log").read_text() for name in ("scoring", "explainer", "monitor")}
    leaked = {name: sorted(v for v in values if v in text) for name, text in logs.items()}
    assert all(len(text) > 200 for text in logs.values()) and not any(leaked.values()), leaked

    with sa.create_engine(database).connect() as connection:
        clients = dict(connection.execute(sa.text("SELECT request_id, client FROM predictions")).all())
        reporter = connection.execute(sa.text("SELECT client FROM outcomes")).scalar_one()
    assert clients[request_id] == "only-score" and set(clients.values()) == {"only-score"}
    assert reporter == "only-outcomes-write"


def test_a_service_without_clients_refuses_to_start(tmp_path: Path) -> None:
    """No client configured and authentication not disabled: the process exits, saying why."""
    env = {"EXPLAINER_MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'none.db'}"}
    done = subprocess.run(  # noqa: PLW1510 (the exit status is what is tested)
        [sys.executable, "-m", "credit_explainer.cli", "serve", "--port", "0"],
        env={k: v for k, v in os.environ.items() if not k.startswith("EXPLAINER_")} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "no API clients configured (EXPLAINER_API_CLIENTS)" in done.stderr + done.stdout
