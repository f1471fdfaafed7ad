"""The FastAPI application: ``create_app()`` wires settings, database, log writer and model."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from credit_scoring_api import metrics
from credit_scoring_api.config import Settings
from credit_scoring_api.db import engine_for
from credit_scoring_api.model_store import ModelStore
from credit_scoring_api.prediction_log import PredictionLogWriter
from credit_scoring_api.routes import applicants, health, model, outcomes, scores

log = logging.getLogger("credit_scoring_api")


def _field(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location if part != "body")


class LimitsAndMetrics:
    """Pure ASGI middleware (cheaper than the decorator form): refuses bodies over the limit,
    counts requests and observes latency per route template."""

    def __init__(self, app: Any, max_body_bytes: int):
        self.app = app
        self.max_body_bytes = max_body_bytes

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
        started = time.perf_counter()
        status = 500

        async def record(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            metrics.REQUESTS.labels(path, scope["method"], str(status)).inc()
            metrics.LATENCY.labels(path).observe(time.perf_counter() - started)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.engine = engine_for(settings.database_url)
        app.state.writer = PredictionLogWriter(
            app.state.engine, settings.log_buffer, settings.log_batch, settings.log_flush_seconds
        )
        app.state.writer.start()
        app.state.models = ModelStore(settings)
        app.state.models.refresh()
        app.state.models.start_polling()
        # the model, MLflow and the libraries are long-lived: keep them out of the garbage
        # collector's full passes, which otherwise stall requests for tens of milliseconds
        gc.collect()
        gc.freeze()
        yield
        app.state.models.stop()
        app.state.writer.stop()
        app.state.engine.dispose()

    app = FastAPI(
        title="bank-scoring scoring API",
        version="1.0",
        description="Probability of default, decision at the model's cost-optimal threshold, every prediction logged.",
        lifespan=lifespan,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"], allow_headers=["*"]
        )

    app.add_middleware(LimitsAndMetrics, max_body_bytes=settings.max_body_bytes)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        details = [
            {"field": _field(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
            for e in error.errors()
        ]
        return JSONResponse({"detail": details}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"detail": error.detail}, status_code=error.status_code, headers=getattr(error, "headers", None)
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error; it has been logged"}, status_code=500)

    for router in (health.router, scores.router, applicants.router, model.router, outcomes.router):
        app.include_router(router)
    return app


def app_factory() -> FastAPI:
    """For ``uvicorn --factory credit_scoring_api.main:app_factory``."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return create_app()
