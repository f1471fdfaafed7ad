"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

router = APIRouter(tags=["health"])


@router.get("/health", summary="The process is alive")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", summary="Model loaded and database reachable")
def ready(request: Request) -> JSONResponse:
    state = request.app.state
    body: dict[str, Any] = {
        "model": None,
        "database": "ok",
        "log_backlog": state.writer.backlog,
        "log_dropped": state.writer.dropped,
    }
    if state.models.current is not None:
        body["model"] = {"name": state.models.current.name, "version": state.models.current.version}
    try:
        with state.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        body["database"] = f"unreachable: {error.__class__.__name__}"
    ok = body["model"] is not None and body["database"] == "ok"
    if state.models.error:
        body["model_error"] = state.models.error
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def prometheus() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
