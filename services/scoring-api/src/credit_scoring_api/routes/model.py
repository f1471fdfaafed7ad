"""The model in service and its reload."""

from __future__ import annotations

from credit_core.auth import needs
from credit_core.catalogue import feature_catalogue
from credit_core.contracts.model_card import FeatureInfo, ModelInfo, ReloadReport
from fastapi import APIRouter, Request

from credit_scoring_api.deps import Model

router = APIRouter(tags=["model"])


@router.get(
    "/v1/model",
    response_model=ModelInfo,
    dependencies=[needs("model:read")],
    summary="The model in service and its card",
)
def model_info(model: Model) -> ModelInfo:
    return ModelInfo(
        name=model.name,
        version=model.version,
        alias=model.alias,
        threshold=model.threshold,
        card=model.card,
        feature_catalogue=[FeatureInfo(**row) for row in feature_catalogue()],
    )


@router.post(
    "/v1/admin/reload",
    response_model=ReloadReport,
    dependencies=[needs("admin")],
    summary="Load the version the alias points at now",
)
def reload(request: Request) -> ReloadReport:
    report: ReloadReport = request.app.state.models.reload()
    return report
