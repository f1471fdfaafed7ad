"""``credit-scoring-api``: serve, migrate the database, ingest applicants into the store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from credit_core.contracts.applicants import ApplicantRecord
from credit_core.database import engine_for
from credit_core.loader import DataValidationError, load_tables, request_bodies

from credit_scoring_api.config import Settings
from credit_scoring_api.db import applicants, migrate

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


@app.command(name="migrate")
def migrate_command() -> None:
    """Create or upgrade the database schema (Alembic)."""
    settings = Settings()
    migrate(settings.database_url)
    typer.echo(
        f"database at {sa.make_url(settings.database_url).render_as_string(hide_password=True)} is up to date", err=True
    )


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
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(min=1)] = 1,
) -> None:
    """Migrate the database, then serve the API with uvicorn."""
    import uvicorn

    migrate(Settings().database_url)
    uvicorn.run(
        "credit_scoring_api.main:app_factory", factory=True, host=host, port=port, workers=workers, log_level="info"
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
