"""The decision record: read a decision by its request id, and replay it on the version that made it."""

from __future__ import annotations

import sqlalchemy as sa
from credit_core.auth import needs
from credit_core.contracts.decisions import REQUEST_ID, DecisionRecord, Replay
from credit_core.scoring import request_features
from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.concurrency import run_in_threadpool

from credit_scoring_api.db import predictions
from credit_scoring_api.deps import Engine, model_version

router = APIRouter(prefix="/v1/decisions", tags=["decisions"], dependencies=[needs("decisions:read")])
RequestId = Path(pattern=REQUEST_ID, description="The request_id the decision was answered with")
TOLERANCE = 1e-12


def stored_decision(engine: sa.Engine, request_id: str) -> DecisionRecord:
    """A decision of the prediction log (404 if it is not there, or not there yet: a decision
    answered a moment ago may still be on its way from the spool)."""
    columns = [predictions.c[name] for name in DecisionRecord.model_fields]
    with engine.connect() as connection:
        row = connection.execute(sa.select(*columns).where(predictions.c.request_id == request_id)).mappings().first()
    if row is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"no decision {request_id} in the prediction log (one answered in the last second may still be on its way)",
        )
    return DecisionRecord.model_validate(dict(row))


@router.get(
    "/{request_id}", response_model=DecisionRecord, summary="A decision as recorded: inputs, features, version, outcome"
)
def decision(engine: Engine, request_id: str = RequestId) -> DecisionRecord:
    return stored_decision(engine, request_id)


@router.post(
    "/{request_id}/replay",
    response_model=Replay,
    summary="Run the stored inputs again through the model version that made the decision",
)
async def replay(http: Request, engine: Engine, request_id: str = RequestId) -> Replay:
    record = await run_in_threadpool(stored_decision, engine, request_id)
    if record.raw_input is None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"the inputs of decision {request_id} were erased on request")
    model = await run_in_threadpool(model_version, http, record.model_version)
    _, features = request_features(record.raw_input.application, record.raw_input.history)
    probability = model.compiled.probability_of(features)
    decision = model.compiled.decision(probability)
    return Replay(
        request_id=request_id,
        model_version=model.version,
        stored_probability=record.probability,
        replayed_probability=probability,
        stored_decision=record.decision,
        replayed_decision=decision,
        matches=decision == record.decision and abs(probability - record.probability) <= TOLERANCE,
    )
