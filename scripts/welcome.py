"""The last step of ``make demo``: wait until every service answers, send a little simulated
traffic through the scoring API, run a drift check on it, print where everything is, then stay
up (honcho stops the whole stack when any of its processes ends; Ctrl-C stops it all)."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SERVICES = {
    "MLflow": "http://127.0.0.1:5000/health",
    "scoring API": "http://127.0.0.1:8000/ready",
    "explainer": "http://127.0.0.1:8001/ready",
    "monitor": "http://127.0.0.1:8002/ready",
    "Evidently UI": "http://127.0.0.1:8003/api/version",
    "dashboard": "http://127.0.0.1:8501/_stcore/health",
}


def wait(name: str, url: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    print(f"welcome: {name} is up", flush=True)
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"welcome: {name} did not answer at {url} within {timeout:.0f} s; see its lines above")
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="the demo's data folder (test applicants)")
    parser.add_argument("--traffic", type=int, default=1200, help="simulated applications to send")
    args = parser.parse_args()
    started = time.monotonic()
    for name, url in SERVICES.items():
        wait(name, url)
    print(
        f"welcome: all services up in {time.monotonic() - started:.0f} s; sending {args.traffic} applications",
        flush=True,
    )
    simulate = [sys.executable, "-m", "credit_monitor.cli", "simulate", "--api", "http://127.0.0.1:8000"]
    simulate += ["--data", str(args.data), "--n", str(args.traffic), "--scenario", "none"]
    subprocess.run(simulate, check=False)
    time.sleep(1)  # the prediction log is written in the background
    request = urllib.request.Request(
        "http://127.0.0.1:8002/v1/drift/runs",
        data=f'{{"last": {args.traffic}}}'.encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=300):
            print("welcome: drift run done", flush=True)
    except OSError as error:
        print(f"welcome: drift run failed: {error}", flush=True)
    print(
        "\n"
        "  bank-scoring is running (Ctrl-C stops everything)\n"
        "    dashboard          http://127.0.0.1:8501\n"
        "    scoring API docs   http://127.0.0.1:8000/docs\n"
        "    explainer docs     http://127.0.0.1:8001/docs\n"
        "    monitor docs       http://127.0.0.1:8002/docs\n"
        "    Evidently UI       http://127.0.0.1:8003 (the drift runs over time)\n"
        "    MLflow UI          http://127.0.0.1:5000\n",
        flush=True,
    )
    logins = args.data / "dashboard-logins.txt"
    if logins.is_file():
        print(
            f"  dashboard users (each sees the pages of their role; kept in {logins}):\n{logins.read_text()}",
            flush=True,
        )
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
