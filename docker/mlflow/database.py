"""MLflow's own Postgres login, made (or its password reset) by the database's owner before MLflow
starts: ``mlflow`` owns MLflow's database (MLflow migrates its tables there), to which no other
login but the owner may connect; it cannot read the application's database, which holds the
decisions (``credit-scoring-api migrate --service-role`` lets only the services' logins in).

Run in the MLflow image (``python /opt/mlflow/database.py``) with ``MLFLOW_DATABASE_OWNER_URL`` (the
owner's URL of the ``mlflow`` database, libpq form: ``postgresql://owner:…@host:5432/mlflow?…``) and
``MLFLOW_DB_PASSWORD``. The password reaches the server hashed (SCRAM-SHA-256).
"""

from __future__ import annotations

import os
import sys

import psycopg
from psycopg import sql

ROLE, MIN_PASSWORD = "mlflow", 16


def main() -> None:
    password = os.environ.get("MLFLOW_DB_PASSWORD", "")
    if len(password) < MIN_PASSWORD:
        sys.exit(f"MLFLOW_DB_PASSWORD: at least {MIN_PASSWORD} characters (make env writes one)")
    url = os.environ["MLFLOW_DATABASE_OWNER_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as connection:
        verifier = connection.pgconn.encrypt_password(password.encode(), ROLE.encode(), b"scram-sha-256").decode()
        exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [ROLE]).fetchone()
        verb = "ALTER" if exists else "CREATE"
        connection.execute(
            sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(ROLE), sql.Literal(verifier))
        )
        name = connection.info.dbname
        database = sql.Identifier(name)
        connection.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(sql.Identifier(ROLE)))  # to hand it the database
        connection.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(database, sql.Identifier(ROLE)))
        connection.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(database))
    print(f"login {ROLE} owns database {name}", file=sys.stderr)


if __name__ == "__main__":
    main()
