"""Realised outcomes of past decisions, for monitoring realised performance."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from credit_core.contracts.decisions import OutcomeRecord, OutcomeRecorded, OutcomeReport
from fastapi import APIRouter, status

from credit_scoring_api.db import outcomes
from credit_scoring_api.deps import ApiKey, Engine

router = APIRouter(prefix="/v1/outcomes", tags=["outcomes"], dependencies=[ApiKey])


@router.post(
    "",
    response_model=OutcomeRecorded,
    status_code=status.HTTP_201_CREATED,
    summary="Record whether an applicant defaulted",
)
def record(outcome: OutcomeReport, engine: Engine) -> OutcomeRecorded:
    now = datetime.now(UTC)
    row = OutcomeRecord(
        applicant_id=outcome.applicant_id,
        defaulted=outcome.defaulted,
        observed_at=outcome.observed_at or now,
        recorded_at=now,
        request_id=outcome.request_id,
    )
    with engine.begin() as connection:
        new_id = connection.execute(sa.insert(outcomes).values(dict(row)).returning(outcomes.c.id)).scalar_one()
    return OutcomeRecorded(id=new_id, applicant_id=outcome.applicant_id, recorded_at=now)
