"""How often officers override the model: per version and per reason, with an alert above a rate."""

from __future__ import annotations

from credit_core.auth import needs
from credit_core.contracts.decisions import OverrideSummary
from fastapi import APIRouter, HTTPException, status

from credit_monitor.db import PredictionLogMissingError
from credit_monitor.deps import MonitorDep

router = APIRouter(prefix="/v1/overrides", tags=["overrides"], dependencies=[needs("drift:read")])


@router.get(
    "/summary",
    response_model=OverrideSummary,
    summary="Override rate per model version and overrides per reason, over the last days (MONITOR_OVERRIDE_*)",
)
def summary(monitor: MonitorDep) -> OverrideSummary:
    try:
        return monitor.override_summary()
    except PredictionLogMissingError as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from error
