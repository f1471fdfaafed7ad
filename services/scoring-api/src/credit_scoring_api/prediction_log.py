"""The prediction log: decision records move from the durable spool into the database.

A decision is on disk (:mod:`credit_scoring_api.spool`) before it is answered; the drainer thread
copies the spooled records into ``predictions`` in bulk (``COPY`` on Postgres, through a staging
table and ``INSERT ... ON CONFLICT (request_id) DO NOTHING`` when some are there already;
``INSERT OR IGNORE`` on SQLite), and the spool deletes a segment once all of it is in. A drain
repeated after a crash (the same records again) writes nothing twice: the request id is unique.
While the database is down the records wait on disk, not in memory, and the drainer retries; what
it holds in memory is one batch.

A spooled record is three JSON documents separated by an ASCII record separator (never found in
JSON text): the decision facts, the raw input, the features. The last two go to the database as
the text they are, without being parsed again.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import Any, get_args

import orjson
import psycopg
import sqlalchemy as sa
from credit_core.contracts.decisions import DecisionFacts, DecisionRecord
from credit_core.database import database_status
from pydantic import BaseModel
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from credit_scoring_api import telemetry
from credit_scoring_api.db import insert_ignoring_duplicates, predictions
from credit_scoring_api.spool import DecisionSpool, Segment, frames

log = logging.getLogger(__name__)
# the database is away (retry later) / the database refused what was sent (the COPY path speaks
# to psycopg directly, so its errors are psycopg's)
AWAY = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
FAILED = (SQLAlchemyError, psycopg.Error)

SEPARATOR = b"\x1e"
FACTS = tuple(DecisionFacts.model_fields)
COLUMNS = (*FACTS, "raw_input", "features")
NAMES = ", ".join(f'"{c}"' for c in COLUMNS)  # the column list of the COPY and INSERT statements
TIMES = {
    name
    for name, info in DecisionFacts.model_fields.items()
    if datetime in (info.annotation, *get_args(info.annotation))
}
DOCUMENTS = {name for name in FACTS if isinstance(predictions.c[name].type, sa.JSON)}  # facts that are JSON (reasons)


def encode(record: DecisionRecord) -> bytes:
    """A decision record as it is spooled."""
    facts = {name: getattr(record, name) for name in FACTS}
    raw_input = None if record.raw_input is None else dict(record.raw_input)
    return SEPARATOR.join((orjson.dumps(facts, default=_plain), orjson.dumps(raw_input), orjson.dumps(record.features)))


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):  # a principal reason
        return value.model_dump()
    raise TypeError(f"{type(value).__name__} is not JSON")


def decode(payload: bytes) -> tuple[dict[str, Any], str, str]:
    """The facts of a spooled record, and its raw input and features as JSON text."""
    facts, raw_input, features = payload.split(SEPARATOR)
    return orjson.loads(facts), raw_input.decode(), features.decode()


class PredictionLogDrainer:
    def __init__(
        self, spool: DecisionSpool, engine: sa.Engine, *, batch_bytes: int = 4 << 20, idle_seconds: float = 0.05
    ):
        self.spool, self.engine = spool, engine
        self.batch_bytes, self.idle_seconds = batch_bytes, idle_seconds
        self.database_up = True
        self.database_error: str | None = None
        self.written = 0  # records committed to the database by this process (duplicates excluded)
        self.restarts = 0
        self._stop = threading.Event()
        self._deadline: float | None = None
        self._thread: threading.Thread | None = None
        self._postgres = engine.dialect.name == "postgresql"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="prediction-log-drainer", daemon=True)
        self._thread.start()

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def supervise(self) -> None:
        """Restart the drainer if it died (counted)."""
        if self._thread is not None and not self._thread.is_alive() and not self._stop.is_set():
            self.restarts += 1
            telemetry.LOG_DRAINER_RESTARTS.inc()
            log.error("prediction log: the drainer thread had died; restarted (%d restarts)", self.restarts)
            self.start()

    def stop(self, budget: float) -> None:
        """Drain what can be drained within ``budget`` seconds, then stop; the rest stays spooled."""
        self._deadline = time.monotonic() + budget
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=budget + 5)
        left = self.spool.backlog_bytes()
        if left:
            log.warning("prediction log: %d bytes of decisions stay in the spool for the next start", left)

    def _run(self) -> None:
        adopted_at = time.monotonic()
        retry = 0.5
        while True:
            if self._stop.is_set() and (
                self.spool.backlog_bytes() == 0 or (self._deadline is not None and time.monotonic() > self._deadline)
            ):
                return
            if time.monotonic() - adopted_at > 5:
                self.spool.adopt_orphans()
                adopted_at = time.monotonic()
            try:
                moved = self.drain_once()
            except FAILED as error:
                self._database_down(error)
                time.sleep(retry)
                retry = min(retry * 2, 5.0)
                continue
            retry = 0.5
            if not moved:
                time.sleep(self.idle_seconds)

    def drain_once(self) -> int:
        """Move one batch from the spool to the database; how many records it read."""
        for segment in self.spool.pending_segments():
            end, rows, size = segment.drained, [], 0
            for offset, payload in frames(segment.path, segment.drained, segment.durable):
                rows.append(decode(payload))
                end, size = offset, size + len(payload)
                if size >= self.batch_bytes:
                    break
            if rows:
                try:
                    self._write(rows)
                except AWAY:
                    raise  # retried
                except FAILED as error:  # the database refused some row: the others go in
                    log.error(
                        "prediction log: a batch of %d was refused (%s); writing one by one",
                        len(rows),
                        error.__class__.__name__,
                    )
                    self._write_one_by_one(rows)
                self.spool.drained(segment, end)
                return len(rows)
            if segment.closed:  # nothing left, or only a torn last record: the segment is done
                self._skip_tail(segment)
        return 0

    def _skip_tail(self, segment: Segment) -> None:
        if segment.drained < segment.durable:
            log.warning(
                "prediction log: %s ends with %d bytes of a torn record, ignored",
                segment.path.name,
                segment.durable - segment.drained,
            )
        self.spool.drained(segment, segment.durable)

    def _write(self, rows: list[tuple[dict[str, Any], str, str]]) -> None:
        started = time.perf_counter()
        with self.engine.begin() as connection:
            inserted = self._copy(connection, rows) if self._postgres else self._insert(connection, rows)
        if not self.database_up:
            log.warning("prediction log: database back, draining the spool (%d bytes)", self.spool.backlog_bytes())
        self.database_up, self.database_error = True, None
        telemetry.LOG_DATABASE_UP.set(1)
        self.written += inserted
        telemetry.LOG_WRITTEN.inc(inserted)
        telemetry.LOG_WRITE_SECONDS.observe(time.perf_counter() - started)

    def _write_one_by_one(self, rows: list[tuple[dict[str, Any], str, str]]) -> None:
        for row in rows:
            try:
                self._write([row])
            except AWAY:
                raise
            except FAILED as error:
                telemetry.LOG_REJECTED.inc()
                log.error(
                    "prediction log: request %s refused by the database, not logged: %s",
                    row[0]["request_id"],
                    error.__class__.__name__,
                )

    def _copy(self, connection: sa.Connection, rows: list[tuple[dict[str, Any], str, str]]) -> int:
        """Postgres: ``COPY`` straight into the table. A batch holding a request id already there (a
        drain repeated after a crash) is undone to a savepoint and goes through a staging table,
        of which only the new decisions are inserted."""
        raw = connection.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor:
            cursor.execute("SAVEPOINT drain")
            try:
                self._copy_rows(cursor, "predictions", rows)
                return len(rows)
            except psycopg.errors.UniqueViolation:
                cursor.execute("ROLLBACK TO SAVEPOINT drain")
            # NAMES: the contract's column names, constants (no input reaches these statements)
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS predictions_incoming ON COMMIT DELETE ROWS AS "  # noqa: S608
                f"SELECT {NAMES} FROM predictions WITH NO DATA"
            )
            self._copy_rows(cursor, "predictions_incoming", rows)
            cursor.execute(
                f"INSERT INTO predictions ({NAMES}) SELECT {NAMES} FROM predictions_incoming "  # noqa: S608
                "ON CONFLICT (request_id) DO NOTHING"
            )
            return int(cursor.rowcount)

    @staticmethod
    def _copy_rows(cursor: psycopg.Cursor[Any], table: str, rows: list[tuple[dict[str, Any], str, str]]) -> None:
        with cursor.copy(f"COPY {table} ({NAMES}) FROM STDIN") as copy:
            for facts, raw_input, features in rows:
                values = (
                    orjson.dumps(facts[c]).decode() if c in DOCUMENTS and facts.get(c) is not None else facts.get(c)
                    for c in FACTS
                )
                copy.write_row((*values, raw_input, features))  # older records lack newer facts

    def _insert(self, connection: sa.Connection, rows: list[tuple[dict[str, Any], str, str]]) -> int:
        """SQLite (the embedded default): insert, ignoring request ids already there."""
        values = []
        for facts, raw_input, features in rows:
            row = {c: datetime.fromisoformat(facts[c]) if c in TIMES and facts.get(c) else facts.get(c) for c in FACTS}
            values.append(row | {"raw_input": orjson.loads(raw_input), "features": orjson.loads(features)})
        statement = insert_ignoring_duplicates(self.engine, predictions, "request_id")
        return int(connection.execute(statement, values).rowcount)

    def _database_down(self, error: Exception) -> None:
        if self.database_up:
            log.error(
                "prediction log: cannot write to the database (%s); %d bytes of decisions wait in the spool",
                error.__class__.__name__,
                self.spool.backlog_bytes(),
            )
        self.database_up, self.database_error = False, error.__class__.__name__
        telemetry.LOG_DATABASE_UP.set(0)


class Supervisor:
    """Every second: the spool's committer and the drainer are running (a dead thread is restarted
    and counted), and the spool's size is published; every few seconds the database is pinged, so
    that ``/ready`` reports it without waiting for it."""

    def __init__(self, spool: DecisionSpool, drainer: PredictionLogDrainer, interval: float = 1.0, ping_every: int = 5):
        self.spool, self.drainer, self.interval, self.ping_every = spool, drainer, interval, ping_every
        self.database = "unknown"
        self._stop = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._run, name="decision-log-supervisor", daemon=True).start()

    def _run(self) -> None:
        ticks = 0
        while not self._stop.wait(self.interval):
            if ticks % self.ping_every == 0:
                self.database = database_status(self.drainer.engine)
            ticks += 1
            self.spool.supervise()
            self.drainer.supervise()
            telemetry.LOG_BACKLOG_BYTES.set(self.spool.backlog_bytes())

    def stop(self) -> None:
        self._stop.set()
