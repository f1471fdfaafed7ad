"""The model in service and its reload."""

from __future__ import annotations

from string import Template
from typing import Literal

from credit_core.auth import needs
from credit_core.catalogue import feature_catalogue
from credit_core.contracts.model_card import FeatureInfo, ModelInfo, ReloadReport
from credit_core.registry import DOCUMENTATION_FILES
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

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


# the documentation is self-contained: its figures are data: URIs, its style inline
DOCUMENTATION_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


@router.get(
    "/v1/model/documentation",
    response_class=HTMLResponse,
    dependencies=[needs("model:read")],
    summary="The model documentation of the version in service (Annex IV headings), HTML or Markdown",
    responses={404: {"description": "The version was registered without documentation"}},
)
def model_documentation(
    model: Model, format: Literal["html", "markdown"] = Query("html", description="html or markdown")
) -> Response:
    path = model.artifacts / DOCUMENTATION_FILES[format]
    if not path.is_file():
        raise HTTPException(
            404, f"version {model.version} was registered without model documentation: train a new version"
        )
    text = Template(path.read_text(encoding="utf-8")).safe_substitute(model_version=model.version)
    headers = {"Content-Security-Policy": DOCUMENTATION_CSP, "X-Content-Type-Options": "nosniff"}
    if format == "markdown":
        return PlainTextResponse(text, media_type="text/markdown; charset=utf-8", headers=headers)
    return HTMLResponse(text, headers=headers)


@router.post(
    "/v1/admin/reload",
    response_model=ReloadReport,
    dependencies=[needs("admin")],
    summary="Load the version the alias points at now",
)
def reload(request: Request) -> ReloadReport:
    report: ReloadReport = request.app.state.models.reload()
    return report
