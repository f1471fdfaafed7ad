"""Applicants known to the system (the applicant store), looked up by number."""

from __future__ import annotations

import sqlalchemy as sa
from credit_core.auth import needs
from credit_core.contracts.applicants import ApplicantIds, ApplicantRecord, StoredApplicant
from credit_core.contracts.decisions import Score
from credit_core.schema import MAX_ID
from fastapi import APIRouter, HTTPException, Path, Query, status
from fastapi.concurrency import run_in_threadpool

from credit_scoring_api.db import applicants
from credit_scoring_api.decisions import decide, recorded
from credit_scoring_api.deps import Engine, Model, Scorer, Spool
from credit_scoring_api.prediction_log import encode

router = APIRouter(prefix="/v1/applicants", tags=["applicants"])
Reader = [needs("applicants:read")]  # applicants' data
ApplicantId = Path(ge=0, le=MAX_ID, description="SK_ID_CURR of an ingested applicant")


def _stored(engine: sa.Engine, applicant_id: int) -> ApplicantRecord:
    with engine.connect() as connection:
        row = (
            connection.execute(sa.select(applicants).where(applicants.c.applicant_id == applicant_id))
            .mappings()
            .first()
        )
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
def applicant(engine: Engine, applicant_id: int = ApplicantId) -> StoredApplicant:
    row = _stored(engine, applicant_id)
    return StoredApplicant(**dict(row), history_rows={name: len(rows) for name, rows in row.history.items()})


@router.get(
    "/{applicant_id}/score", response_model=Score, dependencies=[needs("score")], summary="Score a known applicant"
)
async def applicant_score(
    engine: Engine, model: Model, spool: Spool, client: Scorer, applicant_id: int = ApplicantId
) -> Score:
    row = await run_in_threadpool(_stored, engine, applicant_id)
    result, record = decide(row.application, row.history, model, "store", client)
    await recorded(spool, [encode(record)])
    return result
