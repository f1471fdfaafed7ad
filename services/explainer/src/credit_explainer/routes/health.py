"""Liveness, readiness (an explainer built for the champion) and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from credit_core.http import health_router
from fastapi import Request


async def _ready(request: Request) -> tuple[bool, dict[str, Any]]:
    store = request.app.state.models
    current = store.current
    body: dict[str, Any] = {"model": None if current is None else {"name": current.name, "version": current.version}}
    if store.error:
        body["model_error"] = store.error
    return current is not None, body


router = health_router(_ready, "An explainer is built for the champion")
