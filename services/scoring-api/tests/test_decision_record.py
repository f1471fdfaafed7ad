"""The decision record on real parts (a trained champion, a real Postgres): read back, replayed on
the version that decided (also after a new champion), one outcome per decision, retention and
erasure, oversized history refused naming the list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import mlflow
import pytest
import sqlalchemy as sa
from credit_core.registry import CHECKSUM_TAG, MODEL_NAME
from credit_scoring_api.cli import app as scoring_cli
from support import requests_from_folder, scoring_client, spool_drained
from typer.testing import CliRunner

pytestmark = pytest.mark.integration
KEY = {"X-API-Key": "test-key"}


@pytest.fixture(scope="module")
def with_history(synthetic: Path) -> list[dict[str, Any]]:
    return requests_from_folder(synthetic, 1_000, with_history=True)


def test_a_thousand_decisions_with_history_replay_to_1e_12(
    registry: str, database: str, with_history: list[dict[str, Any]]
) -> None:
    with scoring_client(registry, database) as client:
        batch = client.post("/v1/scores/batch", json={"applications": with_history}, headers=KEY)
        assert batch.status_code == 200, batch.text
        scores = batch.json()["scores"]
        spool_drained(client)
        rich = next(i for i, b in enumerate(with_history) if "bureau" in b and "installments_payments" in b)
        record = client.get(f"/v1/decisions/{scores[rich]['request_id']}", headers=KEY).json()
        replays = [client.post(f"/v1/decisions/{s['request_id']}/replay", headers=KEY).json() for s in scores]
        unknown = client.get("/v1/decisions/no-such-decision", headers=KEY)
        assert client.get(f"/v1/decisions/{scores[0]['request_id']}").status_code == 401
    assert record["probability"] == scores[rich]["probability"] and record["model_version"] == "1"
    history = record["raw_input"]["history"]
    assert all(len(history[t]) == len(with_history[rich][t]) for t in ("bureau", "installments_payments"))
    assert len(record["features"]) == 190 and record["threshold"] == scores[rich]["threshold"]
    worst = max(abs(r["replayed_probability"] - r["stored_probability"]) for r in replays)
    print(f"\nreplayed {len(replays):,} decisions with history: largest difference {worst:.1e}")
    assert len(replays) == 1_000 and all(r["matches"] for r in replays) and worst <= 1e-12
    assert sum(1 for b in with_history if "bureau" in b) > 500  # most of them carry history
    assert unknown.status_code == 404 and "no decision no-such-decision" in unknown.json()["detail"]


def _register_other_champion(source_registry: str, registry: str) -> str:
    """Register the source store's version 1 (another model) in ``registry`` and make it champion."""
    source = mlflow.MlflowClient(source_registry, source_registry)
    artifacts = source.get_model_version_download_uri(MODEL_NAME, "1")
    tags = source.get_model_version(MODEL_NAME, "1").tags
    target = mlflow.MlflowClient(registry, registry)
    version = target.create_model_version(MODEL_NAME, artifacts, tags={CHECKSUM_TAG: tags[CHECKSUM_TAG]}).version
    target.set_registered_model_alias(MODEL_NAME, "champion", str(version))
    return str(version)


def test_an_old_decision_replays_on_its_version_after_a_new_champion(
    registry: str, xgboost_registry: str, database: str, tmp_path: Path, with_history: list[dict[str, Any]]
) -> None:
    copy = tmp_path / "mlflow.db"  # the artifacts stay where they are
    copy.write_bytes(Path(registry.removeprefix("sqlite:///")).read_bytes())
    uri = f"sqlite:///{copy}"
    body = with_history[7]
    with scoring_client(uri, database) as client:
        old = client.post("/v1/scores", json=body, headers=KEY).json()
        new_version = _register_other_champion(xgboost_registry, uri)
        assert client.post("/v1/admin/reload", headers=KEY).json()["version"] == new_version
        new = client.post("/v1/scores", json=body, headers=KEY).json()
        spool_drained(client)
        replayed = client.post(f"/v1/decisions/{old['request_id']}/replay", headers=KEY).json()
    assert new["model_version"] == new_version != old["model_version"] == "1"
    assert abs(new["probability"] - old["probability"]) > 1e-6  # another model: another probability
    assert replayed["model_version"] == "1" and replayed["matches"]
    assert abs(replayed["replayed_probability"] - old["probability"]) <= 1e-12


def test_one_outcome_per_decision(registry: str, database: str, with_history: list[dict[str, Any]]) -> None:
    with scoring_client(registry, database) as client:
        score = client.post("/v1/scores", json=with_history[0], headers=KEY).json()
        spool_drained(client)
        report = {"request_id": score["request_id"], "defaulted": True, "observed_at": "2026-11-30T10:00:00Z"}
        first = client.post("/v1/outcomes", json=report, headers=KEY)
        again = client.post("/v1/outcomes", json=report, headers=KEY)  # a client retrying
        other = client.post("/v1/outcomes", json=report | {"defaulted": False}, headers=KEY)
        unknown = client.post("/v1/outcomes", json=report | {"request_id": "f" * 32}, headers=KEY)
        bad = client.post("/v1/outcomes", json={"defaulted": True}, headers=KEY)
    assert first.status_code == 201 and first.json()["repeated"] is False
    assert first.json()["applicant_id"] == score["applicant_id"]
    assert again.status_code == 200 and again.json()["repeated"] is True, again.text
    assert other.status_code == 409 and "already has another outcome" in other.json()["detail"]
    assert unknown.status_code == 404 and "f" * 32 in unknown.json()["detail"]
    assert bad.status_code == 422 and any(p["field"] == "request_id" for p in bad.json()["detail"])
    with sa.create_engine(database).connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM outcomes")).scalar_one() == 1


def test_purge_keeps_the_recent_and_erase_keeps_the_facts(
    registry: str, database: str, with_history: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    with scoring_client(registry, database) as client:
        scores = [client.post("/v1/scores", json=b, headers=KEY).json() for b in with_history[:30]]
        spool_drained(client)
        for s in scores[:3]:
            client.post("/v1/outcomes", json={"request_id": s["request_id"], "defaulted": False}, headers=KEY)
        engine = sa.create_engine(database)
        old = [s["request_id"] for s in scores[:10]]
        with engine.begin() as connection:  # ten decisions made four years ago
            connection.execute(
                sa.text("UPDATE predictions SET scored_at = :t WHERE request_id = ANY(:ids)"),
                {"t": datetime.now(UTC) - timedelta(days=4 * 365), "ids": old},
            )
        monkeypatch.setenv("SCORING_DATABASE_URL", database)
        runner = CliRunner()
        purged = runner.invoke(scoring_cli, ["purge", "--older-than-days", str(3 * 365)])
        assert purged.exit_code == 0, purged.output
        kept = scores[20]
        erased = runner.invoke(scoring_cli, ["erase", "--applicant-id", str(kept["applicant_id"])])
        assert erased.exit_code == 0, erased.output
        record = client.get(f"/v1/decisions/{kept['request_id']}", headers=KEY).json()
        replay = client.post(f"/v1/decisions/{kept['request_id']}/replay", headers=KEY)
    with engine.connect() as connection:
        left = set(connection.execute(sa.text("SELECT request_id FROM predictions")).scalars())
        outcomes = connection.execute(sa.text("SELECT count(*) FROM outcomes")).scalar_one()
    assert "purged 10 decisions" in purged.output and left == {s["request_id"] for s in scores[10:]}
    assert outcomes == 0  # the three outcomes belonged to purged decisions
    assert record["raw_input"] is None and record["features"] is None and record["applicant_id"] is None
    assert record["probability"] == kept["probability"] and record["decision"] == kept["decision"]
    assert record["model_version"] == "1" and record["erased_at"] is not None
    assert replay.status_code == 409 and "erased on request" in replay.json()["detail"]
    assert runner.invoke(scoring_cli, ["purge", "--older-than-days", "0"]).exit_code != 0  # refused, not all


def test_oversized_history_gets_422_naming_the_list(registry: str, database: str, synthetic: Path) -> None:
    body = requests_from_folder(synthetic, 1, with_history=False)[0]
    row = {"SK_ID_PREV": 1, "SK_ID_CURR": body["application"]["SK_ID_CURR"], "NUM_INSTALMENT_VERSION": 1}
    row |= {"NUM_INSTALMENT_NUMBER": 1, "DAYS_INSTALMENT": -10, "DAYS_ENTRY_PAYMENT": -10}
    row |= {"AMT_INSTALMENT": 100.0, "AMT_PAYMENT": 100.0}
    with scoring_client(registry, database) as client:
        response = client.post("/v1/scores", json=body | {"installments_payments": [row] * 5_001}, headers=KEY)
        schema = client.get("/openapi.json").json()["components"]["schemas"]["ScoreRequest"]
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert any(p["field"] == "installments_payments" and "5000" in p["message"] for p in problems), problems
    assert any(v.get("maxItems") == 5_000 for v in schema["properties"]["installments_payments"]["anyOf"])
