"""The model in service and its reload."""

from __future__ import annotations

from typing import Any

from credit_core.features import feature_catalogue
from fastapi import APIRouter, Request

from credit_scoring_api.deps import ApiKey, Model
from credit_scoring_api.schemas import ModelInfo

router = APIRouter(tags=["model"])


@router.get("/v1/model", response_model=ModelInfo, summary="The model in service")
def model_info(model: Model, request: Request) -> ModelInfo:
    metadata = model.bundle.metadata
    return ModelInfo(
        name=model.name,
        version=model.version,
        alias=model.alias,
        threshold=model.threshold,
        candidate=str(metadata.get("candidate", "")),
        trained_at=str(metadata.get("trained_at", "")),
        metrics={
            "cv": metadata.get("cv", {}),
            "holdout": metadata.get("holdout", {}),
            "reference_costs": metadata.get("reference_costs", {}),
            # the model card's data, candidates and curves (versions trained before they were kept: empty)
            "data": {
                key: metadata[key]
                for key in ("training_applicants", "holdout_applicants", "default_rate", "data_fingerprint")
                if key in metadata
            },
            "candidates": metadata.get("candidates", []),
            "curves": metadata.get("curves", {}),
        },
        feature_catalogue=feature_catalogue(),
    )


@router.post("/v1/admin/reload", dependencies=[ApiKey], summary="Load the version the alias points at now")
def reload(request: Request) -> dict[str, Any]:
    reloaded: dict[str, Any] = request.app.state.models.reload()
    return reloaded
