"""Applicants known to the system (the applicant store), looked up by number. Each read of an
applicant's data and each score of a stored applicant is written to the access log (who, for whom,
why) before it is answered."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import sqlalchemy as sa
from credit_core.auth import needs, requirement
from credit_core.contracts.access import AccessReason, AccessRecord, Action
from credit_core.contracts.applicants import ApplicantIds, ApplicantRecord, StoredApplicant
from credit_core.contracts.decisions import Score
from credit_core.schema import MAX_ID
from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from fastapi.concurrency import run_in_threadpool

from credit_scoring_api.db import access_log, applicants
from credit_scoring_api.decisions import decide, recorded
from credit_scoring_api.deps import Engine, Model, OnBehalfOf, Reason, Scorer, Spool
from credit_scoring_api.prediction_log import encode

router = APIRouter(prefix="/v1/applicants", tags=["applicants"])
Reader = [needs("applicants:read")]  # applicants' data
ReaderName = Annotated[str | None, Depends(requirement("applicants:read"))]
ApplicantId = Path(ge=0, le=MAX_ID, description="SK_ID_CURR of an ingested applicant")


def _accessed(
    engine: sa.Engine,
    applicant_id: int,
    action: Action,
    client: str | None,
    person: str | None,
    reason: AccessReason | None,
) -> ApplicantRecord:
    """The stored applicant, once this access is in the access log (a person must say why)."""
    if person is not None and reason is None:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "X-Access-Reason: say why an applicant's data is looked at on behalf of a person",
        )
    entry = AccessRecord(
        accessed_at=datetime.now(UTC),
        client=client,
        on_behalf_of=person,
        applicant_id=applicant_id,
        action=action,
        reason=reason,
    )
    with engine.begin() as connection:  # one transaction: the read and its record
        row = _stored(connection, applicant_id)
        connection.execute(sa.insert(access_log), dict(entry))
    return row


def _stored(connection: sa.Connection, applicant_id: int) -> ApplicantRecord:
    row = connection.execute(sa.select(applicants).where(applicants.c.applicant_id == applicant_id)).mappings().first()
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"applicant {applicant_id} is not in the applicant store")
    return ApplicantRecord.model_validate(dict(row))


@router.get(
    "",
    response_model=ApplicantIds,
    dependencies=Reader,
    summary="Applicant numbers of the store that start with the digits typed (for look-up as you type)",
)
def search(
    engine: Engine,
    prefix: str = Query("", max_length=12, pattern=r"^[0-9]*$", description="leading digits of SK_ID_CURR"),
    limit: int = Query(20, ge=1, le=200),
) -> ApplicantIds:
    query = sa.select(applicants.c.applicant_id).order_by(applicants.c.applicant_id).limit(limit)
    if prefix:
        query = query.where(sa.cast(applicants.c.applicant_id, sa.String).like(f"{prefix}%"))
    with engine.connect() as connection:
        return ApplicantIds(applicant_ids=list(connection.execute(query).scalars()))


@router.get(
    "/{applicant_id}",
    response_model=StoredApplicant,
    dependencies=Reader,
    summary="An applicant's application and history",
)
def applicant(
    engine: Engine, client: ReaderName, person: OnBehalfOf, reason: Reason, applicant_id: int = ApplicantId
) -> StoredApplicant:
    row = _accessed(engine, applicant_id, "read", client, person, reason)
    return StoredApplicant(**dict(row), history_rows={name: len(rows) for name, rows in row.history.items()})


@router.get(
    "/{applicant_id}/score", response_model=Score, dependencies=[needs("score")], summary="Score a known applicant"
)
async def applicant_score(
    engine: Engine,
    model: Model,
    spool: Spool,
    client: Scorer,
    person: OnBehalfOf,
    reason: Reason,
    applicant_id: int = ApplicantId,
) -> Score:
    row = await run_in_threadpool(_accessed, engine, applicant_id, "score", client, person, reason)
    result, record = decide(row.application, row.history, model, "store", client, person)
    await recorded(spool, [encode(record)])
    return result
