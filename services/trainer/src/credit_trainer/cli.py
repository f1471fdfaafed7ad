"""``credit-trainer``: synthetic data, validation of a data folder, feature building."""

from __future__ import annotations

import importlib.util
import logging
import resource
import sys
import time
from pathlib import Path
from typing import Annotated, cast

import polars as pl
import typer
from credit_core.catalogue import feature_catalogue
from credit_core.features import build_features
from credit_core.loader import DataValidationError, RawTables, load_tables
from credit_synthetic import generate

from credit_trainer.config import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


def _echo(message: str) -> None:
    typer.echo(message, err=True)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@app.command()
def synth(
    out: Annotated[Path | None, typer.Option(help="Output folder [default: TRAINER_DATA_DIR]")] = None,
    applicants: Annotated[int, typer.Option(min=1, help="Applicants in application_train")] = 20_000,
    test_applicants: Annotated[int, typer.Option(min=0, help="Applicants in application_test")] = 2_000,
    seed: Annotated[int | None, typer.Option(help="Random seed [default: TRAINER_SEED]")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet")] = "csv",
) -> None:
    """Write synthetic data in the Home Credit layout (all seven tables plus application_test)."""
    settings = Settings()
    if fmt not in ("csv", "parquet"):
        raise typer.BadParameter("must be csv or parquet", param_hint="--format")
    folder = out or settings.data_dir
    started = time.perf_counter()
    rows = generate(
        folder,
        applicants,
        test_applicants,
        seed=settings.seed if seed is None else seed,
        fmt=fmt,  # type: ignore[arg-type]
        progress=lambda line: _echo(f"synth: {line}"),
    )
    for name, count in rows.items():
        _echo(f"  {name:<24}{count:>12,} rows")
    _echo(
        f"wrote {sum(rows.values()):,} rows to {folder} in {time.perf_counter() - started:.1f} s, "
        f"peak memory {_peak_rss_mb():,.0f} MB"
    )


def _load(data: Path, strict_keys: bool) -> RawTables:
    try:
        return load_tables(data, strict_keys=strict_keys)
    except (DataValidationError, FileNotFoundError) as error:
        _echo(f"error: {data}: cannot use this data\n{error}")
        raise typer.Exit(2) from error


@app.command()
def validate(
    data: Annotated[Path, typer.Option(help="Folder of raw tables (CSV or Parquet)")],
    strict_keys: Annotated[bool, typer.Option(help="Treat orphan keys as errors")] = False,
) -> None:
    """Load and check a data folder; exit 2 with the problems listed if it cannot be used."""
    tables = _load(data, strict_keys)
    frames: dict[str, pl.DataFrame | None] = {"application_train": tables.application}
    frames |= {"application_test": tables.application_test, **tables.history}
    for name, frame in frames.items():
        if frame is not None:
            _echo(f"  {name:<24}{frame.height:>12,} rows x {frame.width} columns")
    warnings = tables.warnings
    for issue in warnings:
        _echo(f"  {issue}")
    _echo(f"ok: {data} is usable ({len(warnings)} warning(s))")


@app.command()
def features(
    data: Annotated[Path, typer.Option(help="Folder of raw tables (CSV or Parquet)")],
    out: Annotated[Path, typer.Option(help="Parquet file for the feature table")],
) -> None:
    """Build one feature row per applicant (train and test) and print a summary."""
    started = time.perf_counter()
    tables = _load(data, strict_keys=False)
    loaded = time.perf_counter()
    table = build_features(tables.applications, tables.history)
    built = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    table.write_parquet(out)
    numeric = table.select(pl.selectors.numeric().exclude("SK_ID_CURR"))
    missing = numeric.null_count().transpose(include_header=True, column_names=["nulls"])
    most_missing = missing.sort("nulls", descending=True).head(5)
    _echo(f"features: {table.height:,} applicants x {table.width - 1} features -> {out}")
    _echo(f"  load {loaded - started:.1f} s, build {built - loaded:.1f} s, peak memory {_peak_rss_mb():,.0f} MB")
    target = tables.application.get_column("TARGET")
    _echo(f"  default rate in application_train: {float(cast(float, target.mean())):.2%}")
    for flag in ("BUREAU_NO_HISTORY", "PREV_NO_HISTORY", "INST_NO_HISTORY", "CC_NO_HISTORY"):
        _echo(f"  {flag:<24}{float(cast(float, table.get_column(flag).mean())):>8.1%} of applicants")
    _echo("  most often missing: " + ", ".join(f"{r[0]} {r[1] / table.height:.0%}" for r in most_missing.rows()))


@app.command()
def catalogue(
    out: Annotated[Path | None, typer.Option(help="Markdown file [default: print]")] = None,
) -> None:
    """The feature catalogue (every output column, what it means, what it is built from)."""
    lines = ["| feature | description | group | table | raw fields |", "|---|---|---|---|---|"]
    lines += [
        f"| `{r['name']}` | {r['description']} | {r['group']} | {r['table']} | {r['fields']} |"
        for r in feature_catalogue()
    ]
    text = "\n".join(lines) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text)
        _echo(f"wrote {len(lines) - 2} features to {out}")


def _csv_option(value: str, allowed: tuple[str, ...], option: str) -> tuple[str, ...]:
    chosen = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [v for v in chosen if v not in allowed]
    if unknown or not chosen:
        raise typer.BadParameter(f"{unknown or value!r}: choose from {', '.join(allowed)}", param_hint=option)
    return chosen


@app.command()
def eda(
    data: Annotated[Path, typer.Option(help="Folder of raw tables (CSV or Parquet)")],
    out: Annotated[Path, typer.Option(help="HTML file to write")],
) -> None:
    """Exploratory data analysis of a data folder as one HTML report with plots."""
    from credit_trainer.eda import eda_report

    tables = _load(data, strict_keys=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(eda_report(tables, str(data)))
    _echo(f"wrote the EDA report of {tables.application.height:,} applicants to {out}")


@app.command()
def train(
    data: Annotated[Path | None, typer.Option(help="Folder of raw tables [default: TRAINER_DATA_DIR]")] = None,
    grid: Annotated[str | None, typer.Option(help="small (CI, demo) or full [default: TRAINER_GRID]")] = None,
    models: Annotated[
        str, typer.Option(help="Candidate families, comma-separated")
    ] = "dummy,logreg,scorecard,lightgbm,xgboost",
    imbalance: Annotated[
        str, typer.Option(help="Imbalance handling to compare, comma-separated")
    ] = "none,weights,smote",
    constraints: Annotated[
        str, typer.Option(help="LightGBM / XGBoost without (none) and with the catalogue's monotone constraints")
    ] = "none,monotone",
    exclude: Annotated[
        str, typer.Option(help="Application fields the model is trained without, comma-separated (e.g. CODE_GENDER)")
    ] = "",
    max_applicants: Annotated[int | None, typer.Option(min=100, help="Train on a random subset")] = None,
    promote: Annotated[
        bool, typer.Option("--promote", help="Promote the new version if it beats the champion")
    ] = False,
) -> None:
    """Train the candidates, choose by business cost, register the bundle as the challenger."""
    from credit_core.catalogue import features_using

    from credit_trainer.candidates import CONSTRAINTS, FAMILIES, IMBALANCE
    from credit_trainer.training import TrainingDataError
    from credit_trainer.workflow import train_and_register

    settings = Settings()
    chosen_grid = grid or settings.grid
    if chosen_grid not in ("small", "full"):
        raise typer.BadParameter("must be small or full", param_hint="--grid")
    families = _csv_option(models, FAMILIES, "--models")
    imbalances = _csv_option(imbalance, IMBALANCE, "--imbalance")
    constrained = _csv_option(constraints, CONSTRAINTS, "--constraints")
    excluded = tuple(f.strip() for f in exclude.split(",") if f.strip())
    try:
        features_using(excluded)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--exclude") from error
    folder = data or settings.data_dir
    tables = _load(folder, strict_keys=False)
    try:
        outcome = train_and_register(
            tables,
            settings,
            source=str(folder),
            grid=chosen_grid,  # type: ignore[arg-type]
            families=families,
            imbalances=imbalances,
            constraints=constrained,
            exclude=excluded,
            max_applicants=max_applicants,
            promote_after=promote,
            progress=_echo,
        )
    except TrainingDataError as error:
        _echo(f"error: {folder}: {error}")
        raise typer.Exit(2) from error
    for line in outcome.summary:
        _echo(line)


@app.command(name="promote")
def promote_command(
    data: Annotated[
        Path | None, typer.Option(help="The data the challenger was trained on [default: TRAINER_DATA_DIR]")
    ] = None,
    version: Annotated[str | None, typer.Option(help="Model version [default: the challenger]")] = None,
    fairness_override: Annotated[
        str | None,
        typer.Option(help="Why the version may be promoted although it fails the fairness gate (recorded on it)"),
    ] = None,
) -> None:
    """Make the challenger the champion if it beats it on the challenger's hold-out applicants."""
    from credit_trainer.promotion import promote
    from credit_trainer.tracking import configure

    settings = Settings()
    configure(settings)
    tables = _load(data or settings.data_dir, strict_keys=False)
    try:
        decision = promote(settings, tables, version, fairness_override)
    except ValueError as error:
        _echo(f"error: {error}")
        raise typer.Exit(2) from error
    _echo(("promoted: " if decision.promoted else "not promoted: ") + decision.reason)


@app.command()
def bootstrap(
    data: Annotated[Path, typer.Option(help="Raw tables are read from here, or generated here when it has none")],
    applicants: Annotated[int, typer.Option(min=100, help="Synthetic applicants, when generated")] = 20_000,
    test_applicants: Annotated[int, typer.Option(min=0, help="Synthetic test applicants, when generated")] = 2_000,
    grid: Annotated[str, typer.Option(help="small or full")] = "small",
    models: Annotated[
        str, typer.Option(help="Candidate families, comma-separated")
    ] = "dummy,logreg,scorecard,lightgbm,xgboost",
    max_applicants: Annotated[int | None, typer.Option(min=100, help="Train on a random subset")] = None,
    retrain: Annotated[bool, typer.Option("--retrain", help="Train even when a champion exists")] = False,
) -> None:
    """The stack's one-shot job: data (the mounted folder, or synthetic data written to it), then a
    trained, registered and promoted model, unless the registry already has a champion."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    from credit_trainer.tracking import configure

    settings = Settings()
    if not any(data.glob("application_train.*")):
        _echo(f"no application_train in {data}: generating synthetic data there")
        synth(out=data, applicants=applicants, test_applicants=test_applicants, seed=None, fmt="parquet")
    configure(settings)
    try:
        champion = MlflowClient().get_model_version_by_alias(settings.model_name, "champion")
    except MlflowException:
        champion = None
    if champion is not None and not retrain:
        _echo(f"{settings.model_name} already has a champion (version {champion.version}): nothing to train")
        return
    train(
        data=data,
        grid=grid,
        models=models,
        imbalance="weights",  # class weights, each tree family free and constrained: six candidates
        constraints="none,monotone",
        exclude="",
        max_applicants=max_applicants,
        promote=True,
    )


@app.command()
def retrain(
    data: Annotated[Path | None, typer.Option(help="Folder of raw tables [default: TRAINER_DATA_DIR]")] = None,
    models: Annotated[
        str, typer.Option(help="Candidate families, comma-separated")
    ] = "dummy,logreg,scorecard,lightgbm,xgboost",
    max_applicants: Annotated[int | None, typer.Option(min=100, help="Train on a random subset")] = None,
    once: Annotated[bool, typer.Option("--once", help="Do the oldest pending request, if any, and stop")] = False,
    interval: Annotated[float, typer.Option(min=1, help="Seconds between looks at the monitor")] = 60,
) -> None:
    """The retrain loop: take the monitor's retrain requests (TRAINER_MONITOR_URL), train on the
    data plus the labelled recent decisions, register a challenger, promote it only through the
    promotion rules, and report each outcome to the monitor."""
    import time

    from credit_trainer.candidates import FAMILIES
    from credit_trainer.retrain import Monitor, retrain_once
    from credit_trainer.workflow import train_and_register

    settings = Settings()
    families = _csv_option(models, FAMILIES, "--models")
    folder = data or settings.data_dir
    monitor = Monitor(settings.monitor_url, settings.monitor_api_key)

    def train_it(tables: RawTables, source: str) -> object:
        return train_and_register(
            tables,
            settings,
            source=source,
            grid=settings.grid,
            families=families,
            imbalances=("weights",),
            constraints=("none", "monotone"),
            max_applicants=max_applicants,
            promote_after=True,
            progress=_echo,
        )

    while True:
        done = retrain_once(monitor, _load(folder, strict_keys=False), str(folder), settings, train_it, _echo)
        if done is not None:
            _echo(f"retrain request {done.id}: {done.status}, version {done.challenger_version}: {done.outcome}")
        elif once:
            _echo("no pending retrain request")
        if once:
            return
        time.sleep(interval)


@app.command("score-portfolio")
def score_portfolio(
    data: Annotated[Path, typer.Option(help="The book: a folder of raw tables (CSV or Parquet, Home Credit layout)")],
    out: Annotated[Path, typer.Option(help="Output Parquet dataset (a new or empty folder)")],
    model: Annotated[
        str | None, typer.Option(help="models:/<name>@<alias> or models:/<name>/<version> [default: the champion]")
    ] = None,
    engine: Annotated[str, typer.Option(help="polars (one machine, bucket after bucket) or spark")] = "polars",
    bucket_size: Annotated[int, typer.Option(help="Applicants per bucket, on average (memory follows it)")] = 50_000,
    staging: Annotated[
        Path | None,
        typer.Option(help="Where the buckets are written (every Spark executor must see it) [default: tmp]"),
    ] = None,
    spark_master: Annotated[
        str | None, typer.Option(help="Spark master [default: spark-submit's, else local[*,4]]")
    ] = None,
) -> None:
    """Score every applicant of a book with a registered version, in buckets by a hash of
    SK_ID_CURR, each through the same features and compiled model as the scoring API; writes
    applicant, probability, decision, threshold, reason codes, model name and version, scored at."""
    import tempfile

    from credit_core.model_store import UnknownVersionError

    from credit_trainer.portfolio import ENGINES, load_book_model, prepare, score_polars
    from credit_trainer.tracking import configure

    if engine not in ENGINES:
        raise typer.BadParameter(f"must be one of {', '.join(ENGINES)}", param_hint="--engine")
    if engine == "spark" and importlib.util.find_spec("pyspark") is None:
        _echo("error: --engine spark needs PySpark: pip install 'credit-trainer[spark]' (and a Java 17+ runtime)")
        raise typer.Exit(2)
    settings = Settings()
    tracking_uri = configure(settings)
    with tempfile.TemporaryDirectory(prefix="credit-book-model-") as folder:
        try:
            book = prepare(data, out, bucket_size, staging)
            book_model = load_book_model(tracking_uri, model or f"models:/{settings.model_name}@champion", Path(folder))
        except (ValueError, UnknownVersionError) as error:  # the input checks (PortfolioInputError), a bad version
            _echo(f"error: {error}")
            raise typer.Exit(2) from error
        _echo(
            f"{book.applicants:,} applicants in {book.buckets} buckets, {book_model.name} version {book_model.version}"
        )
        if engine == "polars":
            run = score_polars(book, book_model, _echo)
        else:
            from credit_trainer.portfolio_spark import score_spark, session

            run = score_spark(session(spark_master), book, book_model, _echo)
    _echo(run.summary())


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
