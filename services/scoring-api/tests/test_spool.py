"""The decision spool and its drain, without HTTP: a record is on disk when ``record`` returns; a
torn last record is ignored; a dead worker's segments are adopted; the size limit fails closed (or
open when asked); the drain into the database writes each decision exactly once, even when it is
repeated, and a row the database refuses does not block the others."""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from credit_core.contracts.decisions import DecisionRecord, RawInput
from credit_core.database import engine_for
from credit_scoring_api.db import migrate
from credit_scoring_api.prediction_log import PredictionLogDrainer, decode, encode
from credit_scoring_api.spool import DecisionSpool, SpoolFullError, SpoolOwnedError, frame, frames


def _record(request_id: str | None = None, **changes: object) -> DecisionRecord:
    fields: dict[str, object] = {
        "request_id": request_id or uuid.uuid4().hex,
        "scored_at": datetime.now(UTC),
        "applicant_id": 100001,
        "model_name": "credit-default",
        "model_version": "1",
        "threshold": 0.1,
        "probability": 0.2,
        "decision": "refused",
        "source": "api",
        "latency_ms": 0.4,
        "client": "key-1",
        "raw_input": RawInput(application={"SK_ID_CURR": 100001, "AMT_CREDIT": 1e5}, history={}),
        "features": {"AMT_CREDIT": 1e5, "NAME_CONTRACT_TYPE": "Cash loans", "EXT_SOURCE_1": None},
    }
    return DecisionRecord.model_construct(**(fields | changes))


def _spool(folder: Path, limit: int = 10_000_000, **options: object) -> DecisionSpool:
    spool = DecisionSpool(folder, limit, **options)  # type: ignore[arg-type]
    spool.start()
    return spool


def test_a_recorded_decision_is_on_disk_and_reads_back(tmp_path: Path) -> None:
    spool = _spool(tmp_path)
    records = [_record() for _ in range(50)]

    async def answer() -> None:  # concurrent requests: their records share flushes
        await asyncio.gather(*(spool.record([encode(r)]) for r in records))

    asyncio.run(answer())
    segment = spool.pending_segments()[0]
    stored = [decode(payload)[0]["request_id"] for _, payload in frames(segment.path)]
    assert sorted(stored) == sorted(r.request_id for r in records)
    assert segment.durable == segment.path.stat().st_size
    spool.stop()


def test_a_torn_last_record_is_ignored(tmp_path: Path) -> None:
    spool = _spool(tmp_path)
    asyncio.run(spool.record([encode(_record("whole"))]))
    path = spool.pending_segments()[0].path
    spool.stop()
    with path.open("ab") as f:  # a crash in the middle of the next write
        f.write(b"\x00\x10\x00\x00garbage")
    assert [decode(p)[0]["request_id"] for _, p in frames(path)] == ["whole"]


def test_a_dead_workers_segments_are_adopted(tmp_path: Path) -> None:
    dead = _spool(tmp_path)
    asyncio.run(dead.record([encode(_record("left-behind"))]))
    dead.stop()
    dead.release()  # what the kernel does when the process dies: its lock goes
    alive = _spool(tmp_path)
    assert {s.seq[0] for s in alive.pending_segments()} == {dead.owner}  # its own segment is still empty
    # a live worker's segments are not taken
    other = DecisionSpool(tmp_path, 10_000_000)
    other.start()
    assert alive.owner not in {s.seq[0] for s in other.pending_segments()}
    for spool in (alive, other):
        spool.stop()


def test_a_spool_holding_another_databases_decisions_is_not_taken(tmp_path: Path) -> None:
    first = _spool(tmp_path, destination="postgresql+psycopg://scoring@db-a/scoring")
    asyncio.run(first.record([encode(_record())]))
    first.stop()
    first.release()
    with pytest.raises(SpoolOwnedError, match="db-a"):
        _spool(tmp_path, destination="postgresql+psycopg://scoring@db-b/scoring")
    again = _spool(tmp_path, destination="postgresql+psycopg://scoring@db-a/scoring")  # its own database: adopted
    assert [s.seq[0] for s in again.pending_segments()] == [first.owner]
    again.stop()


def test_a_full_spool_refuses_or_answers_without_record_when_set_to_fail_open(tmp_path: Path) -> None:
    payload = encode(_record())
    size = len(frame(payload))  # what a record takes in the spool
    closed = _spool(tmp_path / "closed", limit=size * 3)
    for _ in range(3):
        assert asyncio.run(closed.record([payload])) is True
    with pytest.raises(SpoolFullError):
        asyncio.run(closed.record([payload]))
    assert closed.writable() is not None and "full" in closed.writable()  # type: ignore[operator]
    opened = _spool(tmp_path / "open", limit=size, fail_open=True)
    assert asyncio.run(opened.record([payload])) is True
    assert asyncio.run(opened.record([payload])) is False and opened.unrecorded == 1
    for spool in (closed, opened):
        spool.stop()


@pytest.mark.integration
@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_the_drain_writes_each_decision_once_even_when_repeated(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("database") if backend == "postgres" else f"sqlite:///{tmp_path / 'log.db'}"
    migrate(url)
    engine = engine_for(url)
    spool = _spool(tmp_path / "spool")
    records = [_record() for _ in range(300)]
    asyncio.run(spool.record([encode(r) for r in records]))
    drainer = PredictionLogDrainer(spool, engine, batch_bytes=20_000)
    while drainer.drain_once():
        pass
    # a crash after the database committed but before the spool knew: the same records again
    segment = next(s for s in spool.segments if s.seq[0] == spool.owner)
    segment.drained = 0
    while drainer.drain_once():
        pass
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT request_id, client, features FROM predictions")).all()
    assert sorted(r[0] for r in rows) == sorted(r.request_id for r in records)
    assert drainer.written == 300 and {r[1] for r in rows} == {"key-1"}
    spool.stop()


@pytest.mark.integration
def test_a_row_the_database_refuses_does_not_block_the_others(database: str, tmp_path: Path) -> None:
    migrate(database)
    spool = _spool(tmp_path)
    # out of BIGINT range: refused by the database (the contract would refuse it too)
    batch = [_record("good"), _record("too-big", applicant_id=2**63), _record("after")]
    asyncio.run(spool.record([encode(r) for r in batch]))
    drainer = PredictionLogDrainer(spool, engine_for(database))
    while drainer.drain_once():
        pass
    with sa.create_engine(database).connect() as connection:
        ids = connection.execute(sa.text("SELECT request_id FROM predictions ORDER BY id")).scalars().all()
    assert ids == ["good", "after"] and spool.backlog_bytes() == 0
    spool.stop()


def test_segments_roll_over_and_drained_ones_are_deleted(tmp_path: Path) -> None:
    spool = _spool(tmp_path, segment_bytes=2_000)
    asyncio.run(spool.record([encode(_record()) for _ in range(10)]))
    asyncio.run(spool.record([encode(_record())]))
    segments = spool.pending_segments()
    assert len(segments) == 2 and segments[0].closed
    spool.drained(segments[0], segments[0].durable)
    assert not segments[0].path.exists() and os.listdir(tmp_path)
    spool.stop()


def test_a_clean_stop_leaves_no_drained_segment(database: str, tmp_path: Path) -> None:
    spool = _spool(tmp_path, destination="here")
    drainer = PredictionLogDrainer(spool, engine_for(database))
    migrate(database)
    drainer.start()
    asyncio.run(spool.record([encode(_record()) for _ in range(5)]))
    spool.stop()
    drainer.stop(10)
    spool.retire()
    spool.release()
    assert list(tmp_path.glob("*.seg")) == []  # another database may use the folder next
