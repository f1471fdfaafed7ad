"""Drift runs: make one, list them, read one with its columns and HTML report, the summary."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from credit_core.auth import needs
from credit_core.contracts.drift import Run, RunRequest, Summary, TrendPoint
from credit_core.model_store import UnknownVersionError
from fastapi import APIRouter, HTTPException, Path, Query, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from credit_monitor.db import drift_columns, drift_runs
from credit_monitor.deps import Engine, MonitorDep
from credit_monitor.runner import MonitorError, RunInProgressError
from credit_monitor.status import OK

router = APIRouter(prefix="/v1/drift", tags=["drift"])
Reads = [needs("drift:read")]
RunId = Path(ge=1, le=2**62, description="Id of a drift run")
# an Evidently report is a page of inline scripts and styles drawing its own data: nothing else may
# load, and it runs sandboxed (an origin of its own) wherever it is opened
REPORT_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';"
    " img-src data:; font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none';"
    " sandbox allow-scripts",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _run(engine: sa.Engine, run_id: int, with_columns: bool = True) -> Run:
    with engine.connect() as connection:
        row = connection.execute(sa.select(drift_runs).where(drift_runs.c.id == run_id)).mappings().first()
        if row is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no drift run {run_id}")
        out = dict(row)
        if with_columns:
            columns = connection.execute(
                sa.select(drift_columns)
                .where(drift_columns.c.run_id == run_id)
                .order_by(drift_columns.c.drifted.desc(), drift_columns.c.importance.desc())
            )
            out["column_results"] = [dict(c) for c in columns.mappings()]
    return Run.model_validate(out)


@router.post(
    "/runs",
    response_model=Run,
    status_code=201,
    dependencies=[needs("drift:run")],
    summary="Run drift detection on a window of predictions",
)
async def create_run(request: RunRequest, monitor: MonitorDep, engine: Engine) -> Run:
    try:
        run_id = await run_in_threadpool(
            monitor.run, last=request.last, start=request.start, end=request.end, model_version=request.model_version
        )
    except UnknownVersionError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
    except RunInProgressError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    except MonitorError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error
    except RuntimeError as error:  # no champion loaded
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from error
    return _run(engine, run_id)


@router.get("/runs", response_model=list[Run], dependencies=Reads, summary="Drift runs, newest first")
def list_runs(
    engine: Engine,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> list[Run]:
    query = sa.select(drift_runs).order_by(drift_runs.c.id.desc()).limit(limit).offset(offset)
    with engine.connect() as connection:
        return [Run.model_validate(dict(r)) for r in connection.execute(query).mappings()]


@router.get("/runs/{run_id}", response_model=Run, dependencies=Reads, summary="One run with its per-column results")
def get_run(engine: Engine, run_id: int = RunId) -> Run:
    return _run(engine, run_id)


@router.get(
    "/runs/{run_id}/report",
    response_class=HTMLResponse,
    dependencies=Reads,
    summary="The Evidently HTML report of a run",
)
def get_report(engine: Engine, monitor: MonitorDep, run_id: int = RunId) -> HTMLResponse:
    run = _run(engine, run_id, with_columns=False)
    if not run.report_uri:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"drift run {run_id} has no report (too few rows for a verdict)")
    try:
        content = monitor.reports.read(run.report_uri)
    except (OSError, Exception) as error:  # file removed, bucket unreachable
        raise HTTPException(
            status.HTTP_502_BAD_GATEWAY, f"report of run {run_id} cannot be read: {error.__class__.__name__}"
        ) from error
    return HTMLResponse(content, headers=REPORT_HEADERS)


@router.get(
    "/summary", response_model=Summary, dependencies=Reads, summary="Latest status and the trend, for the dashboard"
)
def summary(engine: Engine, runs: Annotated[int, Query(ge=1, le=500)] = 30) -> Summary:
    query = sa.select(drift_runs).order_by(drift_runs.c.id.desc()).limit(runs)
    with engine.connect() as connection:
        rows = [Run.model_validate(dict(r)) for r in connection.execute(query).mappings()]
    if not rows:
        return Summary(status=OK, reasons=["no drift run yet"], latest=None, trend=[])
    trend = [TrendPoint.model_validate(r.model_dump(include=set(TrendPoint.model_fields))) for r in reversed(rows)]
    return Summary(status=rows[0].status, reasons=rows[0].reasons, latest=rows[0], trend=trend)
