"""The Spark engine of ``score-portfolio``: Spark splits the book into buckets, one task per bucket
scores it with :func:`credit_core.portfolio.score_bucket`, Spark writes the dataset.

1. Each table is read by Spark (CSV as text, Parquet as written), given its applicant's bucket
   (``bureau_balance`` by a join with ``bureau``: Spark's shuffle) and written partitioned by
   bucket under the staging folder, the layout the polars engine writes.
2. A DataFrame of the bucket numbers, one per partition, goes through ``mapInArrow``: each task
   reads its bucket with polars, scores it with the version's compiled model (its files broadcast
   from the driver, which checked them) and yields Arrow batches; Spark writes them as Parquet.
   A failed task is retried by Spark (``spark.task.maxFailures``; ``local[N,4]`` here) and the
   retried buckets are reported; a bucket that fails every attempt fails the run.
3. The output is counted: one row per applicant, or an error.

The staging and output folders must be reachable from every executor by the same path (local
here; on Databricks a Unity Catalog volume ``/Volumes/...`` or ``/dbfs/...``, see docs/portfolio.md).
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
from credit_core.portfolio import _MODULUS, _MULTIPLIER, BUCKET, CREDIT_KEY, KEY, score_bucket
from pyspark import TaskContext
from pyspark.accumulators import AccumulatorParam
from pyspark.sql import SparkSession
from pyspark.sql import functions as sql

from credit_trainer.portfolio import _CREDIT_ID, Book, BookModel, PortfolioRun, Progress, bucket_tables, raw_schemas

ARROW_SCHEMA = pa.schema(
    [
        (KEY, pa.int64()),
        ("probability", pa.float64()),
        ("decision", pa.string()),
        ("threshold", pa.float64()),
        ("reason_codes", pa.list_(pa.string())),
        ("model_name", pa.string()),
        ("model_version", pa.string()),
        ("scored_at", pa.timestamp("us", tz="UTC")),
    ]
)
SPARK_SCHEMA = (
    f"{KEY} long, probability double, decision string, threshold double, reason_codes array<string>, "
    "model_name string, model_version string, scored_at timestamp"
)
NULL_PARTITION = f"{BUCKET}=__HIVE_DEFAULT_PARTITION__"
BucketTask = Callable[[Mapping[str, pl.LazyFrame], BookModel, datetime, int], pl.DataFrame]


def session(master: str | None = None) -> SparkSession:
    """The cluster's session under spark-submit, in a Databricks job or a notebook; else local
    mode on every core, each task tried up to 4 times (local mode's default is once)."""
    builder = SparkSession.builder.appName("credit-portfolio")
    on_a_cluster = any(name in os.environ for name in ("PYSPARK_GATEWAY_PORT", "DATABRICKS_RUNTIME_VERSION"))
    if master or not on_a_cluster:
        builder = builder.master(master or "local[*,4]").config("spark.ui.showConsoleProgress", "false")
        if (master or "local").startswith("local"):  # the workers run this interpreter (its packages)
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return builder.config("spark.sql.session.timeZone", "UTC").getOrCreate()


def _bucket(column: str, buckets: int) -> Any:
    """:func:`credit_core.portfolio.bucket_expr` in Spark SQL: the same buckets."""
    key = sql.col(column).cast("double").cast("long")
    return (key * _MULTIPLIER % _MODULUS % buckets).cast("int")


def _read(spark: Any, path: Path) -> Any:
    if path.suffix == ".parquet":
        return spark.read.parquet(str(path))
    return spark.read.option("header", True).option("inferSchema", False).csv(str(path))


def split(spark: Any, files: Mapping[str, Path], staging: Path, buckets: int, progress: Progress) -> int:
    """Every table partitioned by bucket under ``staging``; the bureau_balance rows with no credit."""
    for name, path in files.items():
        started = time.perf_counter()
        frame = _read(spark, path)
        if name == "bureau_balance":
            credit_id = sql.col(CREDIT_KEY).cast("double").cast("long").alias(_CREDIT_ID)
            credits = _read(spark, files["bureau"]).select(credit_id, _bucket(KEY, buckets).alias(BUCKET))
            frame = frame.withColumn(_CREDIT_ID, credit_id).join(credits, _CREDIT_ID, "left").drop(_CREDIT_ID)
        else:
            frame = frame.withColumn(BUCKET, _bucket(KEY, buckets))
        frame.repartition(buckets, BUCKET).write.mode("overwrite").partitionBy(BUCKET).parquet(str(staging / name))
        progress(f"split {name} into {buckets} buckets with Spark ({time.perf_counter() - started:.1f} s)")
    orphans = staging / "bureau_balance" / NULL_PARTITION  # credits that are in no bureau row
    if not orphans.is_dir():
        return 0
    count = int(pl.scan_parquet(orphans / "*.parquet", hive_partitioning=False).select(pl.len()).collect().item())
    shutil.rmtree(orphans)
    return count


def score_bucket_task(
    tables: Mapping[str, pl.LazyFrame], model: BookModel, scored_at: datetime, bucket: int
) -> pl.DataFrame:
    """What each task runs on its bucket: the polars engine's function."""
    return score_bucket(tables, model.compiled, model.reasons, model.name, model.version, scored_at)


_MODELS: dict[tuple[str, str], BookModel] = {}  # per Python worker: built once, reused by its tasks


def _model(files: Any, name: str, version: str) -> BookModel:
    if (name, version) not in _MODELS:
        folder = Path(tempfile.mkdtemp(prefix="credit-model-"))
        for file, data in files.value.items():
            (folder / file).write_bytes(data)
        _MODELS[name, version] = BookModel.from_artifacts(name, version, folder)
    return _MODELS[name, version]


def _score_partition(
    batches: Iterator[pa.RecordBatch],
    *,
    staging: str,
    schemas: Mapping[str, pl.Schema],
    files: Any,
    name: str,
    version: str,
    scored_at: datetime,
    task: BucketTask,
    scored: Any,
    retried: Any,
) -> Iterator[pa.RecordBatch]:
    context = TaskContext.get()
    for batch in batches:
        for bucket in batch.column(0).to_pylist():
            frame = task(bucket_tables(Path(staging), bucket, schemas), _model(files, name, version), scored_at, bucket)
            if context is not None and context.attemptNumber() > 0:
                retried.add([bucket])
            scored.add(frame.height)
            yield from frame.to_arrow().cast(ARROW_SCHEMA).to_batches()


class _Buckets(AccumulatorParam):  # type: ignore[type-arg]
    """An accumulator of bucket numbers (the retried ones)."""

    def zero(self, value: list[int]) -> list[int]:
        return []

    def addInPlace(self, first: list[int], second: list[int]) -> list[int]:  # noqa: N802 (Spark's name)
        return first + second


def score_spark(
    spark: SparkSession, book: Book, model: BookModel, progress: Progress = print, task: BucketTask = score_bucket_task
) -> PortfolioRun:
    """The Spark engine; ``task`` is what runs on each bucket (the tests wrap it to crash a worker)."""
    started = time.perf_counter()
    scored_at = datetime.now(UTC)
    context = spark.sparkContext
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")  # not INT96: UTC, as polars writes
    scored = context.accumulator(0)
    retried = context.accumulator([], _Buckets())
    with tempfile.TemporaryDirectory(prefix="portfolio-", dir=book.staging) as folder:
        orphans = split(spark, book.files, Path(folder), book.buckets, progress)
        run = functools.partial(
            _score_partition,
            staging=folder,
            schemas=raw_schemas(book.files),
            files=context.broadcast(model.files()),
            name=model.name,
            version=model.version,
            scored_at=scored_at,
            task=task,
            scored=scored,
            retried=retried,
        )
        buckets = context.parallelize([(b,) for b in range(book.buckets)], book.buckets)
        watching = threading.Event()
        watcher = threading.Thread(target=_watch, args=(context, scored, book.applicants, started, watching, progress))
        watcher.start()
        try:
            frame = spark.createDataFrame(buckets, f"{BUCKET} int").mapInArrow(run, SPARK_SCHEMA)
            frame.write.mode("overwrite").parquet(str(book.output))
        finally:
            watching.set()
            watcher.join()
    retries = tuple(sorted(set(retried.value)))
    if retries:
        progress(f"buckets {list(retries)} failed at least once and were retried by Spark")
    return PortfolioRun("spark", book, model, time.perf_counter() - started, orphans, retries).finish()


def _watch(
    context: Any, scored: Any, applicants: int, started: float, stop: threading.Event, progress: Progress
) -> None:
    """Progress while the tasks run: buckets done (Spark's status tracker) and applicants/s."""
    shown = None
    while not stop.wait(5):
        tracker = context.statusTracker()
        stages = [tracker.getStageInfo(s) for s in tracker.getActiveStageIds()]
        done = sum(s.numCompletedTasks for s in stages if s)
        total = sum(s.numTasks for s in stages if s)
        line = f"buckets {done}/{total} done, {scored.value:,}/{applicants:,} applicants"
        if line != shown:
            progress(f"{line}, {scored.value / (time.perf_counter() - started):,.0f}/s")
            shown = line
