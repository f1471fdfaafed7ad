"""``credit-explainer``: serve the explainer API."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8001,
    workers: Annotated[int, typer.Option(min=1)] = 1,
    access_log: Annotated[
        bool, typer.Option(help="A log line per request; its path names the applicant (/metrics counts them)")
    ] = False,
) -> None:
    """Serve the explainer with uvicorn (settings from EXPLAINER_* variables)."""
    import uvicorn

    uvicorn.run(
        "credit_explainer.main:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,
    )


@app.command()
def version() -> None:
    """Print the package version."""
    from importlib.metadata import version as package_version

    typer.echo(package_version("credit-explainer"))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
