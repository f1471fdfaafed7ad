"""The decision record: read a decision by its request id (with its overrides), replay it on the
version that made it, override it for a named officer, and the notice a refused applicant gets."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

import sqlalchemy as sa
from credit_core.auth import needs, requirement
from credit_core.contracts.decisions import (
    REQUEST_ID,
    DecisionRecord,
    DecisionWithOverrides,
    OverrideRecord,
    OverrideRequest,
    Replay,
)
from credit_core.scoring import request_features
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from credit_scoring_api.db import overrides, predictions
from credit_scoring_api.decisions import judged
from credit_scoring_api.deps import Engine, OnBehalfOf, model_version
from credit_scoring_api.notice import CSP, notice_html

router = APIRouter(prefix="/v1/decisions", tags=["decisions"], dependencies=[needs("decisions:read")])
overriding = APIRouter(prefix="/v1/decisions", tags=["decisions"], dependencies=[needs("decisions:override")])
RequestId = Path(pattern=REQUEST_ID, description="The request_id the decision was answered with")
Overrider = Annotated[str | None, Depends(requirement("decisions:override"))]
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


def _overrides(connection: sa.Connection, request_id: str) -> list[OverrideRecord]:
    columns = [overrides.c[name] for name in OverrideRecord.model_fields]
    query = sa.select(*columns).where(overrides.c.request_id == request_id).order_by(overrides.c.id)
    return [OverrideRecord.model_validate(dict(row)) for row in connection.execute(query).mappings()]


def _viewed(record: DecisionRecord, found: list[OverrideRecord]) -> DecisionWithOverrides:
    final = found[-1].to_decision if found else record.decision
    return DecisionWithOverrides.model_validate(dict(record) | {"overrides": found, "final_decision": final})


def with_overrides(engine: sa.Engine, request_id: str) -> DecisionWithOverrides:
    record = stored_decision(engine, request_id)
    with engine.connect() as connection:
        return _viewed(record, _overrides(connection, request_id))


@router.get(
    "/{request_id}",
    response_model=DecisionWithOverrides,
    summary="A decision as recorded: inputs, features, version, reasons, and the officers' overrides",
)
def decision(engine: Engine, request_id: str = RequestId) -> DecisionWithOverrides:
    return with_overrides(engine, request_id)


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
    probability, decision, reasons = judged(features, model)
    stored_reasons, replayed_reasons = [r.code for r in record.reasons or []], [r.code for r in reasons or []]
    return Replay(
        request_id=request_id,
        model_version=model.version,
        stored_probability=record.probability,
        replayed_probability=probability,
        stored_decision=record.decision,
        replayed_decision=decision,
        stored_reasons=stored_reasons,
        replayed_reasons=replayed_reasons,
        matches=decision == record.decision
        and abs(probability - record.probability) <= TOLERANCE
        and stored_reasons == replayed_reasons,
    )


@router.get(
    "/{request_id}/notice",
    response_class=HTMLResponse,
    summary="The notice to the applicant of a refusal: the decision and its principal reasons (HTML, prints)",
    responses={409: {"description": "The decision that stands is not a refusal"}},
)
def notice(
    engine: Engine,
    http: Request,
    request_id: str = RequestId,
    language: Annotated[Literal["en", "fr"], Query(description="The notice's language")] = "en",
) -> HTMLResponse:
    record = with_overrides(engine, request_id)
    if record.final_decision != "refused":
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"decision {request_id} stands as {record.final_decision}: no refusal notice"
        )
    html = notice_html(record, language, http.app.state.settings)
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"})


@overriding.post(
    "/{request_id}/overrides",
    response_model=DecisionWithOverrides,
    status_code=status.HTTP_201_CREATED,
    summary="An officer changes a decision, with a reason and a comment (kept beside it, never replacing it)",
    responses={
        404: {"description": "No decision with this request id"},
        409: {"description": "The decision already stands as asked"},
        422: {"description": "No officer named (X-On-Behalf-Of), or no reason or comment"},
    },
)
def override(
    change: OverrideRequest, engine: Engine, client: Overrider, person: OnBehalfOf, request_id: str = RequestId
) -> DecisionWithOverrides:
    if person is None:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "an override is made by a named officer: send X-On-Behalf-Of"
        )
    record = stored_decision(engine, request_id)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # one override of a decision at a time
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(request_id))))
        found = _overrides(connection, request_id)
        standing = found[-1].to_decision if found else record.decision
        if standing == change.decision:
            raise HTTPException(status.HTTP_409_CONFLICT, f"decision {request_id} already stands as {standing}")
        row = OverrideRecord(
            request_id=request_id,
            overridden_at=datetime.now(UTC),
            by=person,
            client=client,
            model_version=record.model_version,
            from_decision=standing,
            to_decision=change.decision,
            reason=change.reason,
            comment=change.comment,
        )
        connection.execute(sa.insert(overrides), dict(row))
    return _viewed(record, [*found, row])
