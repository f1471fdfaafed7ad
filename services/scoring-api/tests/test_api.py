"""The scoring API on real parts: a model trained and promoted by the trainer, a real Postgres.
(Its agreement with the registered pyfunc and the explainer is in the root tests/test_parity.py.)"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mlflow
import mlflow.artifacts
import polars as pl
import pytest
import sqlalchemy as sa
from credit_core.contracts.model_card import ModelInfo
from credit_core.scoring import request_features
from credit_scoring_api.cli import app as scoring_cli
from support import registered_model, requests_from_folder, scoring_client, spool_drained
from typer.testing import CliRunner

pytestmark = pytest.mark.integration
KEY = {"X-API-Key": "test-key"}


def test_every_score_is_logged_with_every_field(registry: str, database: str, synthetic: Path) -> None:
    request = requests_from_folder(synthetic, 30, with_history=True)
    request = next(r for r in request if "bureau" in r and "installments_payments" in r)
    with scoring_client(registry, database) as client:
        response = client.post("/v1/scores", json=request, headers=KEY)
        assert response.status_code == 200, response.text
        score = response.json()
        spool_drained(client)
    with sa.create_engine(database).connect() as connection:
        row = connection.execute(sa.text("SELECT * FROM predictions")).mappings().one()
    assert row["request_id"] == score["request_id"] and row["applicant_id"] == score["applicant_id"]
    assert row["probability"] == score["probability"] and row["decision"] == score["decision"]
    assert row["threshold"] == score["threshold"] and row["model_version"] == score["model_version"] == "1"
    assert row["model_name"] == "credit-default" and row["source"] == "api" and row["latency_ms"] > 0
    assert row["client"] == "test"  # the client that asked (its name, not its key)
    assert row["raw_input"]["application"]["SK_ID_CURR"] == score["applicant_id"]
    assert len(row["raw_input"]["history"]["bureau"]) == len(request["bureau"])
    assert row["features"]["BUREAU_COUNT"] == len(request["bureau"]) and "EXT_SOURCE_MEAN" in row["features"]


class _Proxy:
    """A TCP proxy on loopback in front of Postgres that can be cut and restored."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.up = threading.Event()
        self.up.set()
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                s.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.connections += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def cut(self) -> None:
        self.up.clear()
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.connections = []

    def restore(self) -> None:
        self.up.set()


@pytest.fixture
def proxied(database: str) -> Iterator[tuple[str, _Proxy]]:
    url = sa.make_url(database)
    proxy = _Proxy((url.host or "127.0.0.1", url.port or 5432))
    yield url.set(port=proxy.port).render_as_string(hide_password=False), proxy
    proxy.listener.close()


def test_log_survives_a_database_outage_without_losing_a_row(
    registry: str, proxied: tuple[str, _Proxy], synthetic: Path
) -> None:
    url, proxy = proxied
    requests = requests_from_folder(synthetic, 60, with_history=False)
    with scoring_client(registry, url) as client:
        for request in requests[:20]:
            assert client.post("/v1/scores", json=request, headers=KEY).status_code == 200
        spool_drained(client)
        # when the database goes away during traffic, scoring goes on and the rows wait
        proxy.cut()
        for request in requests[20:]:
            assert client.post("/v1/scores", json=request, headers=KEY).status_code == 200
        time.sleep(1.5)
        # the replica stays in rotation: the decisions wait on disk, and the outage is reported
        ready = client.get("/ready")
        assert ready.status_code == 200 and ready.json()["database"].startswith("unreachable")
        assert ready.json()["spool"]["backlog_bytes"] > 0
        assert "scoring_prediction_log_database_up 0.0" in client.get("/metrics").text
        # then, once it is back, the backlog is written
        proxy.restore()
        spool_drained(client, timeout=60)
        assert client.get("/ready").status_code == 200
    with sa.create_engine(url).connect() as connection:
        logged = connection.execute(sa.text("SELECT count(*), count(DISTINCT request_id) FROM predictions")).one()
    assert tuple(logged) == (60, 60)


def _bad(request: dict[str, Any], **application: Any) -> dict[str, Any]:
    return {**request, "application": {**request["application"], **application}}


@pytest.fixture(scope="module")
def one_request(synthetic: Path) -> dict[str, Any]:
    return requests_from_folder(synthetic, 1, with_history=False)[0]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"FAVOURITE_COLOUR": "blue"}, "application.FAVOURITE_COLOUR", "Extra inputs are not permitted"),
        ({"AMT_CREDIT": "a lot"}, "application.AMT_CREDIT", "valid number"),
        ({"DAYS_BIRTH": 500}, "application.DAYS_BIRTH", "outside the plausible range"),
        ({"NAME_CONTRACT_TYPE": "Mortgage"}, "application.NAME_CONTRACT_TYPE", "Input should be 'Cash loans'"),
        ({"SK_ID_CURR": None}, "application.SK_ID_CURR", "valid integer"),
    ],
    ids=["unknown field", "wrong type", "out of range", "unknown category", "missing key"],
)
def test_bad_input_gets_422_naming_the_field(
    registry: str, database: str, one_request: dict[str, Any], change: dict[str, Any], field: str, message: str
) -> None:
    with scoring_client(registry, database) as client:
        response = client.post("/v1/scores", json=_bad(one_request, **change), headers=KEY)
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert any(p["field"] == field and message in p["message"] for p in problems), problems
    assert "Traceback" not in response.text


def test_other_refusals(registry: str, database: str, one_request: dict[str, Any]) -> None:
    with scoring_client(registry, database, max_batch=3, max_body_bytes=50_000) as client:
        assert client.post("/v1/scores", json=one_request).status_code == 401
        assert client.post("/v1/scores", json=one_request, headers={"X-API-Key": "wrong"}).status_code == 401
        too_many = client.post("/v1/scores/batch", json={"applications": [one_request] * 4}, headers=KEY)
        assert too_many.status_code == 413 and "at most 3" in too_many.json()["detail"]
        huge = client.post(
            "/v1/scores", content=b"{" + b" " * 60_000 + b"}", headers=KEY | {"content-type": "application/json"}
        )
        assert huge.status_code == 413
        broken = client.post("/v1/scores", content=b"{not json", headers=KEY | {"content-type": "application/json"})
        assert broken.status_code == 422
        assert client.get("/v1/applicants/999999999", headers=KEY).status_code == 404


def test_batch_csv_round_trip(registry: str, database: str, synthetic: Path) -> None:
    raw = pl.read_parquet(synthetic / "application_test.parquet").head(40)
    upload = io.BytesIO()
    raw.write_csv(upload)
    with scoring_client(registry, database) as client:
        response = client.post(
            "/v1/scores/batch.csv", files={"file": ("applications.csv", upload.getvalue(), "text/csv")}, headers=KEY
        )
        assert response.status_code == 200, response.text
        scored = pl.read_csv(io.BytesIO(response.content))
        one = client.post(
            "/v1/scores",
            json={"application": {k: v for k, v in raw.row(0, named=True).items() if v is not None}},
            headers=KEY,
        )
        broken = client.post(
            "/v1/scores/batch.csv",
            files={"file": ("x.csv", b"SK_ID_CURR,AMT_CREDIT\n1,abc\n", "text/csv")},
            headers=KEY,
        )
        spool_drained(client)
    assert scored["SK_ID_CURR"].to_list() == raw["SK_ID_CURR"].to_list()
    assert {"probability", "decision", "threshold", "model_version", "request_id"} <= set(scored.columns)
    assert scored["probability"][0] == pytest.approx(one.json()["probability"], abs=1e-12)
    assert broken.status_code == 422 and "NAME_CONTRACT_TYPE" in broken.text


def test_applicant_store_outcomes_and_model_info(
    registry: str, database: str, synthetic: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SCORING_DATABASE_URL", database)
    result = CliRunner().invoke(scoring_cli, ["ingest", "--data", str(synthetic), "--limit", "50"])
    assert result.exit_code == 0, result.output
    applicant = pl.read_parquet(synthetic / "application_test.parquet")["SK_ID_CURR"][3]
    body = next(
        r
        for r in requests_from_folder(synthetic, 50, True, "application_test")
        if r["application"]["SK_ID_CURR"] == applicant
    )
    model, _ = registered_model(registry, tmp_path)
    expected = model.probability_of(
        request_features(body["application"], {k: v for k, v in body.items() if k != "application"})[1]
    )
    with scoring_client(registry, database) as client:
        assert client.get(f"/v1/applicants/{applicant}").status_code == 401  # applicants' data needs a key
        assert client.get("/v1/applicants").status_code == 401
        stored = client.get(f"/v1/applicants/{applicant}", headers=KEY)
        assert stored.status_code == 200 and stored.json()["application"]["SK_ID_CURR"] == applicant
        ingested = sorted(pl.read_parquet(synthetic / "application_test.parquet")["SK_ID_CURR"].head(50).to_list())
        found = client.get("/v1/applicants", params={"prefix": str(applicant)[:-1], "limit": 200}, headers=KEY).json()
        assert applicant in found["applicant_ids"]
        assert found["applicant_ids"] == [a for a in ingested if str(a).startswith(str(applicant)[:-1])]
        assert client.get("/v1/applicants", params={"limit": 3}, headers=KEY).json()["applicant_ids"] == ingested[:3]
        assert client.get("/v1/applicants", params={"prefix": "12a"}, headers=KEY).status_code == 422
        score = client.get(f"/v1/applicants/{applicant}/score", headers=KEY).json()
        assert abs(score["probability"] - expected) <= 1e-9
        spool_drained(client)  # an outcome names a decision of the prediction log
        recorded = client.post("/v1/outcomes", json={"request_id": score["request_id"], "defaulted": True}, headers=KEY)
        assert recorded.status_code == 201 and recorded.json()["applicant_id"] == applicant
        info = client.get("/v1/model", headers=KEY).json()
        assert info["version"] == "1" and info["alias"] == "champion" and 0 < info["threshold"] < 1
        ModelInfo.model_validate(info)  # the contract the dashboard parses
        assert len(info["feature_catalogue"]) == 190 and info["card"]["threshold"] == info["threshold"]
        card = info["card"]
        assert card["training_applicants"] > 0 and 0 < card["default_rate"] < 1
        assert [c["chosen"] for c in card["candidates"]].count(True) == 1 and card["candidates"][0]["holdout_auc"] > 0.6
        assert len(card["curves"]["cost"]["threshold"]) == 101
        costs = card["curves"]["cost"]["cost_per_1000"]  # threshold 0 refuses everyone, 1 grants almost all
        assert costs[0] == pytest.approx(card["reference_costs"]["refuse_everyone_per_1000"])
        # the version's documentation, its number filled in, figures inline and nothing else loaded
        page = client.get("/v1/model/documentation", headers=KEY)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "credit-default version 1</h1>" in page.text and "${model_version}" not in page.text
        assert "img-src data:" in page.headers["content-security-policy"]
        markdown = client.get("/v1/model/documentation", params={"format": "markdown"}, headers=KEY)
        assert markdown.headers["content-type"].startswith("text/markdown")
        assert markdown.text.startswith("# Model documentation: credit-default version 1")
        assert client.get("/v1/model/documentation", params={"format": "pdf"}, headers=KEY).status_code == 422
        spool_drained(client)
    with sa.create_engine(database).connect() as connection:
        assert (
            connection.execute(
                sa.text("SELECT defaulted FROM outcomes WHERE applicant_id = :a"), {"a": applicant}
            ).scalar_one()
            is True
        )
        assert connection.execute(sa.text("SELECT source FROM predictions")).scalar_one() == "store"


def test_a_new_champion_is_picked_up_without_restart(
    registry: str, database: str, tmp_path: Path, one_request: dict[str, Any]
) -> None:
    # given a copy of the registry (the artifacts stay where they are) served with alias polling
    copy = tmp_path / "mlflow.db"
    copy.write_bytes(Path(registry.removeprefix("sqlite:///")).read_bytes())
    uri = f"sqlite:///{copy}"
    with scoring_client(uri, database, reload_interval=0.3) as client:
        before = client.post("/v1/scores", json=one_request, headers=KEY).json()
        assert before["model_version"] == "1"
        # when a new version becomes champion
        client_mlflow = mlflow.MlflowClient(uri, uri)
        new_version = str(client_mlflow.copy_model_version("models:/credit-default/1", "credit-default").version)
        client_mlflow.set_registered_model_alias("credit-default", "champion", new_version)
        deadline = time.monotonic() + 30
        while client.get("/v1/model", headers=KEY).json()["version"] != new_version and time.monotonic() < deadline:
            assert (
                client.post("/v1/scores", json=one_request, headers=KEY).status_code == 200
            )  # no request fails meanwhile
            time.sleep(0.1)
        # then requests are scored by it, and the reload endpoint reports nothing new
        after = client.post("/v1/scores", json=one_request, headers=KEY).json()
        assert after["model_version"] == new_version and after["probability"] == before["probability"]
        reload = client.post("/v1/admin/reload", headers=KEY).json()
        assert reload == {"changed": False, "version": new_version, "error": None}
        assert "scoring_model_reloads_total 1.0" in client.get("/metrics").text


def test_a_version_with_one_byte_changed_is_refused_and_the_model_kept(
    registry: str, database: str, tmp_path: Path, one_request: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    # given a copy of the registry, and a new version whose model.json differs from the registered
    # one by one digit (still valid JSON: only its SHA-256 can tell)
    copy = tmp_path / "mlflow.db"
    copy.write_bytes(Path(registry.removeprefix("sqlite:///")).read_bytes())
    uri = f"sqlite:///{copy}"
    registry_client = mlflow.MlflowClient(uri, uri)
    mlflow.set_tracking_uri(uri)
    folder = Path(
        mlflow.artifacts.download_artifacts(artifact_uri="models:/credit-default/1", dst_path=str(tmp_path / "v"))
    )
    spec = folder / "artifacts" / "model.json"
    text = spec.read_text()
    at = next(i for i, c in enumerate(text) if c.isdigit() and text[i - 1] == ".")  # a decimal of some number
    spec.write_text(text[:at] + str((int(text[at]) + 1) % 10) + text[at + 1 :])
    tags = registry_client.get_model_version("credit-default", "1").tags
    tampered = registry_client.create_model_version("credit-default", str(folder), tags=tags).version
    with scoring_client(uri, database) as client:
        before = client.post("/v1/scores", json=one_request, headers=KEY).json()
        # when the champion alias is moved to it
        registry_client.set_registered_model_alias("credit-default", "champion", str(tampered))
        with caplog.at_level(logging.ERROR, logger="credit_core.model_store"):
            report = client.post("/v1/admin/reload", headers=KEY).json()
        # then it is refused, saying why, and the service goes on with the version it has
        assert report["changed"] is False and report["version"] == "1"
        assert "model.json: SHA-256 differs from the one recorded at registration" in report["error"]
        assert any("SHA-256 differs" in r.getMessage() for r in caplog.records)
        ready = client.get("/ready")
        assert ready.status_code == 200 and ready.json()["model"]["version"] == "1"
        assert "model.json: SHA-256 differs" in ready.json()["model_error"]
        after = client.post("/v1/scores", json=one_request, headers=KEY).json()
        assert after["model_version"] == "1" and after["probability"] == before["probability"]


def test_every_look_up_is_in_the_access_log_and_decisions_name_the_person(
    registry: str, database: str, synthetic: Path, monkeypatch: pytest.MonkeyPatch, one_request: dict[str, Any]
) -> None:
    monkeypatch.setenv("SCORING_DATABASE_URL", database)
    assert CliRunner().invoke(scoring_cli, ["ingest", "--data", str(synthetic), "--limit", "3"]).exit_code == 0
    applicant = int(pl.read_parquet(synthetic / "application_test.parquet")["SK_ID_CURR"][0])
    person = {"X-On-Behalf-Of": "olivia@lender.example"}
    why = {"X-Access-Reason": "customer-request"}
    with scoring_client(registry, database) as client:
        # a person must say why; an unknown reason or a malformed name is refused, and nothing is logged
        unexplained = client.get(f"/v1/applicants/{applicant}", headers=KEY | person)
        assert unexplained.status_code == 422 and "X-Access-Reason" in unexplained.json()["detail"]
        wrong = client.get(f"/v1/applicants/{applicant}", headers=KEY | person | {"X-Access-Reason": "curiosity"})
        assert wrong.status_code == 422 and wrong.json()["detail"][0]["field"] == "header.x-access-reason"
        assert (
            client.get(f"/v1/applicants/{applicant}", headers=KEY | {"X-On-Behalf-Of": "x/y"} | why).status_code == 422
        )
        # then the read, the score of the stored applicant, and a system's read without a person
        assert client.get(f"/v1/applicants/{applicant}", headers=KEY | person | why).status_code == 200
        stored = client.get(f"/v1/applicants/{applicant}/score", headers=KEY | person | why).json()
        assert client.get(f"/v1/applicants/{applicant}", headers=KEY).status_code == 200
        posted = client.post("/v1/scores", json=one_request, headers=KEY | person).json()  # not the fast path
        plain = client.post("/v1/scores", json=one_request, headers=KEY).json()
        spool_drained(client)
    with sa.create_engine(database).connect() as connection:
        log = connection.execute(
            sa.text("SELECT client, on_behalf_of, applicant_id, action, reason FROM access_log ORDER BY id")
        ).all()
        people = dict(connection.execute(sa.text("SELECT request_id, on_behalf_of FROM predictions")).all())
    assert [tuple(row) for row in log] == [
        ("test", "olivia@lender.example", applicant, "read", "customer-request"),
        ("test", "olivia@lender.example", applicant, "score", "customer-request"),
        ("test", None, applicant, "read", None),
    ]
    assert people[stored["request_id"]] == people[posted["request_id"]] == "olivia@lender.example"
    assert people[plain["request_id"]] is None
