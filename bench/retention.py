"""Retention on a large prediction log: ``credit-scoring-api purge`` on 5 million decisions.

    python bench/retention.py [--rows 5000000]

Fills ``predictions`` of a fresh database (``bank_scoring_retention`` on BENCH_POSTGRES_URL) with
decisions spread over six years (the facts and a small raw input; features as the API stores them
are not needed to measure deletes), a quarter of them with an outcome, then purges those older than
five years and times it; then erases one applicant's inputs and times that.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import sqlalchemy as sa
from credit_scoring_api.db import migrate

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DATABASE = "bank_scoring_retention"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5_000_000)
    args = parser.parse_args()
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{DATABASE}"'))
    url = sa.make_url(POSTGRES).set(database=DATABASE).render_as_string(hide_password=False)
    migrate(url)
    engine = sa.create_engine(url)
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO predictions (request_id, scored_at, applicant_id, model_name, model_version, threshold,"
                " probability, decision, source, latency_ms, client, raw_input, features)"
                " SELECT md5(i::text), now() - (i % 2190) * interval '1 day', 100000 + i % 300000, 'credit-default',"
                " '1', 0.1, (i % 1000) / 1000.0, CASE WHEN i % 3 = 0 THEN 'refused' ELSE 'granted' END, 'api', 0.4,"
                " 'key-1', json_build_object('application', json_build_object('SK_ID_CURR', 100000 + i % 300000)),"
                " NULL FROM generate_series(1, :n) AS i"
            ),
            {"n": args.rows},
        )
        connection.execute(
            sa.text(
                "INSERT INTO outcomes (request_id, applicant_id, defaulted, observed_at, recorded_at)"
                " SELECT request_id, applicant_id, probability > 0.9, scored_at, scored_at FROM predictions"
                " WHERE id % 4 = 0"
            )
        )
        connection.execute(sa.text("ANALYZE predictions; ANALYZE outcomes"))
    print(f"filled {args.rows:,} decisions (+ outcomes for a quarter) in {time.perf_counter() - started:.0f} s")
    env = os.environ | {"SCORING_DATABASE_URL": url}
    for command in (["purge", "--older-than-days", str(5 * 365)], ["erase", "--applicant-id", "100007"]):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "credit_scoring_api.cli", *command],
            check=False,
            env=env,
            capture_output=True,
            text=True,
        )
        took = time.perf_counter() - started
        last = (done.stderr.strip().splitlines() or [""])[-1] if command[0] == "purge" else done.stdout.strip()
        print(f"credit-scoring-api {' '.join(command)}: {took:.1f} s (exit {done.returncode}): {last}")
        if done.returncode:
            print(done.stderr[-2000:], file=sys.stderr)
            return 1
    with engine.connect() as connection:
        left = connection.execute(sa.text("SELECT count(*), min(scored_at) FROM predictions")).one()
    print(f"left: {left[0]:,} decisions, the oldest from {left[1]:%Y-%m-%d}")
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{DATABASE}" WITH (FORCE)'))
    return 0


if __name__ == "__main__":
    sys.exit(main())
