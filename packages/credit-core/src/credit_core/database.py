"""What every service that uses the application database shares: how an engine is made, how a
service's Alembic migrations are run, the login role a service runs with, and whether the database
answers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import orjson
import psycopg
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from credit_core.secrets import weakness


def _json(value: object) -> str:
    # orjson: ~15x faster than json.dumps on a log row, which runs beside the requests (GIL)
    return orjson.dumps(value).decode()


def engine_for(url: str) -> sa.Engine:
    """An engine for ``url`` (SQLite folders created), JSON columns written with orjson. Its errors
    and logs never show a statement's parameters: they are applicants' data."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return sa.create_engine(url, pool_pre_ping=True, json_serializer=_json, hide_parameters=True)


def migrate(url: str, migrations: Path) -> None:
    """Bring the database to the latest revision of the Alembic scripts in ``migrations`` (from
    empty, or from any earlier revision)."""
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
SERIAL_SEQUENCES = """
SELECT pg_get_serial_sequence(quote_ident(table_name), column_name) FROM information_schema.columns
WHERE table_schema = 'public' AND table_name = %s AND column_default LIKE 'nextval(%%'
"""


def grant_service_role(url: str, role: str, password: str, privileges: Mapping[str, str]) -> None:
    """Postgres: make ``role`` the login a service runs with, holding ``privileges`` (table: what it
    may do, e.g. ``"SELECT, INSERT"``) and nothing more on the schema's tables. Run with the owner's
    ``url`` after migrating, and again after each migration: it starts from no privileges. The
    password reaches the server hashed (SCRAM-SHA-256), never in a statement's text."""
    if not url.startswith("postgresql"):
        raise ValueError(f"a service role is a Postgres login; this database is {sa.make_url(url).get_backend_name()}")
    if why := weakness(password) if password else "none was given":
        raise ValueError(f"the role's password is not a secret: {why}")
    sql = psycopg.sql
    asked = {table: [kind.strip().upper() for kind in allowed.split(",")] for table, allowed in privileges.items()}
    for table, kinds in asked.items():
        if unknown := set(kinds) - set(PRIVILEGES):
            raise ValueError(f"{table}: unknown privilege(s) {', '.join(sorted(unknown))}")
    with engine_for(url).begin() as connection:
        raw = connection.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        name = sql.Identifier(role)
        verifier = raw.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode()
        exists = raw.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
        raw.execute(
            sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}" if exists else "CREATE ROLE {} LOGIN PASSWORD {}").format(
                name, sql.Literal(verifier)
            )
        )
        for statement in (
            "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
            "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}",
            "REVOKE CONNECT ON DATABASE {database} FROM PUBLIC",  # the owner and the services' logins only
            "GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {role}",
            "GRANT USAGE ON SCHEMA public TO {role}",
        ):
            raw.execute(sql.SQL(statement).format(role=name, database=sql.Identifier(raw.info.dbname)))
        for table, kinds in asked.items():
            kinds_sql = sql.SQL(", ").join(sql.SQL(kind) for kind in kinds)  # one of PRIVILEGES each
            raw.execute(sql.SQL("GRANT {} ON TABLE {} TO {}").format(kinds_sql, sql.Identifier(table), name))
            if "INSERT" in kinds:  # its id's sequence, to insert rows
                for (sequence,) in raw.execute(SERIAL_SEQUENCES, [table]).fetchall():
                    raw.execute(
                        sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(sql.Identifier(*sequence.split(".")), name)
                    )


def database_status(engine: sa.Engine) -> str:
    """``ok``, or why the database cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        return f"unreachable: {error.__class__.__name__}"
    return "ok"
