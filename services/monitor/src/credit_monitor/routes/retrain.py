"""The retrain loop (credit_monitor.retrain): ops ask, the trainer claims, reads the labelled
decisions and reports; everyone with drift:read sees every request and what became of it."""

from __future__ import annotations

from typing import Annotated

from credit_core.auth import needs, requirement
from credit_core.contracts.retrain import LabelledDecision, RetrainAsk, RetrainRequest, RetrainResult
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status

from credit_monitor import retrain
from credit_monitor.db import PredictionLogMissingError
from credit_monitor.deps import Engine

router = APIRouter(prefix="/v1/retrain", tags=["retrain"])
RequestId = Path(ge=1, le=2**62, description="Id of a retrain request")
Asker = Annotated[str | None, Depends(requirement("drift:run"))]
Trainer = Annotated[str | None, Depends(requirement("retrain"))]


@router.post(
    "",
    response_model=RetrainRequest,
    status_code=201,
    dependencies=[needs("drift:run")],
    summary="Ask for a retrain of the champion's model (409 while one is open)",
)
def ask(body: RetrainAsk, http: Request, engine: Engine, client: Asker) -> RetrainRequest:
    models = http.app.state.models
    model = models.get(None)
    try:
        return retrain.ask(
            engine,
            trigger="ops",
            requested_by=client or "anonymous",
            model_name=model.name,
            champion_version=model.version,
            reasons=[body.reason],
        )
    except retrain.RetrainConflictError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error


@router.get(
    "",
    response_model=list[RetrainRequest],
    dependencies=[needs("drift:read")],
    summary="Retrain requests, newest first",
)
def list_requests(engine: Engine, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[RetrainRequest]:
    return retrain.recent(engine, limit)


@router.get(
    "/{request_id}", response_model=RetrainRequest, dependencies=[needs("drift:read")], summary="One retrain request"
)
def get_request(engine: Engine, request_id: int = RequestId) -> RetrainRequest:
    found = retrain.get(engine, request_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no retrain request {request_id}")
    return found


@router.post(
    "/claim",
    response_model=RetrainRequest,
    dependencies=[needs("retrain")],
    responses={204: {"description": "No pending request"}},
    summary="The trainer takes the oldest pending request (204 when there is none)",
)
def claim(engine: Engine, client: Trainer) -> RetrainRequest | Response:
    claimed = retrain.claim(engine, client or "anonymous")
    return claimed if claimed is not None else Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{request_id}/labelled",
    response_model=list[LabelledDecision],
    dependencies=[needs("retrain")],
    summary="The recent decisions of the request's model whose outcome is known, with their inputs",
)
def labelled(http: Request, engine: Engine, request_id: int = RequestId) -> list[LabelledDecision]:
    found = get_request(engine, request_id)
    try:
        return retrain.labelled(engine, found.model_name, http.app.state.settings.retrain_labelled_limit)
    except PredictionLogMissingError as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from error


@router.post(
    "/{request_id}/result",
    response_model=RetrainRequest,
    dependencies=[needs("retrain")],
    summary="What the trainer did: the version it registered, promoted or refused with the reason",
)
def result(body: RetrainResult, engine: Engine, request_id: int = RequestId) -> RetrainRequest:
    try:
        return retrain.finish(engine, request_id, body)
    except LookupError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
    except retrain.RetrainConflictError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
