"""Liveness, readiness and Prometheus metrics.

Ready = the model is loaded, the decision spool can record (writable, under its limit, its
committer running) and the drainer is running. The database is reported (detail, metrics, logs)
but does not make the service unready: while it is away, decisions wait in the spool, so a
database outage does not take every replica out of rotation.
"""

from __future__ import annotations

from typing import Any

from credit_core.http import health_router
from fastapi import Request


async def _ready(request: Request) -> tuple[bool, dict[str, Any]]:
    state = request.app.state
    spool, drainer, models = state.spool, state.drainer, state.models
    current = models.current
    problems = [p for p in (spool.writable(), None if drainer.alive() else "the drainer is not running") if p]
    body: dict[str, Any] = {
        "model": None if current is None else {"name": current.name, "version": current.version},
        "spool": {
            "status": problems[0] if problems else "ok",
            "backlog_bytes": spool.backlog_bytes(),
            "limit_bytes": spool.limit_bytes,
            "fail_open": spool.fail_open,
            "restarts": spool.restarts + drainer.restarts,
        },
        "database": state.supervisor.database if drainer.database_up else f"unreachable: {drainer.database_error}",
        "decisions_written": drainer.written,
    }
    if models.error:
        body["model_error"] = models.error
    return current is not None and not problems, body


router = health_router(_ready, "Model loaded and decisions can be recorded (the database may be away)")
