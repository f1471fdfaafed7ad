"""`make e2e`: the whole stack on real parts, without Docker, then the end-to-end scenario.

The machine's Postgres (two fresh databases), a real S3 endpoint on loopback (moto's server,
standing in for MinIO), an `mlflow server` with the Postgres backend, S3 artifacts and its authentication on, its users' job, the trainer's
one-shot job (synthetic data, training, promotion), the ingest job, then the scoring API, explainer,
monitor and dashboard as processes. Each service gets the environment docker-compose.yml gives it,
read from that file: same variables, with compose's host names replaced by this machine's ports.
Logs go to build/e2e/; the last lines of each are printed when something fails.

    python e2e/stack.py                 # start, run e2e/test_stack.py, stop
    python e2e/stack.py --keep          # ... and leave the stack running afterwards (Ctrl-C stops)
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from new_env import generated  # noqa: E402

BIN = Path(sys.executable).parent
LOGS = ROOT / "build" / "e2e"
SECRETS = generated()  # what `make env` writes to .env, with this machine's Postgres login (trust: any password)
SECRETS |= {
    "POSTGRES_USER": os.environ.get("E2E_POSTGRES_USER", "postgres"),
    "POSTGRES_PASSWORD": os.environ.get("E2E_POSTGRES_PASSWORD", SECRETS["POSTGRES_PASSWORD"]),
    "POSTGRES_DB": "bank_scoring",
    "MINIO_ROOT_USER": "e2e-user",
}
POSTGRES = os.environ.get("E2E_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DATABASES = ("bank_scoring", "mlflow")
PREFIX = "e2e_"  # the databases on this machine's Postgres: e2e_bank_scoring, e2e_mlflow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?message}``."""

    def one(match: re.Match[str]) -> str:
        name, operator, rest = match.group(1), match.group(2) or "", match.group(3) or ""
        if name in variables:
            return variables[name]
        if operator == ":-":
            return rest
        raise SystemExit(f"compose variable {name} is not set ({rest})")

    return re.sub(r"\$\{([A-Z0-9_]+)(?:(:[-?])([^}]*))?\}", one, value)


def compose_environment(service: str, ports: dict[str, int], variables: dict[str, str]) -> dict[str, str]:
    """The environment docker-compose.yml gives ``service``, for processes on this machine:
    ``http://<service>:<port>`` -> ``http://127.0.0.1:<its port here>``, databases renamed."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose["services"][service].get("environment", {})
    found = {}
    for key, raw in environment.items():
        value = interpolate(str(raw), variables)
        value = re.sub(r"@postgres:5432/(\w+)", lambda m: f"@127.0.0.1:{ports['postgres']}/{PREFIX}{m.group(1)}", value)
        # a service's address ends at its port; ``//monitor:1234abc@`` is a login and its password
        value = re.sub(r"//([a-z-]+):(\d+)(?=/|$)", lambda m: f"//127.0.0.1:{ports.get(m.group(1), m.group(2))}", value)
        found[key] = value
    return found


class Stack:
    def __init__(self) -> None:
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []
        LOGS.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        log = (LOGS / f"{name}.log").open("wb")
        process = subprocess.Popen(command, env=os.environ | env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        self.processes.append((name, process))
        print(f"e2e: started {name} (pid {process.pid})", flush=True)

    def run(self, name: str, command: list[str], env: dict[str, str]) -> None:
        started = time.monotonic()
        with (LOGS / f"{name}.log").open("wb") as log:
            done = subprocess.run(
                command, env=os.environ | env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, check=False
            )
        if done.returncode != 0:
            self.show_logs()
            raise SystemExit(f"e2e: {name} failed ({done.returncode}); log: {LOGS / name}.log")
        print(f"e2e: {name} done in {time.monotonic() - started:.0f} s", flush=True)

    def wait(self, name: str, url: str, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=3) as response:
                if response.status == 200:
                    return
            for process_name, process in self.processes:
                if process.poll() is not None:
                    self.show_logs()
                    raise SystemExit(f"e2e: {process_name} exited with {process.returncode}")
            if time.monotonic() > deadline:
                self.show_logs()
                raise SystemExit(f"e2e: {name} not ready at {url} after {timeout:.0f} s")
            time.sleep(0.5)

    def show_logs(self, lines: int = 25) -> None:
        for log in sorted(LOGS.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            print(f"---- {log.name} (last {len(tail)} lines)\n" + "\n".join(tail), flush=True)

    def stop(self) -> None:
        for name, process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                print(f"e2e: stopped {name}", flush=True)


@contextlib.contextmanager
def databases() -> Iterator[int]:
    """Fresh e2e_* databases on this machine's Postgres (started if it is down); dropped afterwards."""
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        admin.connect().close()
    except sa.exc.OperationalError:
        versions = os.listdir("/etc/postgresql")
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", versions[0], "main", "start"], check=True)
        time.sleep(2)

    def recreate(create: bool) -> None:
        with admin.connect() as connection:
            for name in DATABASES:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{PREFIX}{name}" WITH (FORCE)'))
                if create:
                    connection.execute(sa.text(f'CREATE DATABASE "{PREFIX}{name}"'))

    recreate(create=True)
    try:
        yield int(sa.make_url(POSTGRES).port or 5432)
    finally:
        recreate(create=False)
        admin.dispose()


@contextlib.contextmanager
def s3(port: int, variables: dict[str, str]) -> Iterator[None]:
    """moto's S3 server on loopback with the buckets createbuckets makes in compose."""
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per S3 request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id=variables["MINIO_ROOT_USER"],
        aws_secret_access_key=variables["MINIO_ROOT_PASSWORD"],
        region_name="us-east-1",
    )
    for bucket in ("mlflow", "drift-reports"):
        client.create_bucket(Bucket=bucket)
    try:
        yield
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="leave the stack running after the scenario")
    parser.add_argument("--applicants", type=int, default=6_000, help="synthetic applicants to train on")
    args = parser.parse_args()
    shutil.rmtree(LOGS, ignore_errors=True)
    started = time.monotonic()
    stack = Stack()
    names = ("minio", "mlflow", "scoring-api", "explainer", "monitor", "evidently-ui", "ui")
    ports = {name: free_port() for name in names}
    data = LOGS / "data"
    with databases() as postgres_port, s3(ports["minio"], SECRETS):
        ports["postgres"] = postgres_port
        env = {
            name: compose_environment(name, ports, SECRETS)
            for name in ("mlflow-database", "mlflow", "mlflow-users", "trainer", "ingest", "monitor-migrate")
        }
        env |= {
            name: compose_environment(name, ports, SECRETS)
            for name in ("scoring-api", "explainer", "monitor", "evidently-ui", "ui", "retrainer")
        }
        env["evidently-ui"]["HOME"] = str(LOGS)  # not /tmp: this machine's user
        env["ui"]["UI_EVIDENTLY_URL"] = evidently_url = f"http://127.0.0.1:{ports['evidently-ui']}"
        env["scoring-api"]["SCORING_SPOOL_DIR"] = str(LOGS / "spool")  # the volume's place on this machine
        try:
            mlflow_hosts = f"localhost:*,127.0.0.1:*,127.0.0.1:{ports['mlflow']}"
            # each service as its own database login, as in compose (the owner makes them)
            stack.run(
                "mlflow-database",
                [sys.executable, str(ROOT / "docker" / "mlflow" / "database.py")],
                env["mlflow-database"],
            )
            stack.start(  # with its authentication on, as in compose
                "mlflow",
                [
                    "sh",
                    str(ROOT / "docker" / "mlflow" / "serve.sh"),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(ports["mlflow"]),
                    "--serve-artifacts",
                    "--workers",
                    "2",
                    "--allowed-hosts",
                    mlflow_hosts,
                ],
                env["mlflow"] | {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
            )
            stack.wait("mlflow", f"http://127.0.0.1:{ports['mlflow']}/health")
            stack.run(
                "mlflow-users", [sys.executable, str(ROOT / "docker" / "mlflow" / "users.py")], env["mlflow-users"]
            )
            stack.run(
                "trainer",
                [
                    str(BIN / "credit-trainer"),
                    "bootstrap",
                    "--data",
                    str(data),
                    "--applicants",
                    str(args.applicants),
                    "--test-applicants",
                    "1500",
                    "--models",
                    "dummy,lightgbm,xgboost",
                    "--max-applicants",
                    "4000",
                ],
                env["trainer"],
            )
            scoring_migrate = [str(BIN / "credit-scoring-api"), "migrate", "--service-role", "scoring"]
            stack.run("migrate", scoring_migrate, env["ingest"])
            stack.run("ingest", [str(BIN / "credit-scoring-api"), "ingest", "--data", str(data)], env["ingest"])
            monitor_migrate = [str(BIN / "credit-monitor"), "migrate", "--service-role", "monitor"]
            stack.run("monitor-migrate", monitor_migrate, env["monitor-migrate"])
            evidently = [str(BIN / "evidently"), "ui", "--host", "127.0.0.1", "--port", str(ports["evidently-ui"])]
            stack.start("evidently-ui", [*evidently, "--workspace", str(LOGS / "evidently")], env["evidently-ui"])
            stack.wait("evidently-ui", f"{evidently_url}/api/version")
            for name in ("scoring-api", "explainer", "monitor"):
                command = str(BIN / f"credit-{name}")
                stack.start(name, [command, "serve", "--port", str(ports[name])], env[name])
            app = ROOT / "services" / "ui" / "src" / "credit_ui" / "app.py"
            stack.start(
                "ui",
                [
                    str(BIN / "streamlit"),
                    "run",
                    str(app),
                    "--server.port",
                    str(ports["ui"]),
                    "--server.headless",
                    "true",
                    "--browser.gatherUsageStats",
                    "false",
                ],
                env["ui"],
            )
            for name, path in (
                ("scoring-api", "/ready"),
                ("explainer", "/ready"),
                ("monitor", "/ready"),
                ("ui", "/_stcore/health"),
            ):
                stack.wait(name, f"http://127.0.0.1:{ports[name]}{path}")
            print(f"e2e: stack up in {time.monotonic() - started:.0f} s", flush=True)
            urls: dict[str, Any] = {
                "E2E_SCORING_URL": f"http://127.0.0.1:{ports['scoring-api']}",
                "E2E_EXPLAINER_URL": f"http://127.0.0.1:{ports['explainer']}",
                "E2E_MONITOR_URL": f"http://127.0.0.1:{ports['monitor']}",
                "E2E_UI_URL": f"http://127.0.0.1:{ports['ui']}",
                "E2E_MLFLOW_URL": f"http://127.0.0.1:{ports['mlflow']}",
                "E2E_EVIDENTLY_URL": evidently_url,
                # the retrain loop's trainer, one request (compose: the retrainer service)
                "E2E_RETRAIN_COMMAND": shlex.join(
                    [
                        "env",
                        *(f"{k}={v}" for k, v in env["retrainer"].items()),
                        str(BIN / "credit-trainer"),
                        "retrain",
                        "--once",
                        "--data",
                        str(data),
                        "--models",
                        "dummy,lightgbm",
                        "--max-applicants",
                        "4000",
                    ]
                ),
                "E2E_SCORING_API_KEY": SECRETS["UI_SCORING_API_KEY"],
                "E2E_EXPLAINER_API_KEY": SECRETS["UI_EXPLAINER_API_KEY"],
                "E2E_OPS_API_KEY": SECRETS["OPS_API_KEY"],
                "E2E_MLFLOW_SERVICES_PASSWORD": SECRETS["MLFLOW_SERVICES_PASSWORD"],
                "E2E_DASHBOARD_OFFICER_PASSWORD": SECRETS["DASHBOARD_OFFICER_PASSWORD"],
                "E2E_DASHBOARD_OPS_PASSWORD": SECRETS["DASHBOARD_OPS_PASSWORD"],
                "E2E_DASHBOARD_RISK_PASSWORD": SECRETS["DASHBOARD_RISK_PASSWORD"],
                "E2E_DATA": str(data),
                "E2E_ARTEFACTS": str(LOGS),
            }
            scenario = subprocess.run(
                [sys.executable, "-m", "pytest", "-v", "--no-cov", "-p", "no:cacheprovider", str(ROOT / "e2e")],
                env=os.environ | urls,
                cwd=ROOT,
                check=False,
            )
            if scenario.returncode != 0:
                stack.show_logs()
                raise SystemExit(scenario.returncode)
            print(f"e2e: passed in {time.monotonic() - started:.0f} s in all", flush=True)
            if args.keep:
                print(
                    "e2e: stack left running (Ctrl-C stops it):", {k: v for k, v in urls.items() if k.endswith("URL")}
                )
                with contextlib.suppress(KeyboardInterrupt):
                    while True:
                        time.sleep(3600)
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
