"""No decision without a durable record, shown by causing the faults: the scoring API (a real
process group, two workers) is SIGKILLed under concurrent load and started again; its database
(a Postgres cluster of the test's own) is stopped during the load; its spool fills up. Every
decision answered 200 has exactly one row in the end."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from credit_scoring_api.db import migrate
from faults import PrivateCluster, Service, Traffic, drained, logged, private_cluster
from support import requests_from_folder

pytestmark = [pytest.mark.integration, pytest.mark.slow]
KEY = "durability-key"


@pytest.fixture(scope="module")
def bodies(synthetic: Path) -> list[dict[str, Any]]:
    return requests_from_folder(synthetic, 300, with_history=True)


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    """A migrated Postgres cluster of the test's own, to stop and start."""
    if (why := PrivateCluster.available()) is not None:
        pytest.skip(why)
    with private_cluster() as cluster:
        migrate(cluster.url)
        yield cluster


def _check(database: str, answered: list[str], what: str) -> None:
    found, rows, total = logged(database, answered)
    print(
        f"\n{what}: answered 200 {len(answered):,}, with a row {found:,}, rows for them {rows:,}, rows in all {total:,}"
    )
    assert found == len(answered), f"{len(answered) - found} answered decisions have no record"
    assert rows == len(answered), f"{rows - len(answered)} answered decisions have more than one row"
    assert len(set(answered)) == len(answered)


def test_sigkill_under_load_loses_no_answered_decision(
    registry: str, database: str, bodies: list[dict[str, Any]], tmp_path: Path
) -> None:
    migrate(database)
    service = Service.scoring(registry, database, tmp_path, KEY)
    service.start()
    try:
        with Traffic(service.url, bodies, KEY) as traffic:
            traffic.wait_for(1_500)
            service.kill()  # mid-traffic: requests in flight, decisions spooled and not yet drained
        answered = list(traffic.answered)
        service.start()  # the new workers adopt what the killed ones left in the spool
        drained(service.url, database)
    finally:
        service.terminate()
    _check(database, answered, "SIGKILL under load")


def test_database_stopped_during_load_then_the_service_killed(
    registry: str, cluster: PrivateCluster, bodies: list[dict[str, Any]], tmp_path: Path
) -> None:
    service = Service.scoring(registry, cluster.url, tmp_path, KEY)
    service.start()
    try:
        with Traffic(service.url, bodies, KEY) as traffic:
            traffic.wait_for(500)
            cluster.stop()  # the database goes away; scoring goes on, decisions wait on disk
            traffic.wait_for(len(traffic.answered) + 1_000)
            service.kill()
        answered = list(traffic.answered)
        cluster.start()
        service.start()
        drained(service.url, cluster.url)
    finally:
        service.terminate()
    assert traffic.statuses.get(503, 0) == 0  # the spool had room: nobody was refused
    _check(cluster.url, answered, "database stopped, then SIGKILL")


def test_a_full_spool_refuses_and_never_answers_without_a_record(
    registry: str, cluster: PrivateCluster, bodies: list[dict[str, Any]], tmp_path: Path
) -> None:
    # a small spool (a few dozen decisions with history per worker) and no database to drain to
    service = Service.scoring(registry, cluster.url, tmp_path, KEY, SCORING_SPOOL_LIMIT_BYTES="600000")
    service.start()
    try:
        cluster.stop()
        with Traffic(service.url, bodies, KEY, threads=4) as traffic:
            deadline = time.monotonic() + 60
            while traffic.statuses.get(503, 0) < 50 and time.monotonic() < deadline:
                time.sleep(0.05)
        answered = list(traffic.answered)
        largest = max(bodies, key=lambda body: len(json.dumps(body)))
        # the traffic's kept-alive connections may all have gone to one worker: new connections
        # until every worker refuses (each has its own share of the spool)
        for _ in range(500):
            last = [
                httpx.post(f"{service.url}/v1/scores", json=largest, headers={"X-API-Key": KEY}, timeout=10)
                for _ in range(10)
            ]
            answered += [r.json()["request_id"] for r in last if r.status_code == 200]
            if all(r.status_code == 503 for r in last):
                break
        refused = [
            httpx.post(f"{service.url}/v1/scores", json=largest, headers={"X-API-Key": KEY}, timeout=10)
            for _ in range(10)
        ]
        ready = [httpx.get(f"{service.url}/ready", timeout=10) for _ in range(10)]
        cluster.start()
        drained(service.url, cluster.url)
    finally:
        service.terminate()
    assert traffic.statuses.get(503, 0) >= 50 and answered
    assert all(r.status_code == 503 and r.headers["Retry-After"] == "5" for r in refused)
    assert "cannot be recorded" in refused[0].json()["detail"]
    assert all(r.status_code == 503 and "full" in r.json()["spool"]["status"] for r in ready)
    _check(cluster.url, answered, "spool full")
