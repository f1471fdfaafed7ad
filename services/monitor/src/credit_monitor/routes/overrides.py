"""How often officers override the model: per version and per reason, with an alert above a rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from credit_core.auth import needs
from credit_core.contracts.decisions import OverrideSummary
from fastapi import APIRouter, HTTPException, Request, status

from credit_monitor.db import PredictionLogMissingError, override_summary
from credit_monitor.deps import Engine

router = APIRouter(prefix="/v1/overrides", tags=["overrides"], dependencies=[needs("drift:read")])


@router.get(
    "/summary",
    response_model=OverrideSummary,
    summary="Override rate per model version and overrides per reason, over the last days (MONITOR_OVERRIDE_*)",
)
def summary(http: Request, engine: Engine) -> OverrideSummary:
    settings = http.app.state.settings
    since = datetime.now(UTC) - timedelta(days=settings.override_window_days)
    try:
        return override_summary(engine, since, settings.override_alert_rate, settings.override_min_decisions)
    except PredictionLogMissingError as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from error
