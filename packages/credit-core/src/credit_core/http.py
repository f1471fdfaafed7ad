"""What every HTTP service of the platform does the same way: body size limit, a known client
before a body is read (the scopes: :mod:`credit_core.auth`), request metrics, error bodies (422
naming each bad field, no stack trace to clients), /health and /metrics.

The services pass their own metric objects and readiness check; nothing here is global state.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

from credit_core.auth import authorise

LATENCY_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)


def request_metrics(prefix: str) -> tuple[Counter, Histogram]:
    requests = Counter(f"{prefix}_requests_total", "HTTP requests", ["route", "method", "status"])
    latency = Histogram(f"{prefix}_request_seconds", "HTTP request latency", ["route"], buckets=LATENCY_BUCKETS)
    return requests, latency


class LimitsAndMetrics:
    """Pure ASGI middleware (cheaper than the decorator form): refuses a body announced over the
    limit, and any request with a body but without a valid key, before a byte of the body is read
    (the body of a chunked request is counted as it arrives, see :func:`install`); counts requests
    and observes latency per route template."""

    def __init__(self, app: Any, max_body_bytes: int, requests: Counter, latency: Histogram):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.requests, self.latency = requests, latency

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
            response = JSONResponse(
                {"detail": f"request body larger than {self.max_body_bytes} bytes"}, status_code=413
            )
            await response(scope, receive, send)
            return
        if scope["method"] in BODY_METHODS:  # every route that takes a body needs a key: checked before it is read
            key = dict(scope["headers"]).get(b"x-api-key")
            try:  # a known client; the route checks its scope
                authorise(scope["app"].state.settings, None if key is None else key.decode(errors="replace"), None)
            except HTTPException as refused:
                response = JSONResponse({"detail": refused.detail}, status_code=refused.status_code)
                await response(scope, receive, send)
                return
        started = time.perf_counter()
        status_code = 500

        async def record(message: Any) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            self.requests.labels(path, scope["method"], str(status_code)).inc()
            self.latency.labels(path).observe(time.perf_counter() - started)


BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _field(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location if part != "body")


# FastAPI's own OpenTelemetry (spans, metrics and logs per request) is off: the services export
# Prometheus metrics (/metrics), and the per-request spans cost a sizeable share of a decision's time
NO_TELEMETRY: Any = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}


def error_response(error: StarletteHTTPException) -> JSONResponse:
    """The answer to a refused request: its status, ``{"detail": ...}`` and its headers."""
    return JSONResponse(
        {"detail": error.detail}, status_code=error.status_code, headers=getattr(error, "headers", None)
    )


def install(
    app: FastAPI,
    *,
    max_body_bytes: int,
    metrics: tuple[Counter, Histogram],
    cors_origins: list[str],
    log: logging.Logger,
) -> None:
    """Middleware and error handlers shared by the services."""
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=cors_origins, allow_methods=["*"], allow_headers=["*"])
    # a body sent in chunks (no Content-Length) is counted as it arrives: 413 at the limit, the rest unread
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=max_body_bytes)
    app.add_middleware(LimitsAndMetrics, max_body_bytes=max_body_bytes, requests=metrics[0], latency=metrics[1])

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        details = [
            {"field": _field(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
            for e in error.errors()
        ]
        return JSONResponse({"detail": details}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return error_response(error)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error; it has been logged"}, status_code=500)


def document_bodies(app: FastAPI, *models: type[BaseModel]) -> None:
    """Put in the OpenAPI document the schemas of request bodies a route parses itself (off the
    event loop) instead of declaring them as parameters."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            components = build().setdefault("components", {}).setdefault("schemas", {})  # build() caches it
            for model in models:
                body = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(body.pop("$defs", {}))
                components[model.__name__] = body
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def health_router(
    ready: Callable[[Request], tuple[bool, dict[str, Any]]]
    | Callable[[Request], Awaitable[tuple[bool, dict[str, Any]]]],
    ready_summary: str,
) -> APIRouter:
    """``/health`` (the process answers), ``/ready`` (``ready`` says what it needs is there:
    200 or 503 with the reasons) and ``/metrics`` (Prometheus). A ``ready`` that cannot block is a
    coroutine and answers on the event loop; one that waits (for a database) runs in a thread."""
    router = APIRouter(tags=["health"])

    @router.get("/health", summary="The process is alive")
    async def health() -> dict[str, str]:  # on the event loop: no thread to wait for under load
        return {"status": "ok"}

    @router.get("/ready", summary=ready_summary)
    async def readiness(request: Request) -> JSONResponse:
        checked = ready(request) if inspect.iscoroutinefunction(ready) else run_in_threadpool(ready, request)
        ok, body = await cast(Awaitable[tuple[bool, dict[str, Any]]], checked)
        return JSONResponse(body, status_code=200 if ok else 503)

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    def prometheus() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
