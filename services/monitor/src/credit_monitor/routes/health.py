"""Liveness, readiness (database reachable, champion known) and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from credit_core.database import database_status
from credit_core.http import health_router
from fastapi import Request


def _ready(request: Request) -> tuple[bool, dict[str, Any]]:
    state = request.app.state
    current = state.models.current
    body: dict[str, Any] = {
        "model": None if current is None else {"name": current.name, "version": current.version},
        "database": database_status(state.engine),
        "schedule_interval": state.settings.schedule_interval,
    }
    if state.models.error:
        body["model_error"] = state.models.error
    return current is not None and body["database"] == "ok", body


router = health_router(_ready, "Database reachable and the champion's reference loaded")
