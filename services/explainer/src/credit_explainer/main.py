"""The FastAPI application: ``create_app()`` wires settings, the model store and the scoring API client."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from credit_core import http
from credit_core.auth import check_access
from credit_core.model_store import ModelStore
from fastapi import FastAPI
from prometheus_client import Counter

from credit_explainer.config import Settings
from credit_explainer.explainer import VersionExplainer
from credit_explainer.routes import counter_offers, explanations, health, model, population

log = logging.getLogger("credit_explainer")
HTTP_METRICS = http.request_metrics("explainer")
MODEL_RELOADS = Counter("explainer_model_reloads_total", "New champion versions loaded without restart")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        headers = {"X-API-Key": settings.scoring_api_key} if settings.scoring_api_key else {}
        app.state.scoring_api = httpx.AsyncClient(
            base_url=settings.scoring_api_url, headers=headers, timeout=settings.scoring_api_timeout
        )
        app.state.models = ModelStore(
            settings.mlflow_tracking_uri,
            settings.model_name,
            settings.model_alias,
            settings.reload_interval,
            prepare=VersionExplainer.build,  # once per version, before it is served
            on_change=lambda _: MODEL_RELOADS.inc(),
            pinned_versions=settings.pinned_versions,
        )
        app.state.models.refresh()
        app.state.models.start_polling()
        gc.collect()
        gc.freeze()  # long-lived model objects out of the collector's full passes (see the scoring API)
        yield
        app.state.models.stop()
        await app.state.scoring_api.aclose()

    app = FastAPI(
        telemetry=http.NO_TELEMETRY,
        title="bank-scoring explainer",
        version="1.0",
        description="Why an applicant gets their score (SHAP reasons), what drives the model, counter-offers.",
        lifespan=lifespan,
    )
    http.install(
        app, max_body_bytes=settings.max_body_bytes, metrics=HTTP_METRICS, cors_origins=settings.cors_origins, log=log
    )
    for router in (health.router, explanations.router, counter_offers.router, model.router, population.router):
        app.include_router(router)
    check_access(app, settings)  # someone may call it, and every route says who
    return app


def app_factory() -> FastAPI:
    """For ``uvicorn --factory credit_explainer.main:app_factory``."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return create_app()
