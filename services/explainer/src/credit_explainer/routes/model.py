"""The model explained, and its reload."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from credit_explainer.deps import ApiKey, Explainer
from credit_explainer.schemas import ModelInfo

router = APIRouter(tags=["model"], dependencies=[ApiKey])

_METHODS = {
    "LGBMClassifier": "TreeSHAP (LightGBM pred_contrib, float64)",
    "XGBClassifier": "TreeSHAP (shap, float64) with XGBoost's base value",
    "LogisticRegression": "linear SHAP against the reference sample mean",
    "DummyClassifier": "none: the model ignores its inputs",
}


@router.get("/v1/model", response_model=ModelInfo, summary="The model version explained by default (the champion)")
def model_info(explainer: Explainer) -> ModelInfo:
    model = explainer.model
    kind = type(model.bundle.estimator.named_steps["model"]).__name__
    return ModelInfo(
        name=model.name,
        version=model.version,
        alias=model.alias,
        threshold=model.threshold,
        candidate=str(model.bundle.metadata.get("candidate", "")),
        explainer=_METHODS.get(kind, kind),
    )


@router.post("/v1/admin/reload", summary="Load the version the alias points at now")
def reload(request: Request) -> dict[str, Any]:
    reloaded: dict[str, Any] = request.app.state.models.reload()
    return reloaded
