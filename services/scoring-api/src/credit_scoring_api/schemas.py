"""Response and record models of the scoring API; the request models come from the schema
(``credit_core.requests``)."""

from datetime import datetime
from typing import Any, Literal

from credit_core.schema import MAX_ID
from pydantic import BaseModel, ConfigDict, Field


class Score(BaseModel):
    applicant_id: int
    probability: float = Field(description="Probability of default (payment difficulties)")
    decision: Literal["granted", "refused"]
    threshold: float = Field(description="Refused when probability >= threshold; set by the model version")
    model_name: str
    model_version: str
    request_id: str
    scored_at: datetime


class BatchScores(BaseModel):
    scores: list[Score]


class ModelInfo(BaseModel):
    name: str
    version: str
    alias: str
    threshold: float
    candidate: str
    trained_at: str
    metrics: dict[str, Any]
    feature_catalogue: list[dict[str, str]]


class Outcome(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"applicant_id": 100001, "defaulted": False}]}
    )

    applicant_id: int = Field(ge=0, le=MAX_ID)
    defaulted: bool
    observed_at: datetime | None = Field(default=None, description="When the outcome was known (default: now)")
    request_id: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The scoring request it concerns, if known"
    )


class Recorded(BaseModel):
    id: int
    applicant_id: int
    recorded_at: datetime
