"""Liveness, readiness (model loaded, database reachable, log backlog) and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from credit_core.database import database_status
from credit_core.http import health_router
from fastapi import Request


def _ready(request: Request) -> tuple[bool, dict[str, Any]]:
    state = request.app.state
    body: dict[str, Any] = {
        "model": None,
        "database": database_status(state.engine),
        "log_backlog": state.writer.backlog,
        "log_dropped": state.writer.dropped,
    }
    if state.models.current is not None:
        body["model"] = {"name": state.models.current.name, "version": state.models.current.version}
    if state.models.error:
        body["model_error"] = state.models.error
    return body["model"] is not None and body["database"] == "ok", body


router = health_router(_ready, "Model loaded and database reachable")
