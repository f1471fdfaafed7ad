"""Realised outcomes of past decisions, for monitoring realised performance: one per decision."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from credit_core.auth import needs
from credit_core.contracts.decisions import OutcomeRecord, OutcomeRecorded, OutcomeReport
from fastapi import APIRouter, HTTPException, status
from fastapi.responses import JSONResponse

from credit_scoring_api.db import insert_ignoring_duplicates, outcomes
from credit_scoring_api.deps import Engine, Reporter
from credit_scoring_api.routes.decisions import stored_decision

router = APIRouter(prefix="/v1/outcomes", tags=["outcomes"], dependencies=[needs("outcomes:write")])


@router.post(
    "",
    response_model=OutcomeRecorded,
    status_code=status.HTTP_201_CREATED,
    summary="Record whether the applicant of a decision defaulted",
    responses={
        200: {"description": "The same outcome was already recorded (a repeated post): nothing changed"},
        404: {"description": "No decision with this request id"},
        409: {"description": "A different outcome is already recorded for this decision"},
    },
)
def record(outcome: OutcomeReport, engine: Engine, client: Reporter) -> OutcomeRecorded | JSONResponse:
    decision = stored_decision(engine, outcome.request_id)
    now = datetime.now(UTC)
    row = OutcomeRecord(
        request_id=outcome.request_id,
        applicant_id=decision.applicant_id,
        defaulted=outcome.defaulted,
        observed_at=outcome.observed_at or now,
        recorded_at=now,
        client=client,
    )
    with engine.begin() as connection:
        insert = insert_ignoring_duplicates(engine, outcomes, "request_id").returning(outcomes.c.id)
        if connection.execute(insert, dict(row)).first() is not None:  # inserted, not there already
            return OutcomeRecorded(**dict(row), repeated=False)
        columns = [outcomes.c[name] for name in OutcomeRecord.model_fields]
        stored = OutcomeRecord.model_validate(
            dict(
                connection.execute(sa.select(*columns).where(outcomes.c.request_id == outcome.request_id))
                .mappings()
                .one()
            )
        )
    same_time = outcome.observed_at is None or _same_instant(outcome.observed_at, stored.observed_at)
    if stored.defaulted != outcome.defaulted or not same_time:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"decision {outcome.request_id} already has another outcome (defaulted={stored.defaulted},"
            f" observed {stored.observed_at:%Y-%m-%d %H:%M:%S}); an outcome is recorded once",
        )
    repeated = OutcomeRecorded(**dict(stored), repeated=True)
    return JSONResponse(repeated.model_dump(mode="json"), status_code=status.HTTP_200_OK)


def _same_instant(a: datetime, b: datetime) -> bool:
    """SQLite gives naive datetimes back (UTC as written)."""

    def utc(d: datetime) -> datetime:
        return d if d.tzinfo else d.replace(tzinfo=UTC)

    return utc(a) == utc(b)
