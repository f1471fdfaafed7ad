"""Decisions across services and under load, on real processes and the real Postgres: the
explainer explains a past decision with the version that made it; ``/health`` answers while a
batch is scored (how fast under load: ``bench/health_under_load.py``); a chunked body over the limit is refused without being
read; two monitor replicas with the schedule on make one run per interval."""

from __future__ import annotations

import itertools
import re
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import polars as pl
import pytest
import sqlalchemy as sa
from credit_scoring_api.db import migrate
from support import clients_env, requests_from_folder, served

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _recorded(scoring: str, request_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while (found := httpx.get(f"{scoring}/v1/decisions/{request_id}", timeout=10)).status_code == 404:
        assert time.monotonic() < deadline, "the decision never reached the prediction log"
        time.sleep(0.1)
    assert found.status_code == 200, found.text
    return dict(found.json())


def _scheduled_runs(engine: sa.Engine) -> list[Any]:
    """When each scheduled drift run was recorded, oldest first."""
    query = sa.text("SELECT created_at FROM drift_runs WHERE trigger = 'schedule' ORDER BY created_at")
    with engine.connect() as connection:
        return list(connection.execute(query).scalars())


def test_the_explainer_explains_a_past_decision_with_its_version(ui_stack: dict[str, str], synthetic: Path) -> None:
    applicant = int(pl.read_parquet(synthetic / "application_test.parquet")["SK_ID_CURR"][5])
    score = httpx.get(f"{ui_stack['scoring']}/v1/applicants/{applicant}/score", timeout=30).json()
    record = _recorded(ui_stack["scoring"], score["request_id"])
    explained = httpx.get(
        f"{ui_stack['explainer']}/v1/decisions/{score['request_id']}/explanation", params={"top": 3}, timeout=60
    )
    assert explained.status_code == 200, explained.text
    explanation = explained.json()
    assert explanation["model_version"] == record["model_version"] == score["model_version"]
    assert explanation["probability"] == score["probability"] and explanation["decision"] == score["decision"]
    assert len(explanation["towards_default"]) <= 3
    unknown = httpx.get(f"{ui_stack['explainer']}/v1/decisions/{'0' * 32}/explanation", timeout=30)
    assert unknown.status_code == 404


def test_health_answers_while_a_batch_is_scored(ui_stack: dict[str, str], synthetic: Path) -> None:
    """The batch is parsed, scored and recorded off the event loop: /health keeps answering while
    it runs. (How fast, under batches, CSV uploads and explanations together: bench/health_under_load.py.)"""
    batch = orjson.dumps({"applications": requests_from_folder(synthetic, 1_000, with_history=True)})
    answered: list[float] = []
    scored = threading.Thread(
        target=lambda: answered.append(
            httpx.post(
                f"{ui_stack['scoring']}/v1/scores/batch",
                content=batch,
                headers={"content-type": "application/json"},
                timeout=300,
            ).status_code
        )
    )
    scored.start()
    times = []
    with httpx.Client(timeout=30) as client:
        while scored.is_alive():
            sent = time.perf_counter()
            assert client.get(f"{ui_stack['scoring']}/health").status_code == 200
            times.append(time.perf_counter() - sent)
            time.sleep(0.01)
    scored.join()
    print(
        f"\n/health during a batch of 1,000 with history ({len(batch) / 1e6:.0f} MB): {len(times)} answers, slowest {max(times) * 1e3:.0f} ms"
    )
    assert answered == [200] and len(times) >= 20  # it answered all along, not once the batch was done
    assert max(times) < 1.0  # one validation of the whole body held everything for 1.3 s here


def _resident_bytes(url: str) -> float:
    metrics = httpx.get(f"{url}/metrics", timeout=10).text
    return float(re.search(r"^process_resident_memory_bytes (\S+)$", metrics, re.M).group(1))  # type: ignore[union-attr]


def _send_chunked(url: str, key: str | None, total: int, chunk: int = 64 << 10) -> tuple[int, int]:
    """POST a chunked body of up to ``total`` bytes, raw; stop sending as soon as an answer comes.
    (status, bytes sent)."""
    host, port = url.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port))) as connection:
        head = f"POST /v1/scores/batch HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        head += "Transfer-Encoding: chunked\r\n" + (f"X-API-Key: {key}\r\n" if key else "") + "\r\n"
        connection.sendall(head.encode())
        piece = f"{chunk:x}\r\n".encode() + b"[" + b"1," * (chunk // 2 - 1) + b"1\r\n"
        connection.settimeout(0.0)
        answer = b""
        try:
            while sent < total:
                try:
                    answer += connection.recv(65536)
                    if answer:
                        break
                except BlockingIOError:
                    pass
                connection.settimeout(5)
                connection.sendall(piece)
                connection.settimeout(0.0)
                sent += chunk
        except (BrokenPipeError, ConnectionResetError):
            pass  # the service closed the connection: it is not reading any more
        connection.settimeout(10)
        while b"\r\n" not in answer:
            answer += connection.recv(65536)
    return int(answer.split()[1]), sent


def test_a_chunked_body_over_the_limit_is_refused_unread(database: str, registry: str, tmp_path: Path) -> None:
    migrate(database)
    env = {
        "SCORING_DATABASE_URL": database,
        "SCORING_MLFLOW_TRACKING_URI": registry,
        "SCORING_API_CLIENTS": clients_env("load-key"),
        "SCORING_RELOAD_INTERVAL": "0",
        "SCORING_MAX_BODY_BYTES": "2000000",
    }
    with served("credit_scoring_api.cli", env, tmp_path / "scoring.log") as url:
        before = _resident_bytes(url)
        status, sent = _send_chunked(url, "load-key", 500_000_000)
        no_key, unread = _send_chunked(url, None, 500_000_000)
        after = _resident_bytes(url)
    print(
        f"\nchunked 500 MB body: {status} after {sent / 1e6:.1f} MB sent; resident memory {before / 1e6:.0f} -> {after / 1e6:.0f} MB"
    )
    assert status == 413 and sent < 20_000_000  # answered long before the end of the body
    assert no_key == 401 and unread < 20_000_000  # no key: refused before the body is read
    assert after - before < 30e6


def test_two_monitor_replicas_make_one_scheduled_run_per_interval(
    database: str, registry: str, synthetic: Path, tmp_path: Path
) -> None:
    migrate(database)
    scoring_env = {
        "SCORING_DATABASE_URL": database,
        "SCORING_MLFLOW_TRACKING_URI": registry,
        "SCORING_RELOAD_INTERVAL": "0",
        "SCORING_AUTH_DISABLED": "true",
    }
    interval = 4.0
    monitor_env = {
        "MONITOR_DATABASE_URL": database,
        "MONITOR_MLFLOW_TRACKING_URI": registry,
        "MONITOR_REPORTS": str(tmp_path / "reports"),
        "MONITOR_RELOAD_INTERVAL": "0",
        "MONITOR_MIN_ROWS": "100",
        "MONITOR_WINDOW": "300",
        "MONITOR_SCHEDULE_INTERVAL": str(interval),
        "MONITOR_AUTH_DISABLED": "true",
        # short runs (no segments or engineered features, a small reference): 6 s here, not 11
        "MONITOR_SEGMENTS": "[]",
        "MONITOR_TOP_FEATURES": "0",
        "MONITOR_MAX_REFERENCE_ROWS": "1000",
    }
    with served("credit_scoring_api.cli", scoring_env, tmp_path / "scoring.log") as scoring:
        batch = {"applications": requests_from_folder(synthetic, 300, with_history=False)}
        assert httpx.post(f"{scoring}/v1/scores/batch", json=batch, timeout=60).status_code == 200
        _recorded(scoring, httpx.post(f"{scoring}/v1/scores", json=batch["applications"][0]).json()["request_id"])
        engine = sa.create_engine(database)
        started = time.monotonic()
        with (
            served("credit_monitor.cli", monitor_env, tmp_path / "monitor-a.log"),
            served("credit_monitor.cli", monitor_env, tmp_path / "monitor-b.log"),
        ):
            # Until three scheduled runs exist: how many fit in a fixed time depends on how long
            # a drift run takes on a loaded machine (a run longer than the interval delays the next).
            while len(runs := _scheduled_runs(engine)) < 3:
                assert time.monotonic() - started < 240, f"{len(runs)} scheduled runs in 240 s"
                time.sleep(0.5)
            time.sleep(2 * interval)  # both replicas keep trying: a second run in an interval would show now
            runs = _scheduled_runs(engine)
        engine.dispose()
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(runs)]
    print(f"\ntwo replicas, {interval:.0f} s interval: {len(runs)} scheduled runs, gaps {gaps}")
    assert len(runs) >= 3 and all(gap >= 0.8 * interval for gap in gaps), gaps
