"""The FastAPI application: ``create_app()`` wires settings, database, model store and schedule."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from credit_core import http
from credit_core.auth import check_access
from credit_core.database import engine_for
from credit_core.model_store import ModelStore
from fastapi import FastAPI

from credit_monitor.config import Settings
from credit_monitor.db import migrate
from credit_monitor.reports import ReportStore
from credit_monitor.routes import drift, health, overrides, retrain
from credit_monitor.runner import Monitor
from credit_monitor.workspace import RunWorkspace

log = logging.getLogger("credit_monitor")
HTTP_METRICS = http.request_metrics("monitor")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        migrate(settings.database_url)
        app.state.engine = engine_for(settings.database_url)
        app.state.models = ModelStore(
            settings.mlflow_tracking_uri, settings.model_name, settings.model_alias, settings.reload_interval
        )
        app.state.models.refresh()
        app.state.models.start_polling()
        secret = settings.evidently_secret.get_secret_value() or None
        workspace = RunWorkspace(settings.evidently_workspace, secret) if settings.evidently_workspace else None
        app.state.monitor = Monitor(
            settings,
            app.state.engine,
            app.state.models,
            ReportStore(settings.reports, settings.s3_endpoint_url),
            workspace,
        )
        app.state.monitor.start_schedule()
        yield
        app.state.monitor.stop()
        app.state.models.stop()
        app.state.engine.dispose()

    app = FastAPI(
        telemetry=http.NO_TELEMETRY,
        title="bank-scoring monitor",
        version="1.0",
        description="Drift of production inputs and scores against the model's reference, realised performance,"
        " retrain recommendation.",
        lifespan=lifespan,
    )
    http.install(
        app, max_body_bytes=settings.max_body_bytes, metrics=HTTP_METRICS, cors_origins=settings.cors_origins, log=log
    )
    for router in (health.router, drift.router, overrides.router, retrain.router):
        app.include_router(router)
    check_access(app, settings)  # someone may call it, and every route says who
    return app


def app_factory() -> FastAPI:
    """For ``uvicorn --factory credit_monitor.main:app_factory``."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return create_app()
