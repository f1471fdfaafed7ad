"""Causing faults for real, for the durability tests and ``bench/decision_durability.py``: a Postgres
cluster of our own that can be stopped, a scoring API started as a process group that can be
killed with SIGKILL, and concurrent traffic that remembers every decision it was answered."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from support import clients_env, free_port, wait_until_answering

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)


def _as_postgres(command: list[str]) -> list[str]:
    """Postgres refuses to run as root: as root, run it as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class PrivateCluster:
    """A Postgres cluster in a folder of its own, on a port of its own: stopped and started by the
    test (``stop`` is an immediate shutdown, as a crash or a failover is)."""

    folder: Path
    port: int = field(default_factory=free_port)

    @classmethod
    def available(cls) -> str | None:
        """None if a cluster can be made here, else why not."""
        if PG_BIN is None or not (PG_BIN / "initdb").exists():
            return "no PostgreSQL server binaries under /usr/lib/postgresql (Debian's postgresql package)"
        if os.geteuid() == 0 and shutil.which("runuser") is None:
            return "running as root without runuser to drop to the postgres user"
        return None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        assert PG_BIN is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        subprocess.run(
            _as_postgres([str(PG_BIN / "initdb"), "-D", str(self.folder / "data"), "-U", "postgres", "-A", "trust"]),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        assert PG_BIN is not None
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=on"
        subprocess.run(
            _as_postgres(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(self.folder / "data"),
                    "-o",
                    options,
                    "-w",
                    "-l",
                    str(self.folder / "log"),
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        assert PG_BIN is not None
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop"]),
            check=True,
            capture_output=True,
        )


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    """A fresh cluster in a folder of /tmp the postgres user can reach (pytest's folders are root's)."""
    cluster = PrivateCluster(Path(tempfile.mkdtemp(prefix="bank-scoring-pg-")))
    cluster.init()
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped by the test
            cluster.stop()
        shutil.rmtree(cluster.folder, ignore_errors=True)


@dataclass
class Service:
    """A scoring API started in a process group of its own (its workers die with it)."""

    env: dict[str, str]
    log: Path
    workers: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def scoring(cls, registry: str, database: str, folder: Path, key: str, **settings: str) -> Service:
        """The scoring API on this registry and database, one API key, its spool and log in ``folder``."""
        env = {
            "SCORING_DATABASE_URL": database,
            "SCORING_MLFLOW_TRACKING_URI": registry,
            "SCORING_API_CLIENTS": clients_env(key),
            "SCORING_RELOAD_INTERVAL": "0",
            "SCORING_SPOOL_DIR": str(folder / "spool"),
        } | settings
        return cls(env, folder / "scoring.log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> None:
        command = [
            sys.executable,
            "-m",
            "credit_scoring_api.cli",
            "serve",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, env=os.environ | self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_until_answering(f"{self.url}/ready", self.process, self.log, timeout)

    def kill(self) -> None:
        """SIGKILL to the whole group: the way a container or a node dies, nothing runs after it."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)


class Traffic:
    """Threads sending applications to ``/v1/scores`` until stopped; every 200 answered is kept
    (its request id), and so is every other status."""

    def __init__(self, url: str, bodies: list[dict[str, Any]], key: str, threads: int = 12):
        self.url, self.bodies, self.key, self.threads = url, bodies, key, threads
        self.answered: list[str] = []
        self.statuses: dict[int | str, int] = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._workers = [threading.Thread(target=self._send, args=(i,), daemon=True) for i in range(threads)]

    def _send(self, offset: int) -> None:
        with httpx.Client(base_url=self.url, headers={"X-API-Key": self.key}, timeout=10) as client:
            i = offset
            while not self._stop.is_set():
                body = self.bodies[i % len(self.bodies)]
                i += self.threads
                try:
                    response = client.post("/v1/scores", json=body)
                except httpx.HTTPError as error:
                    status: int | str = error.__class__.__name__
                    time.sleep(0.05)  # the service is away: try again shortly
                else:
                    status = response.status_code
                    if status == 200:
                        with self._lock:
                            self.answered.append(response.json()["request_id"])
                with self._lock:
                    self.statuses[status] = self.statuses.get(status, 0) + 1

    def __enter__(self) -> Traffic:
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=30)

    def wait_for(self, answered: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while len(self.answered) < answered:
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {len(self.answered)} answered in {timeout} s: {self.statuses}")
            time.sleep(0.05)


def logged(url: str, request_ids: list[str]) -> tuple[int, int, int]:
    """For these request ids: how many have a row, how many rows they have in all, how many rows
    the table holds."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = dict(
            connection.execute(sa.text("SELECT request_id, count(*) FROM predictions GROUP BY request_id")).all()
        )
    engine.dispose()
    return sum(1 for r in request_ids if r in rows), sum(rows.get(r, 0) for r in request_ids), sum(rows.values())


def drained(service_url: str, database_url: str, timeout: float = 120) -> None:
    """Until every worker's spool is empty: the row count has stopped moving and ``/ready`` (any
    worker answers it) reports no backlog ten times in a row."""
    engine = sa.create_engine(database_url)
    deadline, quiet, last = time.monotonic() + timeout, 0, -1
    try:
        while quiet < 10:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the spool still holds decisions after {timeout} s")
            with engine.connect() as connection:
                count = connection.execute(sa.text("SELECT count(*) FROM predictions")).scalar_one()
            backlog = httpx.get(f"{service_url}/ready", timeout=10).json()["spool"]["backlog_bytes"]
            quiet = quiet + 1 if backlog == 0 and count == last else 0
            last = count
            time.sleep(0.2)
    finally:
        engine.dispose()
