"""``score-portfolio`` on real parts: a 20,000-applicant synthetic book with full history, scored by
the registry's LightGBM champion with the polars engine and with PySpark in local mode (a Java
runtime, no mock), one bucket's Python worker killed on its first attempt. Both outputs are equal
to each other, to the trainer's batch features through the same model and to the scoring API."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
import pytest
from credit_core.features import build_features
from credit_core.loader import scan_tables
from credit_core.portfolio import OUTPUT_SCHEMA, PortfolioInputError, bucket_expr, scan
from credit_synthetic import generate
from credit_trainer.cli import app
from credit_trainer.portfolio import (
    MANIFEST,
    BookModel,
    PortfolioRun,
    check_output,
    load_book_model,
    prepare,
    score_polars,
)
from support import requests_from_folder, scoring_client
from typer.testing import CliRunner

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = [pytest.mark.slow, pytest.mark.integration]
APPLICANTS, TEST_APPLICANTS, BUCKET_SIZE = 16_000, 4_000, 3_000
THROUGH_THE_API = 2_000  # of each table: 4,000 applicants, in every bucket, through the API
CRASHED = 2  # the bucket whose first attempt kills its Python worker


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("book")
    generate(folder, APPLICANTS, TEST_APPLICANTS, seed=19, fmt="parquet")
    return folder


@pytest.fixture(scope="module")
def model(registry: str, tmp_path_factory: pytest.TempPathFactory) -> BookModel:
    return load_book_model(registry, "models:/credit-default@champion", tmp_path_factory.mktemp("model"))


def _scored(output: Path) -> pl.DataFrame:
    return pl.read_parquet(output / "*.parquet").sort("SK_ID_CURR")


@pytest.fixture(scope="module")
def by_polars(book: Path, model: BookModel, tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    output = tmp_path_factory.mktemp("polars") / "scores"
    run = score_polars(prepare(book, output, BUCKET_SIZE), model, progress=lambda _: None)
    assert (run.book.applicants, run.book.buckets) == (APPLICANTS + TEST_APPLICANTS, 7)
    return _scored(output)


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    from credit_trainer.portfolio_spark import session

    spark = session("local[2,4]")  # each task tried up to 4 times
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def by_spark(
    book: Path, model: BookModel, spark: SparkSession, tmp_path_factory: pytest.TempPathFactory
) -> tuple[pl.DataFrame, PortfolioRun]:
    from credit_trainer.portfolio_spark import score_bucket_task, score_spark

    def crash_once(tables, model, scored_at, bucket):  # type: ignore[no-untyped-def]
        from pyspark import TaskContext

        if bucket == CRASHED and TaskContext.get().attemptNumber() == 0:
            os._exit(1)  # the worker process dies mid-task, as an executor lost to OOM would
        return score_bucket_task(tables, model, scored_at, bucket)

    output = tmp_path_factory.mktemp("spark") / "scores"
    run = score_spark(spark, prepare(book, output, BUCKET_SIZE), model, progress=lambda _: None, task=crash_once)
    return _scored(output), run


def test_spark_equals_polars_to_the_bit_and_a_killed_worker_is_retried(
    by_polars: pl.DataFrame, by_spark: tuple[pl.DataFrame, PortfolioRun]
) -> None:
    spark, run = by_spark
    assert run.retried_buckets == (CRASHED,)
    assert json.loads((run.book.output / MANIFEST).read_text())["retried_buckets"] == [CRASHED]
    assert spark.height == by_polars.height == APPLICANTS + TEST_APPLICANTS
    assert spark.schema == by_polars.schema == pl.Schema(OUTPUT_SCHEMA)
    columns = ["SK_ID_CURR", "decision", "threshold", "reason_codes", "model_name", "model_version"]
    assert spark.select(columns).equals(by_polars.select(columns))
    assert np.abs(spark["probability"].to_numpy() - by_polars["probability"].to_numpy()).max() <= 1e-9
    refused = by_polars.filter(pl.col("decision") == "refused")
    assert 0 < refused.height < by_polars.height
    assert refused["reason_codes"].list.len().min() >= 1  # every refusal has its reasons
    assert by_polars.filter(pl.col("decision") == "granted")["reason_codes"].list.len().max() == 0


def test_the_engines_equal_the_trainers_batch_features_through_the_same_model(
    book: Path, model: BookModel, by_polars: pl.DataFrame
) -> None:
    application, history = scan_tables(book)
    features = build_features(application, history).collect().sort("SK_ID_CURR")
    probability = model.compiled.probabilities(model.compiled.matrix(features))
    assert features["SK_ID_CURR"].equals(by_polars["SK_ID_CURR"])
    assert np.abs(probability - by_polars["probability"].to_numpy()).max() <= 1e-9


def test_a_csv_book_scores_as_its_parquet_twin_and_the_chunks_read_every_row_in_order(
    model: BookModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The split reads a table a chunk at a time (Parquet by slices, CSV by a streaming reader):
    in chunks of a few thousand rows, every row comes back once, in order, as ``scan`` reads it."""
    from credit_trainer import portfolio

    scores = {}
    for fmt in ("csv", "parquet"):
        generate(tmp_path / fmt, 1_500, 300, seed=5, fmt=fmt)
        run = score_polars(prepare(tmp_path / fmt, tmp_path / f"{fmt}-scores", 400), model, progress=lambda _: None)
        scores[fmt] = _scored(run.book.output).drop("scored_at")
    assert scores["csv"].height == 1_800
    assert scores["csv"].drop("probability").equals(scores["parquet"].drop("probability"))
    assert np.abs(scores["csv"]["probability"].to_numpy() - scores["parquet"]["probability"].to_numpy()).max() <= 1e-9

    monkeypatch.setattr(portfolio, "SPLIT_CHUNK_CELLS", 40_000)
    monkeypatch.setattr(portfolio, "_CSV_BLOCK", 256 << 10)
    for table in ("csv/installments_payments.csv", "parquet/installments_payments.parquet"):
        chunks = [chunk.collect() for chunk in portfolio._chunks(tmp_path / table)]
        assert len(chunks) > 3
        assert pl.concat(chunks).equals(scan(tmp_path / table).collect())
    (tmp_path / "edge.csv").write_text('SK_ID_CURR,NAME\n1,\n2,""\n3,"a, b"\n')
    read = pl.concat([chunk.collect() for chunk in portfolio._chunks(tmp_path / "edge.csv")])
    assert read.equals(scan(tmp_path / "edge.csv").collect())  # null, "", a quoted comma


def test_the_engines_equal_the_scoring_api(book: Path, registry: str, database: str, by_polars: pl.DataFrame) -> None:
    """2,000 test and 2,000 training applicants with their whole history through the API's batch
    route (decisions recorded in Postgres): probability, decision, reasons."""
    requests = requests_from_folder(book, THROUGH_THE_API, True, "application_test")
    requests += requests_from_folder(book, THROUGH_THE_API, True)
    served = {}
    with scoring_client(registry, database) as client:
        for start in range(0, len(requests), 1_000):
            batch = {"applications": requests[start : start + 1_000]}
            response = client.post("/v1/scores/batch", json=batch, headers={"X-API-Key": "test-key"})
            assert response.status_code == 200, response.text
            served |= {s["applicant_id"]: s for s in response.json()["scores"]}
    ours = by_polars.filter(pl.col("SK_ID_CURR").is_in(list(served)))
    assert ours.height == len(served) == 2 * THROUGH_THE_API
    assert ours.with_columns(bucket_expr("SK_ID_CURR", 7))["bucket"].n_unique() == 7
    for row in ours.iter_rows(named=True):
        score = served[row["SK_ID_CURR"]]
        assert abs(score["probability"] - row["probability"]) <= 1e-9
        assert score["decision"] == row["decision"]
        assert [r["code"] for r in score.get("reasons") or []] == row["reason_codes"]


def test_the_buckets_are_the_same_in_polars_and_spark_sql(book: Path, spark: SparkSession) -> None:
    from credit_trainer.portfolio_spark import _bucket

    keys = scan(book / "application_train.parquet").select("SK_ID_CURR").head(2_000).collect()
    ours = keys.with_columns(bucket_expr("SK_ID_CURR", 7))["bucket"].to_list()
    frame = spark.createDataFrame(keys.rows(), "SK_ID_CURR long")
    theirs = [row[0] for row in frame.select(_bucket("SK_ID_CURR", 7)).collect()]
    assert ours == theirs and len(set(ours)) == 7


def test_a_bucket_failing_every_attempt_fails_the_run_after_spark_retried_it(
    model: BookModel, spark: SparkSession, tmp_path: Path
) -> None:
    """Not skipped, not half-written: Spark tries the bucket 4 times, then the run raises with the
    task's error and no manifest says the book was scored."""
    from credit_trainer.portfolio_spark import score_spark

    generate(tmp_path / "book", 500, 100, seed=7, fmt="parquet")
    attempts = tmp_path / "attempts"
    attempts.mkdir()

    def always_fails(tables, model, scored_at, bucket):  # type: ignore[no-untyped-def]
        from pyspark import TaskContext

        if bucket == 1:
            (attempts / str(TaskContext.get().attemptNumber())).touch()
            raise RuntimeError("bucket 1: the disk of this executor is full")
        from credit_trainer.portfolio_spark import score_bucket_task

        return score_bucket_task(tables, model, scored_at, bucket)

    book = prepare(tmp_path / "book", tmp_path / "scores", 200)
    with pytest.raises(Exception, match="bucket 1: the disk of this executor is full"):
        score_spark(spark, book, model, progress=lambda _: None, task=always_fails)
    assert sorted(p.name for p in attempts.iterdir()) == ["0", "1", "2", "3"]
    assert not (tmp_path / "scores" / MANIFEST).exists()


def test_bad_input_stops_before_any_work_with_a_clear_message(book: Path, registry: str, tmp_path: Path) -> None:
    runner = CliRunner(env={"TRAINER_MLFLOW_TRACKING_URI": registry})

    def run(data: Path, *extra: str) -> tuple[int, str]:
        out = tmp_path / f"out-{len(list(tmp_path.iterdir()))}"
        result = runner.invoke(app, ["score-portfolio", "--data", str(data), "--out", str(out), *extra])
        assert not out.exists(), "work started before the input was checked"
        return result.exit_code, result.output

    partial = tmp_path / "no-bureau-balance"
    shutil.copytree(book, partial, ignore=shutil.ignore_patterns("bureau_balance.*"))
    code, output = run(partial)
    assert code == 2 and "missing table(s) bureau_balance" in output

    keyless = tmp_path / "bureau-without-key"
    shutil.copytree(book, keyless)
    pl.read_parquet(book / "bureau.parquet").drop("SK_ID_CURR").write_parquet(keyless / "bureau.parquet")
    code, output = run(keyless)
    assert code == 2 and "table bureau has no SK_ID_CURR column" in output

    code, output = run(book, "--model", "models:/credit-default/99")
    assert code == 2 and "models:/credit-default/99" in output and "no such version" in output
    code, output = run(book, "--model", "models:/credit-default@nobody")
    assert code == 2 and "no such version" in output
    code, output = run(book, "--engine", "dask")
    assert code == 2 and "polars, spark" in output


def test_an_incomplete_output_is_an_error(book: Path, by_polars: pl.DataFrame, tmp_path: Path) -> None:
    by_polars.head(100).write_parquet(tmp_path / "part-00000.parquet")
    with pytest.raises(RuntimeError, match="100 rows for 100 applicants, expected 101"):
        check_output(tmp_path, 101)
    with pytest.raises(PortfolioInputError, match="not empty"):
        prepare(book, tmp_path, BUCKET_SIZE)
