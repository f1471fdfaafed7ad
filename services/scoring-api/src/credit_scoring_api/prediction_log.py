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
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from credit_scoring_api import metrics
from credit_scoring_api.db import predictions

log = logging.getLogger(__name__)


class PredictionLogWriter:
    def __init__(self, engine: sa.Engine, capacity: int, batch: int, flush_seconds: float):
        self.engine = engine
        self.batch = batch
        self.flush_seconds = flush_seconds
        self.queue: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=capacity)
        self.pending: list[dict[str, Any]] = []  # taken from the queue, not yet committed
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

    def submit(self, row: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(row)
        except queue.Full:
            self.dropped += 1
            metrics.LOG_DROPPED.inc()
            log.error(
                "prediction log buffer full (%d rows, database up: %s): dropped request %s; %d dropped so far",
                self.queue.maxsize,
                self.database_up,
                row.get("request_id"),
                self.dropped,
            )
        metrics.LOG_BACKLOG.set(self.backlog)

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
                connection.execute(sa.insert(predictions), self.pending)
        except (OperationalError, InterfaceError) as error:
            if self.database_up:
                log.error(
                    "prediction log: database unavailable, keeping %d rows and retrying: %s",
                    self.backlog,
                    error.__class__.__name__,
                )
            self.database_up = False
            metrics.LOG_DATABASE_UP.set(0)
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
        metrics.LOG_DATABASE_UP.set(1)
        self.written += len(self.pending)
        metrics.LOG_WRITTEN.inc(len(self.pending))
        self.pending = []
        return True

    def _write_one_by_one(self) -> bool:
        kept = []
        for row in self.pending:
            try:
                with self.engine.begin() as connection:
                    connection.execute(sa.insert(predictions), [row])
                self.written += 1
                metrics.LOG_WRITTEN.inc()
            except (OperationalError, InterfaceError):
                kept.append(row)  # the database went away meanwhile: retry later
            except SQLAlchemyError as error:
                self.dropped += 1
                metrics.LOG_DROPPED.inc()
                log.error(
                    "prediction log: request %s refused by the database, not logged: %s", row.get("request_id"), error
                )
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
            metrics.LOG_BACKLOG.set(self.backlog)

    def stop(self, timeout: float = 10.0) -> None:
        """Flush what is pending (for up to ``timeout`` seconds), then stop."""
        self._stop.set()
        self._thread.join(timeout)
        if self.backlog:
            log.error("prediction log: %d rows could not be written before shutdown", self.backlog)
