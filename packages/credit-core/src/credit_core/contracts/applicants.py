"""The applicant store: applicants known to the lender, with their application and history."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from credit_core.schema import MAX_ID


class ApplicantRecord(BaseModel):
    """One row of the applicant store (written by ``credit-scoring-api ingest``)."""

    applicant_id: int = Field(ge=0, le=MAX_ID)
    application: dict[str, Any]
    history: dict[str, list[dict[str, Any]]] = Field(description="History rows by table")
    ingested_at: datetime


class StoredApplicant(ApplicantRecord):
    """``GET /v1/applicants/{id}`` of the scoring API, read by the explainer and the dashboard."""

    history_rows: dict[str, int] = Field(description="Rows per history table")


class ApplicantIds(BaseModel):
    applicant_ids: list[int]
