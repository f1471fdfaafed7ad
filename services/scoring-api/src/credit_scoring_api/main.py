"""The FastAPI application: ``create_app()`` wires settings, database, log writer and model."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from credit_core import http
from credit_core.auth import check_access
from credit_core.contracts.applications import BatchRequest
from credit_core.database import engine_for
from credit_core.model_store import ModelStore
from fastapi import FastAPI

from credit_scoring_api import telemetry
from credit_scoring_api.config import Settings
from credit_scoring_api.decisions import reason_finder
from credit_scoring_api.fast_path import ScoreFastPath
from credit_scoring_api.prediction_log import PredictionLogDrainer, Supervisor
from credit_scoring_api.routes import applicants, decisions, health, model, outcomes, scores
from credit_scoring_api.spool import DecisionSpool

log = logging.getLogger("credit_scoring_api")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.engine = engine_for(settings.database_url)
        app.state.spool = DecisionSpool(
            settings.spool_dir,
            settings.spool_limit_bytes,
            destination=app.state.engine.url.render_as_string(hide_password=True),
            fail_open=settings.spool_fail_open,
        )
        app.state.spool.start()  # adopts what a previous run or a killed worker left
        app.state.drainer = PredictionLogDrainer(app.state.spool, app.state.engine)
        app.state.drainer.start()
        app.state.supervisor = supervisor = Supervisor(app.state.spool, app.state.drainer)
        supervisor.start()
        app.state.models = ModelStore(
            settings.mlflow_tracking_uri,
            settings.model_name,
            settings.model_alias,
            settings.reload_interval,
            prepare=reason_finder,  # once per version, before it is served
            on_change=lambda _: telemetry.MODEL_RELOADS.inc(),
        )
        app.state.models.refresh()
        app.state.models.start_polling()
        # the model, MLflow and the libraries are long-lived: keep them out of the garbage
        # collector's full passes, which otherwise stall requests for tens of milliseconds
        gc.collect()
        gc.freeze()
        yield
        # uvicorn has stopped accepting and let the requests in flight finish: what they recorded
        # is written, then drained for as long as the budget allows; the rest stays spooled
        supervisor.stop()
        app.state.models.stop()
        app.state.spool.stop()
        app.state.drainer.stop(settings.shutdown_seconds)
        app.state.spool.retire()
        app.state.spool.release()
        app.state.engine.dispose()

    app = FastAPI(
        telemetry=http.NO_TELEMETRY,
        title="bank-scoring scoring API",
        version="1.0",
        description="Probability of default, decision at the model's cost-optimal threshold; no decision is answered"
        " before it is durably recorded.",
        lifespan=lifespan,
    )
    http.install(
        app,
        max_body_bytes=settings.max_body_bytes,
        metrics=telemetry.HTTP,
        cors_origins=settings.cors_origins,
        log=log,
    )
    app.add_middleware(ScoreFastPath)  # outermost: the ordinary single decision skips the rest
    for router in (
        health.router,
        scores.router,
        decisions.router,
        decisions.overriding,
        applicants.router,
        model.router,
        outcomes.router,
    ):
        app.include_router(router)
    check_access(app, settings)  # someone may call it, and every route says who
    http.document_bodies(app, BatchRequest)
    return app


def app_factory() -> FastAPI:
    """For ``uvicorn --factory credit_scoring_api.main:app_factory``."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return create_app()
