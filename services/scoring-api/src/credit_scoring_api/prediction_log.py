"""The prediction log: scores are queued in memory and written in batches by a background thread.

Writing never sits on a request's critical path. While the database is down the writer keeps the
pending rows and retries; nothing is dropped unless the bounded buffer fills up, and then every
dropped row is counted in the metrics and reported in the log at error level.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

import sqlalchemy as sa
from credit_core.contracts.decisions import DecisionRecord
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from credit_scoring_api import telemetry
from credit_scoring_api.db import predictions

log = logging.getLogger(__name__)


def table_row(record: DecisionRecord) -> dict[str, Any]:
    """A decision record as a row of ``predictions`` (its fields are the table's columns)."""
    return dict(record) | {"raw_input": dict(record.raw_input)}  # shallow: its values are plain JSON already


class PredictionLogWriter:
    def __init__(self, engine: sa.Engine, capacity: int, batch: int, flush_seconds: float):
        self.engine = engine
        self.batch = batch
        self.flush_seconds = flush_seconds
        self.queue: queue.Queue[DecisionRecord] = queue.Queue(maxsize=capacity)
        self.pending: list[DecisionRecord] = []  # taken from the queue, not yet committed
        self.database_up = True
        self.dropped = 0
        self.written = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="prediction-log-writer", daemon=True)

    @property
    def backlog(self) -> int:
        return self.queue.qsize() + len(self.pending)

    def start(self) -> None:
        self._thread.start()

    def submit(self, record: DecisionRecord) -> None:
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            self.dropped += 1
            telemetry.LOG_DROPPED.inc()
            log.error(
                "prediction log buffer full (%d rows, database up: %s): dropped request %s; %d dropped so far",
                self.queue.maxsize,
                self.database_up,
                record.request_id,
                self.dropped,
            )
        telemetry.LOG_BACKLOG.set(self.backlog)

    def _take(self) -> None:
        deadline = time.monotonic() + self.flush_seconds
        while len(self.pending) < self.batch:
            timeout = deadline - time.monotonic()
            if timeout <= 0:
                break
            try:
                self.pending.append(self.queue.get(timeout=timeout))
            except queue.Empty:
                break

    def _write(self) -> bool:
        try:
            with self.engine.begin() as connection:
                connection.execute(sa.insert(predictions), [table_row(r) for r in self.pending])
        except (OperationalError, InterfaceError) as error:
            if self.database_up:
                log.error(
                    "prediction log: database unavailable, keeping %d rows and retrying: %s",
                    self.backlog,
                    error.__class__.__name__,
                )
            self.database_up = False
            telemetry.LOG_DATABASE_UP.set(0)
            return False
        except SQLAlchemyError as error:
            # the database answered but refused some row: write the others, report the refused ones
            log.error(
                "prediction log: batch of %d refused (%s); writing row by row",
                len(self.pending),
                error.__class__.__name__,
            )
            return self._write_one_by_one()
        if not self.database_up:
            log.warning("prediction log: database back, writing the backlog (%d rows)", self.backlog)
        self.database_up = True
        telemetry.LOG_DATABASE_UP.set(1)
        self.written += len(self.pending)
        telemetry.LOG_WRITTEN.inc(len(self.pending))
        self.pending = []
        return True

    def _write_one_by_one(self) -> bool:
        kept = []
        for row in self.pending:
            try:
                with self.engine.begin() as connection:
                    connection.execute(sa.insert(predictions), [table_row(row)])
                self.written += 1
                telemetry.LOG_WRITTEN.inc()
            except (OperationalError, InterfaceError):
                kept.append(row)  # the database went away meanwhile: retry later
            except SQLAlchemyError as error:
                self.dropped += 1
                telemetry.LOG_DROPPED.inc()
                log.error("prediction log: request %s refused by the database, not logged: %s", row.request_id, error)
        self.pending = kept
        return not kept

    def _run(self) -> None:
        retry = 0.5
        while not (self._stop.is_set() and self.queue.empty() and not self.pending):
            self._take()
            if self.pending and not self._write():
                time.sleep(retry)
                retry = min(retry * 2, 5.0)
                continue
            retry = 0.5
            telemetry.LOG_BACKLOG.set(self.backlog)

    def stop(self, timeout: float = 10.0) -> None:
        """Flush what is pending (for up to ``timeout`` seconds), then stop."""
        self._stop.set()
        self._thread.join(timeout)
        if self.backlog:
            log.error("prediction log: %d rows could not be written before shutdown", self.backlog)
