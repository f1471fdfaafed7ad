"""The model explained, and its reload."""

from __future__ import annotations

from credit_core.auth import needs
from credit_core.contracts.explanations import ExplainerModelInfo
from credit_core.contracts.model_card import ReloadReport
from fastapi import APIRouter, Request

from credit_explainer.deps import Explainer

router = APIRouter(tags=["model"])

_METHODS = {
    "lightgbm": "TreeSHAP (LightGBM pred_contrib, float64)",
    "xgboost": "TreeSHAP (shap, float64) with XGBoost's base value",
    "linear": "linear SHAP against the reference sample mean",
    "constant": "none: the model ignores its inputs",
}


@router.get(
    "/v1/model",
    response_model=ExplainerModelInfo,
    dependencies=[needs("model:read")],
    summary="The model version explained by default (the champion)",
)
def model_info(explainer: Explainer) -> ExplainerModelInfo:
    model = explainer.model
    return ExplainerModelInfo(
        name=model.name,
        version=model.version,
        alias=model.alias,
        threshold=model.threshold,
        candidate=model.card.candidate,
        explainer=_METHODS[model.compiled.kind],
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
