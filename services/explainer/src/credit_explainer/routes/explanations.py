"""Explanations: one application (posted, or fetched from the applicant store) and the model's
global importance."""

from __future__ import annotations

from typing import Annotated, Any

from credit_core.auth import needs
from credit_core.contracts.applications import ScoreRequest
from credit_core.contracts.decisions import REQUEST_ID
from credit_core.contracts.explanations import Explanation, GlobalImportance
from credit_core.schema import MAX_ID
from credit_core.scoring import request_features
from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from credit_explainer.deps import Explainer, ScoringApi, explainer
from credit_explainer.explainer import importance_rows
from credit_explainer.scoring_client import fetch_applicant, fetch_decision

router = APIRouter(tags=["explanations"])
Explains = [needs("explain")]
Top = Annotated[int, Query(ge=1, le=300, description="Reasons listed each way (towards default, towards repayment)")]
ApplicantId = Path(ge=0, le=MAX_ID, description="SK_ID_CURR of an applicant in the scoring API's store")
RequestId = Path(pattern=REQUEST_ID, description="The request_id the scoring API answered the decision with")


def _explain(explainer: Explainer, application: dict[str, Any], history: dict[str, Any], top: int) -> Response:
    """Encoded here by pydantic's own JSON encoder: the explanation is already an ``Explanation``,
    FastAPI would validate its few hundred nested fields once more."""
    _, features = request_features(application, history)
    explanation = explainer.explain(int(application["SK_ID_CURR"]), features, top)
    return Response(explanation.model_dump_json(), media_type="application/json")


@router.post(
    "/v1/explanations", response_model=Explanation, dependencies=Explains, summary="Why this application gets its score"
)
def explain(request: ScoreRequest, explainer: Explainer, top: Top = 5) -> Response:
    return _explain(explainer, request.application.model_dump(), request.history(), top)


@router.get(
    "/v1/applicants/{applicant_id}/explanation",
    response_model=Explanation,
    dependencies=Explains,
    summary="Explain an applicant of the applicant store (fetched from the scoring API)",
)
async def explain_applicant(
    request: Request, explainer: Explainer, scoring_api: ScoringApi, top: Top = 5, applicant_id: int = ApplicantId
) -> Response:
    stored = await fetch_applicant(scoring_api, applicant_id, request)
    return await run_in_threadpool(_explain, explainer, stored.application, stored.history, top)


@router.get(
    "/v1/decisions/{request_id}/explanation",
    response_model=Explanation,
    dependencies=Explains,
    summary="Explain a past decision, with the model version that made it (fetched from the scoring API)",
)
async def explain_decision(
    request: Request, scoring_api: ScoringApi, top: Top = 5, request_id: str = RequestId
) -> Response:
    record = await fetch_decision(scoring_api, request_id, request)
    if record.raw_input is None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"the inputs of decision {request_id} were erased on request")
    deciding = await run_in_threadpool(explainer, request, record.model_version)
    return await run_in_threadpool(_explain, deciding, record.raw_input.application, record.raw_input.history, top)


@router.get(
    "/v1/explanations/global",
    response_model=GlobalImportance,
    dependencies=[needs("model:read")],
    summary="What drives the model: mean |SHAP| on the reference sample and gain, per feature",
)
def global_importance(explainer: Explainer, top: Annotated[int, Query(ge=1, le=300)] = 20) -> GlobalImportance:
    try:
        table = explainer.importance()
    except LookupError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
    return GlobalImportance(
        model_name=explainer.model.name,
        model_version=explainer.model.version,
        source=str(table["source"].iloc[0]),
        features=importance_rows(table, top),
    )
