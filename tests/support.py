"""Helpers shared by every test folder: requests built from a data folder, services started as
real processes, registered models loaded as the services load them. (``tests`` is on the test
path: ``from support import ...``; the fixtures are in the root ``conftest.py``.)"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import polars as pl
from credit_core.auth import SCOPES, ApiClient
from credit_core.loader import request_bodies
from credit_core.registry import MODEL_NAME, load_version
from credit_core.schema import HISTORY_TABLES
from credit_core.scoring import CompiledModel

TEST_KEY = "test-key"  # the key of client "test", which has every scope


def clients(key: str = TEST_KEY, name: str = "test", scopes: tuple[str, ...] = SCOPES) -> list[ApiClient]:
    """A service's ``api_clients`` with one client."""
    return [ApiClient.with_key(name, key, scopes)]


def clients_env(key: str = TEST_KEY, name: str = "test", scopes: tuple[str, ...] = SCOPES) -> str:
    """The same as a ``*_API_CLIENTS`` variable."""
    return "[" + ",".join(c.model_dump_json() for c in clients(key, name, scopes)) + "]"


def requests_from_folder(
    folder: Path, n: int, with_history: bool, table: str = "application_train"
) -> list[dict[str, Any]]:
    """Raw applications (and their history rows) as a lender's system would send them; by default
    application_train rows without their outcome (there are more of them than test rows)."""
    application = pl.read_parquet(folder / f"{table}.parquet").drop("TARGET", strict=False).head(n)
    history = {name: pl.read_parquet(folder / f"{name}.parquet") for name in HISTORY_TABLES} if with_history else {}
    return request_bodies(application, history)


def wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    """Until ``url`` answers 200; fails with the end of ``log`` if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer (exit code {process.poll()}):\n{log.read_text()[-3000:]}")
        time.sleep(0.3)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(
    module: str,
    env: dict[str, str],
    log: Path,
    timeout: float = 120,
    args: list[str] | None = None,
    ready: str = "/ready",
) -> Iterator[str]:
    """``python -m <module> serve --port N`` (or ``<module> <args>``, ``{port}`` in them replaced)
    as a real process, until its ``ready`` path answers 200."""
    port = free_port()
    arguments = [a.replace("{port}", str(port)) for a in args] if args else ["serve", "--port", str(port)]
    command = [sys.executable, "-m", module, *arguments]
    if module == "credit_scoring_api.cli":  # a spool of its own, beside its log
        env = {"SCORING_SPOOL_DIR": str(log.with_suffix(".spool"))} | env
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=os.environ | env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{url}{ready}", process, log, timeout)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def trained_store(folder: Path, data: Path, family: str) -> str:
    """An embedded MLflow store holding a champion trained by `credit-trainer train`."""
    env = os.environ | {"TRAINER_MLFLOW_DIR": str(folder)}
    command = [sys.executable, "-m", "credit_trainer.cli", "train", "--data", str(data)]
    command += ["--models", family, "--imbalance", "none", "--constraints", "none", "--promote"]
    subprocess.run(command, env=env, check=True, capture_output=True)
    return f"sqlite:///{folder / 'mlflow.db'}"


def refused_with_offer(explainer_url: str, synthetic: Path) -> tuple[int, dict[str, float]]:
    """A refused applicant of the store (the first 60 test applicants) with a counter-offer, and the offer."""
    for applicant in pl.read_parquet(synthetic / "application_test.parquet")["SK_ID_CURR"].head(60):
        offer = httpx.get(f"{explainer_url}/v1/applicants/{applicant}/counter-offer").json()["offer"]
        if offer is not None:
            return int(applicant), offer
    raise AssertionError("no refused applicant with a counter-offer among the 60 ingested")


def registered_model(registry: str, folder: Path, version: str = "1") -> tuple[CompiledModel, Path]:
    """A registry version's compiled model and verified artifacts, as a service loads them."""
    model, _, artifacts = load_version(registry, MODEL_NAME, version, folder)
    return model, artifacts


def scoring_client(registry: str, database: str, **overrides: Any) -> Any:
    """The scoring API in-process (a ``TestClient``; enter it to start the app) on a migrated
    database, with client ``test`` (key ``test-key``, every scope) and a spool of its own."""
    from credit_scoring_api.config import Settings
    from credit_scoring_api.db import migrate
    from credit_scoring_api.main import create_app
    from fastapi.testclient import TestClient

    options: dict[str, Any] = {"api_clients": clients(), "reload_interval": 0, "spool_dir": tempfile.mkdtemp()}
    migrate(database)
    return TestClient(create_app(Settings(database_url=database, mlflow_tracking_uri=registry, **options | overrides)))


def spool_drained(client: Any, timeout: float = 60) -> None:
    """Until every decision the in-process scoring API spooled is in the database."""
    spool = client.app.state.spool
    deadline = time.monotonic() + timeout
    while spool.backlog_bytes() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert spool.backlog_bytes() == 0
