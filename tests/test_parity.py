"""Parity between services on real parts: the scoring API equals the registered model loaded by
MLflow's pyfunc (the trainer's batch path) to 1e-9, the explainer gives the scoring API's exact
probability and version, and the explainer's counter-offers hold when the scoring API scores them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import httpx
import mlflow
import numpy as np
import polars as pl
import pytest
from credit_core.registry import model_uri
from credit_core.schema import HISTORY_TABLES
from credit_explainer.config import Settings as ExplainerSettings
from credit_explainer.main import create_app as create_explainer_app
from credit_scoring_api.cli import app as scoring_cli
from credit_scoring_api.config import Settings as ScoringSettings
from credit_scoring_api.db import migrate
from credit_scoring_api.main import create_app as create_scoring_app
from fastapi.testclient import TestClient
from support import clients, clients_env, requests_from_folder, served
from typer.testing import CliRunner

pytestmark = pytest.mark.integration
KEY = {"X-API-Key": "test-key"}


def _scoring(registry: str, database: str) -> TestClient:
    settings = ScoringSettings(
        database_url=database, mlflow_tracking_uri=registry, api_clients=clients(), reload_interval=0
    )
    migrate(database)
    return TestClient(create_scoring_app(settings))


def _explainer(registry: str) -> TestClient:
    settings = ExplainerSettings(mlflow_tracking_uri=registry, api_clients=clients(), reload_interval=0)
    return TestClient(create_explainer_app(settings))


@pytest.fixture(scope="module")
def applications(synthetic: Path) -> list[dict[str, Any]]:
    """200 test applicants with their full history."""
    return requests_from_folder(synthetic, 200, True, "application_test")


def _pyfunc_probabilities(registry: str, requests: list[dict[str, Any]]) -> dict[int, float]:
    mlflow.set_tracking_uri(registry)
    mlflow.set_registry_uri(registry)  # other tests in this process may have pointed it elsewhere
    model = mlflow.pyfunc.load_model(model_uri())
    application = pl.DataFrame([r["application"] for r in requests], infer_schema_length=None)
    history = {}
    for name in HISTORY_TABLES:
        rows = [row for r in requests for row in r.get(name, [])]
        if rows:
            history[name] = pl.DataFrame(rows, infer_schema_length=None).to_pandas()
    scored = model.predict({"application": application.to_pandas(), **history})
    return dict(zip(scored["SK_ID_CURR"].tolist(), scored["probability"].tolist(), strict=True))


@pytest.mark.parametrize("with_history", [False, True], ids=["application only", "with history"])
def test_api_probability_equals_the_registered_pyfunc(
    registry: str, database: str, synthetic: Path, with_history: bool
) -> None:
    requests = requests_from_folder(synthetic, 1_000, with_history)
    expected = _pyfunc_probabilities(registry, requests)
    with _scoring(registry, database) as client:
        served = {}
        for start in range(0, len(requests), 500):
            response = client.post(
                "/v1/scores/batch", json={"applications": requests[start : start + 500]}, headers=KEY
            )
            assert response.status_code == 200, response.text
            served |= {s["applicant_id"]: s["probability"] for s in response.json()["scores"]}
    assert served.keys() == expected.keys()
    gaps = np.abs(np.array([served[k] - expected[k] for k in expected]))
    assert gaps.max() <= 1e-9


def test_same_probability_and_version_as_the_scoring_api(
    registry: str, database: str, synthetic: Path, applications: list[dict[str, Any]], tmp_path: Path
) -> None:
    """Both services as real processes on the same registry; the explainer also fetches a stored
    applicant from the scoring API over HTTP."""
    migrate(database)
    result = CliRunner(env={"SCORING_DATABASE_URL": database}).invoke(
        scoring_cli, ["ingest", "--data", str(synthetic), "--limit", "20"]
    )
    assert result.exit_code == 0, result.output
    scoring_env = {
        "SCORING_DATABASE_URL": database,
        "SCORING_MLFLOW_TRACKING_URI": registry,
        "SCORING_API_CLIENTS": clients_env("scoring-key-of-the-tests"),
        "SCORING_RELOAD_INTERVAL": "0",
    }
    with served("credit_scoring_api.cli", scoring_env, tmp_path / "scoring.log") as scoring_url:
        explainer_env = {
            "EXPLAINER_MLFLOW_TRACKING_URI": registry,
            "EXPLAINER_API_CLIENTS": clients_env(),
            "EXPLAINER_SCORING_API_URL": scoring_url,
            "EXPLAINER_SCORING_API_KEY": "scoring-key-of-the-tests",
            "EXPLAINER_RELOAD_INTERVAL": "0",
        }
        with served("credit_explainer.cli", explainer_env, tmp_path / "explainer.log") as explainer_url:
            scoring = httpx.Client(base_url=scoring_url, headers={"X-API-Key": "scoring-key-of-the-tests"})
            explainer = httpx.Client(base_url=explainer_url, headers=KEY)
            for body in applications[:50]:
                score = scoring.post("/v1/scores", json=body).json()
                explanation = explainer.post("/v1/explanations", json=body).json()
                assert explanation["probability"] == score["probability"]
                assert explanation["decision"] == score["decision"]
                assert explanation["model_version"] == score["model_version"] == "1"
                pinned = explainer.post("/v1/explanations?model_version=1", json=body).json()
                assert pinned["probability"] == score["probability"]
            applicant = applications[0]["application"]["SK_ID_CURR"]
            explained = explainer.get(f"/v1/applicants/{applicant}/explanation")
            assert explained.status_code == 200, explained.text
            stored_score = scoring.get(f"/v1/applicants/{applicant}/score").json()
            assert explained.json()["probability"] == stored_score["probability"]
            missing = explainer.get("/v1/applicants/1/explanation")
            assert missing.status_code == 404 and "applicant store" in missing.json()["detail"]


def test_counter_offers_hold_when_scored(registry: str, database: str, applications: list[dict[str, Any]]) -> None:
    offers = 0
    with _explainer(registry) as explainer, _scoring(registry, database) as scoring:

        def decision(body: dict[str, Any], **changes: float | None) -> str:
            changed = copy.deepcopy(body)
            changed["application"] |= {k: v for k, v in changes.items() if v is not None}
            return str(scoring.post("/v1/scores", json=changed, headers=KEY).json()["decision"])

        for body in applications:
            result = explainer.post("/v1/counter-offers", json=body, headers=KEY).json()
            requested = body["application"]["AMT_CREDIT"]
            if result["status"] == "granted":
                assert result["offer"] is None and result["requested"]["decision"] == "granted"
                continue
            assert result["requested"]["decision"] == "refused"
            if result["status"] == "none":
                assert decision(body, AMT_CREDIT=requested * 0.1, AMT_ANNUITY=_scaled(body, 0.1)) == "refused"
                continue
            offers += 1
            offer = result["offer"]
            assert 0.1 * requested - 100 <= offer["amount"] < requested
            # the offer, scored by the scoring API, is granted; 5 % more is refused
            assert decision(body, AMT_CREDIT=offer["amount"], AMT_ANNUITY=offer["annuity"]) == "granted"
            more = min(offer["amount"] * 1.05 / requested, 1.0)
            assert decision(body, AMT_CREDIT=requested * more, AMT_ANNUITY=_scaled(body, more)) == "refused"
            for lever in result["levers"]:
                if lever["flips"]:
                    assert decision(body, **{lever["field"]: lever["needed"]}) == "granted"
    print(f"{offers} counter-offers checked")
    assert offers >= 3, "too few refused applicants with a counter-offer to test anything"


def _scaled(body: dict[str, Any], share: float) -> float | None:
    annuity = body["application"].get("AMT_ANNUITY")
    return None if annuity is None else annuity * share
