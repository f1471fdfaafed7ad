"""Answered vs recorded across the faults a lender's ops engineer would cause: the scoring API (2
workers, a durable spool) under concurrent load is SIGKILLed; its Postgres is stopped during the
load and the service killed before the database comes back; its spool fills up (small limit, no
database). After each, the service is started again and drained, and every decision answered 200
is looked up in the prediction log.

    python bench/decision_durability.py [--answered 3000]

Needs Debian's PostgreSQL server binaries (a cluster of its own is created and stopped) and a
champion (trained into data/bench/mlruns like bench/api_load.py when there is none).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]

from api_load import ensure_model  # noqa: E402
from credit_scoring_api.db import migrate  # noqa: E402
from faults import PrivateCluster, Service, Traffic, drained, logged, private_cluster  # noqa: E402
from support import requests_from_folder  # noqa: E402

KEY = "bench-key"


def report(what: str, database: str, traffic: Traffic, seconds: float) -> bool:
    answered = list(traffic.answered)
    found, rows, total = logged(database, answered)
    refused = traffic.statuses.get(503, 0)
    print(
        f"{what}: answered 200 {len(answered):,}, refused 503 {refused:,}, recorded {found:,} "
        f"(rows for them {rows:,}, lost {len(answered) - found:,}, duplicated {rows - found:,}); "
        f"rows in all {total:,}; {seconds:.0f} s",
        flush=True,
    )
    return found == rows == len(answered)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answered", type=int, default=3_000, help="decisions answered before each fault")
    parser.add_argument("--folder", type=Path, default=ROOT / "data" / "bench")
    args = parser.parse_args()
    if (why := PrivateCluster.available()) is not None:
        print(f"cannot run: {why}", file=sys.stderr)
        return 2
    registry, data = ensure_model(args.folder)
    bodies = requests_from_folder(data, 300, with_history=True, table="application_test")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for fault in ("SIGKILL under load", "database stopped, then SIGKILL", "spool full"):
            folder = Path(tmp) / fault.split()[0]
            folder.mkdir()
            with private_cluster() as cluster:
                migrate(cluster.url)
                limit = {"SCORING_SPOOL_LIMIT_BYTES": "2000000"} if fault == "spool full" else {}
                api = Service.scoring(registry, cluster.url, folder, KEY, **limit)
                api.start()
                started = time.monotonic()
                try:
                    if fault == "spool full":
                        cluster.stop()
                    with Traffic(api.url, bodies, KEY) as traffic:
                        if fault == "spool full":
                            while traffic.statuses.get(503, 0) < 200:
                                time.sleep(0.05)
                        else:
                            traffic.wait_for(args.answered // 2)
                            if fault.startswith("database"):
                                cluster.stop()
                            traffic.wait_for(args.answered)
                        api.kill()
                    if fault != "SIGKILL under load":
                        cluster.start()
                    api.start()
                    drained(api.url, cluster.url)
                finally:
                    api.terminate()
                ok = report(fault, cluster.url, traffic, time.monotonic() - started) and ok
    print("every decision answered 200 recorded exactly once: " + ("yes" if ok else "NO"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
