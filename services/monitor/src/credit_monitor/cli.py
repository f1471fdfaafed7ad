"""``credit-monitor``: serve the monitor, compare two data sets offline, simulate traffic."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import polars as pl
import sqlalchemy as sa
import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8002,
    access_log: Annotated[bool, typer.Option(help="A log line per request (/metrics counts them)")] = False,
) -> None:
    """Migrate the monitor's tables, then serve (settings from MONITOR_* variables)."""
    import uvicorn

    uvicorn.run(
        "credit_monitor.main:app_factory", factory=True, host=host, port=port, log_level="info", access_log=access_log
    )


@app.command()
def migrate(
    service_role: Annotated[
        str | None,
        typer.Option(help="Then make this the login the monitor runs with (Postgres), with only what it needs"),
    ] = None,
    service_password: Annotated[
        str | None, typer.Option(envvar="SERVICE_ROLE_PASSWORD", help="Its password", show_default=False)
    ] = None,
) -> None:
    """Create or upgrade the monitor's tables (Alembic; the scoring API's tables are its own), as the
    database's owner."""
    from credit_core.database import grant_service_role

    from credit_monitor.config import Settings
    from credit_monitor.db import SERVICE_PRIVILEGES
    from credit_monitor.db import migrate as run_migrations

    url = Settings().database_url
    run_migrations(url)
    typer.echo("monitor tables are up to date", err=True)
    if service_role:
        try:
            grant_service_role(url, service_role, service_password or "", SERVICE_PRIVILEGES)
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--service-role") from error
        except sa.exc.ProgrammingError as error:  # predictions or outcomes missing
            typer.echo(f"error: {error.orig}: migrate the scoring API first", err=True)
            raise typer.Exit(1) from error
        typer.echo(f"role {service_role} may: {SERVICE_PRIVILEGES}", err=True)


def _application(path: Path, which: str) -> pl.DataFrame:
    from credit_core.loader import DataValidationError, load_tables, read_table
    from credit_core.schema import APPLICATION, APPLICATION_TEST

    try:
        if path.is_dir():
            return load_tables(path, application=which).application  # type: ignore[arg-type]
        table = (
            APPLICATION
            if "TARGET" in pl.read_csv(path, n_rows=0).columns or path.suffix == ".parquet"
            else APPLICATION_TEST
        )
        return read_table(path, table)[0]
    except (DataValidationError, FileNotFoundError, pl.exceptions.PolarsError) as error:
        typer.echo(f"error: {path}: {error}", err=True)
        raise typer.Exit(2) from error


@app.command()
def drift(
    reference: Annotated[Path, typer.Option(help="Folder (its application_train) or application file")],
    current: Annotated[Path, typer.Option(help="Folder (its application_test) or application file")],
    out: Annotated[Path, typer.Option(help="Where to write the Evidently HTML report")] = Path("drift-report.html"),
) -> None:
    """Compare the application fields of two data sets offline (e.g. train vs test before go-live)."""
    from credit_core.catalogue import RAW_FEATURES

    from credit_monitor.config import DriftSettings
    from credit_monitor.drift import compute_drift

    ref = _application(reference, "train")
    cur = _application(current, "test")
    typer.echo(f"reference {ref.height:,} rows, current {cur.height:,} rows; measuring drift ...", err=True)
    columns = [c for c in RAW_FEATURES if c in ref.columns and c in cur.columns]
    result = compute_drift(ref.select(columns).to_pandas(), cur.select(columns).to_pandas(), columns, DriftSettings())
    out.parent.mkdir(parents=True, exist_ok=True)
    result.save_html(out)
    typer.echo(
        f"{len(result.drifted)} of {len(result.columns)} columns drifted ({result.drift_share:.0%});"
        f" dataset drift: {'yes' if result.dataset_drift else 'no'}"
    )
    for column in result.drifted[:20]:
        typer.echo(
            f"  {column.column:<32} {column.method} {column.statistic if column.statistic is not None else 'empty'}"
        )
    typer.echo(f"report: {out}", err=True)


@app.command()
def simulate(
    api: Annotated[str, typer.Option(help="Scoring API base URL")],
    data: Annotated[Path, typer.Option(help="Folder with application_test (+ history tables)")],
    n: Annotated[int, typer.Option(min=1, help="Applications to send")] = 1_000,
    scenario: Annotated[str, typer.Option(help="Drift scenario (see --list)")] = "none",
    api_key: Annotated[str, typer.Option(envvar="SCORING_API_KEY", help="X-API-Key for the scoring API")] = "",
    seed: Annotated[int, typer.Option()] = 0,
) -> None:
    """Send applicants to the scoring API with a drift scenario applied."""
    from credit_core.loader import DataValidationError, load_tables, request_bodies

    from credit_monitor.simulate import SCENARIOS, scenario_bodies, send

    if scenario not in SCENARIOS:
        typer.echo(f"error: unknown scenario {scenario!r}; choose from: {', '.join(SCENARIOS)}", err=True)
        raise typer.Exit(2)
    try:
        tables = load_tables(data, application="test")
    except (DataValidationError, FileNotFoundError) as error:
        typer.echo(f"error: {data}: {error}", err=True)
        raise typer.Exit(2) from error
    bodies = scenario_bodies(request_bodies(tables.application, tables.history), n, scenario, seed)
    typer.echo(f"sending {n:,} applications ({scenario}: {SCENARIOS[scenario].description}) to {api}", err=True)
    counts = send(api, bodies, api_key, lambda i, total: typer.echo(f"simulate: {i:,}/{total:,}", err=True))
    typer.echo(f"granted {counts['granted']:,}, refused {counts['refused']:,}, failed {counts['failed']:,}")
    if counts["failed"]:
        sys.exit(1)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
