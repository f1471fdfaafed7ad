"""The decision spool: every decision is written to local durable storage before its answer leaves.

A write-ahead log of append-only segment files in one folder (a volume in compose, Azure Files in
the cloud). Requests hand their encoded decisions to one committer thread, which writes whatever
has arrived meanwhile in one ``write`` and makes it durable with one ``fdatasync`` (group commit:
the cost of a flush is shared by the requests that arrived during the previous one), then tells
each request its decision is recorded. Only then is the decision answered.

Each record is framed (length, CRC-32, then the payload), so a torn last record after a crash is
recognised and ignored. Segments roll over at ``segment_bytes``; the drainer
(:mod:`credit_scoring_api.prediction_log`) copies them into Postgres and deletes each one once it
is all there. The folder is shared by the service's worker processes: each owns its segments and
holds an advisory lock on its own lock file while alive; segments whose owner is gone (a killed
worker, the previous run) are adopted by a live worker and drained.

The spool has a size limit in bytes: when recording a decision would pass it, the spool is full and
the decision is refused (``SpoolFullError``), unless the service is set to fail open.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import queue
import struct
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from credit_scoring_api import telemetry

log = logging.getLogger(__name__)

HEADER = struct.Struct("<II")  # payload length, CRC-32 of the payload
SEGMENT, LOCK, DESTINATION = ".seg", ".lock", "destination"


class SpoolFullError(Exception):
    """Recording this decision would take the spool past its size limit."""


class SpoolOwnedError(Exception):
    """The spool folder holds decisions for another database."""


class SpoolBrokenError(Exception):
    """The spool cannot write (disk full, read-only, ...): nothing can be recorded."""


def frame(payload: bytes) -> bytes:
    return HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def frames(path: Path, start: int = 0, limit: int | None = None) -> Iterator[tuple[int, bytes]]:
    """The whole records of a segment from byte ``start`` (up to byte ``limit``): (end offset, payload).
    Stops at the first incomplete or corrupt record (a write torn by a crash)."""
    with path.open("rb") as f:
        f.seek(start)
        offset = start
        end = limit if limit is not None else os.fstat(f.fileno()).st_size
        while offset + HEADER.size <= end:
            length, crc = HEADER.unpack(f.read(HEADER.size))
            if offset + HEADER.size + length > end:
                return
            payload = f.read(length)
            if len(payload) != length or zlib.crc32(payload) != crc:
                log.warning("spool: %s: a torn or corrupt record at byte %d, the rest is ignored", path.name, offset)
                return
            offset += HEADER.size + length
            yield offset, payload


@dataclass
class Segment:
    path: Path
    durable: int = 0  # bytes known to be on disk (whole records)
    drained: int = 0  # bytes already in the database
    closed: bool = False  # no more appends: once drained, it is deleted

    @property
    def seq(self) -> tuple[str, int]:
        owner, _, number = self.path.stem.rpartition("-")
        return owner, int(number)


@dataclass
class _Pending:
    data: bytes
    done: asyncio.Future[None]  # of the request's event loop, settled from the committer thread


class DecisionSpool:
    def __init__(
        self,
        folder: Path,
        limit_bytes: int,
        *,
        destination: str = "",
        segment_bytes: int = 8 << 20,
        fail_open: bool = False,
    ):
        self.folder = folder
        self.destination = destination  # the database the decisions go to (no password)
        self.limit_bytes = limit_bytes
        self.segment_bytes = segment_bytes
        self.fail_open = fail_open
        self.owner = uuid.uuid4().hex[:12]
        self.segments: list[Segment] = []  # own and adopted, oldest first
        self.error: str | None = None  # why the last write failed, until one succeeds
        self.unrecorded = 0  # answered without a record (fail open only)
        self._lock = threading.Lock()  # segments list and sizes
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._reserved = 0  # bytes accepted but not yet written
        self._largest = 0  # the largest decision seen: less room than that is full
        self._locks: dict[str, int] = {}  # owner -> file descriptor holding its lock
        self._active: Segment | None = None
        self._fd: int | None = None
        self._thread: threading.Thread | None = None
        self.restarts = 0

    # ---- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._locks[self.owner] = self._hold(self.owner, wait=True)
        self._claim()
        self._roll()
        self.adopt_orphans()
        self._start_committer()

    def _claim(self) -> None:
        """The folder is for one database: decisions spooled for another one are never drained into
        this one (two services given the same folder by mistake fail to start instead)."""
        marker = self.folder / DESTINATION
        found = marker.read_text() if marker.exists() else None
        if found == self.destination:
            return
        waiting = [p for p in self.folder.glob(f"*{SEGMENT}") if p.stat().st_size]
        if found is not None and waiting:
            self.release()
            raise SpoolOwnedError(
                f"{self.folder} holds {len(waiting)} segment(s) of decisions for {found}, not for "
                f"{self.destination}: start the service of that database on it, or give this one another spool folder"
            )
        temporary = marker.with_name(f".{DESTINATION}.{self.owner}")
        temporary.write_text(self.destination)
        temporary.replace(marker)

    def _start_committer(self) -> None:
        self._thread = threading.Thread(target=self._commit_loop, name="decision-spool-committer", daemon=True)
        self._thread.start()

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def supervise(self) -> None:
        """Restart the committer if it died (counted)."""
        if self._thread is not None and not self._thread.is_alive():
            self.restarts += 1
            telemetry.SPOOL_RESTARTS.inc()
            log.error("spool: the committer thread had died; restarted (%d restarts)", self.restarts)
            self._start_committer()

    def stop(self) -> None:
        """No more decisions: what is queued is written, then the committer ends."""
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def retire(self) -> None:
        """At a clean stop: segments all in the database are deleted (what is left stays)."""
        with self._lock:
            segments = list(self.segments)
        for segment in segments:
            if segment.drained >= segment.durable:
                segment.closed = True
                self.drained(segment, segment.drained)

    def release(self) -> None:
        """Give up the locks (the next start, or another worker, adopts what is left)."""
        for fd in self._locks.values():
            os.close(fd)
        self._locks.clear()

    # ---- recording ---------------------------------------------------------------------------
    def _reserve(self, size: int) -> bool:
        with self._lock:
            used = sum(s.durable - s.drained for s in self.segments) + self._reserved
            if used + size > self.limit_bytes:
                return False
            self._reserved += size
            return True

    def _submit(self, payloads: list[bytes], done: asyncio.Future[None]) -> bool:
        """Queue encoded decisions for one durable write, ``done`` settled once they are on disk;
        False when the spool is full and set to fail open (answer without a record)."""
        if self.error is not None and not self.alive():
            raise SpoolBrokenError(self.error)
        framed = [frame(p) for p in payloads]
        self._largest = max(self._largest, *map(len, framed))
        data = b"".join(framed)
        if not self._reserve(len(data)):
            if self.fail_open:
                self.unrecorded += len(payloads)
                log.error(
                    "spool full (%d bytes): %d decision(s) answered without a record", self.limit_bytes, len(payloads)
                )
                return False
            raise SpoolFullError(f"the decision spool is full ({self.limit_bytes:,} bytes waiting for the database)")
        self._queue.put(_Pending(data, done))
        return True

    async def record(self, payloads: list[bytes]) -> bool:
        """Return once these decisions are durably recorded: True; False when the spool is full and
        set to fail open (not recorded). Raises ``SpoolFullError`` / ``SpoolBrokenError``.
        A batch is framed in a worker thread (its checksums and copy are megabytes of work)."""
        done = asyncio.get_running_loop().create_future()
        queued = (
            self._submit(payloads, done)
            if len(payloads) == 1
            else await asyncio.to_thread(self._submit, payloads, done)
        )
        if queued:
            await done
        return queued

    @staticmethod
    def _settle(batch: list[_Pending], error: Exception | None) -> None:
        """Wake the requests of a group commit: one call into each event loop for the whole group
        (not one per request), where each waiter gets its result or the error."""
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
        for pending in batch:
            by_loop.setdefault(pending.done.get_loop(), []).append(pending.done)
        for loop, waiters in by_loop.items():
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
                loop.call_soon_threadsafe(_wake, waiters, error)

    def _commit_loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while True:  # everything that arrived during the previous flush goes in this one
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)
                    break
                batch.append(item)
            data = b"".join(p.data for p in batch)
            started = time.perf_counter()
            try:
                self._write(data)
            except OSError as error:
                self.error = f"{error.__class__.__name__}: {error}"
                log.error("spool: cannot write %d decision(s): %s", len(batch), self.error)
                with self._lock:
                    self._reserved -= len(data)
                self._settle(batch, SpoolBrokenError(self.error))
                continue
            self.error = None
            telemetry.SPOOL_COMMIT_SECONDS.observe(time.perf_counter() - started)
            self._settle(batch, None)

    def _write(self, data: bytes) -> None:
        assert self._active is not None and self._fd is not None
        written = 0
        while written < len(data):
            written += os.write(self._fd, data[written:])
        os.fdatasync(self._fd)
        with self._lock:
            self._active.durable += len(data)
            self._reserved -= len(data)
            full = self._active.durable >= self.segment_bytes
        if full:
            self._roll()

    def _roll(self) -> None:
        """Close the active segment and start the next one."""
        with self._lock:
            number = max((s.seq[1] for s in self.segments if s.seq[0] == self.owner), default=-1) + 1
            if self._active is not None:
                self._active.closed = True
            path = self.folder / f"{self.owner}-{number:06d}{SEGMENT}"
            if self._fd is not None:
                os.close(self._fd)
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self._active = Segment(path)
            self.segments.append(self._active)
        _sync_folder(self.folder)

    # ---- for the drainer ---------------------------------------------------------------------
    def pending_segments(self) -> list[Segment]:
        with self._lock:
            return [s for s in self.segments if s.drained < s.durable or s.closed]

    def drained(self, segment: Segment, offset: int) -> None:
        """The decisions of ``segment`` up to ``offset`` are in the database."""
        with self._lock:
            segment.drained = offset
            done = segment.closed and segment.drained >= segment.durable
            if done:
                self.segments.remove(segment)
        if done:
            segment.path.unlink(missing_ok=True)
            self._forget_owner(segment.seq[0])

    def backlog_bytes(self) -> int:
        with self._lock:
            return sum(s.durable - s.drained for s in self.segments)

    def adopt_orphans(self) -> int:
        """Take over the segments of workers that are gone; how many were adopted."""
        adopted = 0
        for lock in sorted(self.folder.glob(f"*{LOCK}")):
            owner = lock.stem
            if owner in self._locks:
                continue
            try:
                fd = self._hold(owner, wait=False)
            except BlockingIOError:
                continue  # a live worker's
            self._locks[owner] = fd
            found = sorted(self.folder.glob(f"{owner}-*{SEGMENT}"))
            with self._lock:
                for path in found:
                    size = path.stat().st_size
                    self.segments.insert(0, Segment(path, durable=size, closed=True))
            adopted += len(found)
            if found:
                log.warning(
                    "spool: adopted %d segment(s) of worker %s (%s bytes)",
                    len(found),
                    owner,
                    sum(p.stat().st_size for p in found),
                )
            self._forget_owner(owner)
        return adopted

    def _forget_owner(self, owner: str) -> None:
        """An adopted owner whose segments are all drained: its lock file goes."""
        if owner == self.owner:
            return
        with self._lock:
            if any(s.seq[0] == owner for s in self.segments):
                return
        fd = self._locks.pop(owner, None)
        (self.folder / f"{owner}{LOCK}").unlink(missing_ok=True)
        if fd is not None:
            os.close(fd)

    def _hold(self, owner: str, *, wait: bool) -> int:
        fd = os.open(self.folder / f"{owner}{LOCK}", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(fd)
            raise
        return fd

    def writable(self) -> str | None:
        """None if the spool can record now, else why not."""
        if not self.alive():
            return "the committer thread is not running"
        if self.error is not None:
            return f"the last write failed: {self.error}"
        if not os.access(self.folder, os.W_OK):
            return f"{self.folder} is not writable"
        if self.backlog_bytes() + self._reserved + self._largest > self.limit_bytes:
            return f"full: {self.limit_bytes:,} bytes waiting for the database"
        return None


def _wake(waiters: list[asyncio.Future[None]], error: Exception | None) -> None:
    for waiter in waiters:
        if waiter.done():  # the request was cancelled (its client went away)
            continue
        if error is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(error)


def _sync_folder(folder: Path) -> None:
    """A new file's directory entry is durable too."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
