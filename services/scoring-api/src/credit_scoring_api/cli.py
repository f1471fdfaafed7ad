"""``credit-scoring-api``: serve, migrate the database, ingest applicants into the store, purge old
decisions (retention), erase an applicant's inputs (on request), make an API key."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from credit_core.auth import SCOPES, ApiClient, new_key
from credit_core.contracts.applicants import ApplicantRecord
from credit_core.database import engine_for, grant_service_role
from credit_core.loader import DataValidationError, load_tables, request_bodies
from pydantic import ValidationError

from credit_scoring_api.config import Settings
from credit_scoring_api.db import SERVICE_PRIVILEGES, applicants, migrate, outcomes, overrides, predictions

REQUESTS_GRACE_SECONDS = 10
app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


@app.command(name="migrate")
def migrate_command(
    service_role: Annotated[
        str | None, typer.Option(help="Then make this the login the API runs with (Postgres), with only what it needs")
    ] = None,
    service_password: Annotated[
        str | None, typer.Option(envvar="SERVICE_ROLE_PASSWORD", help="Its password", show_default=False)
    ] = None,
) -> None:
    """Create or upgrade the database schema (Alembic), as the database's owner."""
    settings = Settings()
    migrate(settings.database_url)
    typer.echo(
        f"database at {sa.make_url(settings.database_url).render_as_string(hide_password=True)} is up to date", err=True
    )
    if service_role:
        try:
            grant_service_role(settings.database_url, service_role, service_password or "", SERVICE_PRIVILEGES)
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--service-role") from error
        typer.echo(f"role {service_role} may: {SERVICE_PRIVILEGES}", err=True)


@app.command()
def ingest(
    data: Annotated[Path, typer.Option(help="Folder with application_test (+ history tables)")],
    limit: Annotated[int | None, typer.Option(min=1, help="Ingest only the first N applicants")] = None,
) -> None:
    """Load applicants (application_test and their history) into the applicant store; re-ingesting replaces them."""
    settings = Settings()
    try:
        tables = load_tables(data, application="test")
    except (DataValidationError, FileNotFoundError) as error:
        typer.echo(f"error: {data}: {error}", err=True)
        raise typer.Exit(2) from error
    application = tables.application.head(limit) if limit else tables.application
    now = datetime.now(UTC)
    rows = [
        dict(
            ApplicantRecord(
                applicant_id=body["application"]["SK_ID_CURR"],
                application=body["application"],
                history={name: rows for name, rows in body.items() if name != "application"},
                ingested_at=now,
            )
        )
        for body in request_bodies(application, tables.history)
    ]
    ids = application.get_column("SK_ID_CURR")
    engine = engine_for(settings.database_url)
    migrate(settings.database_url)
    with engine.begin() as connection:
        connection.execute(sa.delete(applicants).where(applicants.c.applicant_id.in_(ids.to_list())))
        for start in range(0, len(rows), 1_000):
            connection.execute(sa.insert(applicants), rows[start : start + 1_000])
            typer.echo(f"ingest: {min(start + 1_000, len(rows)):,}/{len(rows):,} applicants", err=True)
    typer.echo(f"ingested {len(rows):,} applicants from {data}", err=True)


@app.command()
def purge(
    older_than_days: Annotated[
        int | None, typer.Option(min=1, help="Delete decisions older than this [default: SCORING_RETENTION_DAYS]")
    ] = None,
    batch: Annotated[int, typer.Option(min=1_000, help="Rows deleted per transaction")] = 50_000,
) -> None:
    """Retention: delete the decisions older than the retention period, with their outcomes."""
    settings = Settings()
    days = older_than_days or settings.retention_days
    cutoff = datetime.now(UTC) - timedelta(days=days)
    engine = engine_for(settings.database_url)
    started, deleted = time.perf_counter(), 0
    while True:
        with engine.begin() as connection:
            old = connection.execute(
                sa.select(predictions.c.id, predictions.c.request_id)
                .where(predictions.c.scored_at < cutoff)
                .limit(batch)
            ).all()
            if not old:
                break
            ids = [r.request_id for r in old]
            connection.execute(sa.delete(outcomes).where(outcomes.c.request_id.in_(ids)))
            connection.execute(sa.delete(overrides).where(overrides.c.request_id.in_(ids)))
            connection.execute(sa.delete(predictions).where(predictions.c.id.in_([r.id for r in old])))
        deleted += len(old)
        typer.echo(f"purge: {deleted:,} decisions deleted", err=True)
    typer.echo(
        f"purged {deleted:,} decisions scored before {cutoff:%Y-%m-%d} ({days} days) in {time.perf_counter() - started:.1f} s",
        err=True,
    )


@app.command()
def erase(applicant_id: Annotated[int, typer.Option(min=0, help="SK_ID_CURR of the applicant who asked")]) -> None:
    """Erasure on request: the applicant's inputs and features are deleted from every decision, which
    keeps its pseudonymous facts (request id, time, model version, threshold, probability, decision,
    reasons; its overrides lose their comments);
    the applicant leaves the applicant store and their outcomes lose the link."""
    settings = Settings()
    engine = engine_for(settings.database_url)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        theirs = sa.select(predictions.c.request_id).where(predictions.c.applicant_id == applicant_id)
        comments = connection.execute(  # an officer's comment may say things about the applicant
            sa.update(overrides).where(overrides.c.request_id.in_(theirs)).values(comment=sa.null())
        ).rowcount
        decisions = connection.execute(
            sa.update(predictions)
            .where(predictions.c.applicant_id == applicant_id)
            .values(applicant_id=None, raw_input=sa.null(), features=sa.null(), erased_at=now)
        ).rowcount
        linked = connection.execute(
            sa.update(outcomes).where(outcomes.c.applicant_id == applicant_id).values(applicant_id=None)
        ).rowcount
        stored = connection.execute(sa.delete(applicants).where(applicants.c.applicant_id == applicant_id)).rowcount
    typer.echo(
        f"erased applicant {applicant_id}: {decisions} decision(s), {linked} outcome(s), "
        f"{comments} override comment(s), {stored} store row(s)"
    )
    waiting = list(settings.spool_dir.glob("*.seg")) if settings.spool_dir.is_dir() else []
    if any(p.stat().st_size for p in waiting):
        typer.echo(
            f"note: {settings.spool_dir} still holds decisions on their way to the database; "
            "run erase again once the scoring API has drained them",
            err=True,
        )


@app.command(name="new-key")
def new_key_command(
    name: Annotated[str, typer.Option(help="The client, as decisions and outcomes will name it")],
    scope: Annotated[list[str], typer.Option(help=f"What it may do (repeat): {', '.join(SCOPES)}")],
) -> None:
    """Make an API key for a client: the key (give it to the client, it is shown once) and the entry
    to add to the services' *_API_CLIENTS, which holds only its SHA-256."""
    unknown = sorted(set(scope) - set(SCOPES))
    if unknown:
        raise typer.BadParameter(
            f"unknown scope(s) {', '.join(unknown)}; known: {', '.join(SCOPES)}", param_hint="--scope"
        )
    key = new_key()
    try:
        client = ApiClient.with_key(name, key, scope)
    except ValidationError as error:
        raise typer.BadParameter(error.errors()[0]["msg"], param_hint="--name") from error
    typer.echo(f"key:        {key}\nkey_sha256: {client.key_sha256}\nentry:      {client.model_dump_json()}")


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(min=1)] = 1,
    access_log: Annotated[
        bool, typer.Option(help="A log line per request (each decision is recorded anyway; /metrics counts them)")
    ] = False,
) -> None:
    """Migrate the database, then serve the API with uvicorn."""
    import uvicorn

    migrate(Settings().database_url)
    uvicorn.run(
        "credit_scoring_api.main:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,
        # SIGTERM: the requests in flight get this long to finish, then the drain gets SCORING_SHUTDOWN_SECONDS
        timeout_graceful_shutdown=REQUESTS_GRACE_SECONDS,
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
