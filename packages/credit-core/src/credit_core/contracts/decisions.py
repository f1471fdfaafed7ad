"""Decisions: the score a client gets, the record the prediction log keeps, and outcomes.

The scoring API writes :class:`DecisionRecord` rows and the monitor reads them; the prediction
log's table is derived from these fields (``credit_scoring_api.db``), so a field added here (plus
one Alembic migration) reaches the table, the writer and the reader at once.
"""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from credit_core.schema import MAX_ID

Decision = Literal["granted", "refused"]
Source = Literal["api", "batch", "batch-csv", "store"]
REQUEST_ID = r"^[A-Za-z0-9_-]{1,64}$"


class Score(BaseModel):
    """What a client is answered for one application."""

    applicant_id: int
    probability: float = Field(description="Probability of default (payment difficulties)")
    decision: Decision
    threshold: float = Field(description="Refused when probability >= threshold; set by the model version")
    model_name: str
    model_version: str
    request_id: str
    scored_at: datetime


class BatchScores(BaseModel):
    scores: list[Score]


class DecisionFacts(BaseModel):
    """What was decided, when, by which model version, for whom: the pseudonymous facts of a
    decision, without the applicant's inputs."""

    model_config = ConfigDict(frozen=True)

    request_id: str = Field(max_length=64, description="Unique per decision; the answer's request_id")
    scored_at: datetime
    applicant_id: int | None = Field(ge=0, le=MAX_ID, description="None once the applicant's data was erased")
    model_name: str = Field(max_length=200)
    model_version: str = Field(max_length=50)
    threshold: float
    probability: float
    decision: Decision = Field(max_length=10)
    source: Source = Field(max_length=20, description="Which route scored it")
    latency_ms: float = Field(description="Time spent scoring, request parsing excluded")
    client: str | None = Field(default=None, max_length=100, description="Who asked: the API key's client")
    on_behalf_of: str | None = Field(
        default=None, max_length=100, description="The person the client asked for (the dashboard's user)"
    )
    erased_at: datetime | None = Field(default=None, description="When the applicant's inputs were erased (on request)")


class RawInput(BaseModel):
    application: dict[str, Any] = Field(description="The application as sent (missing fields left out)")
    history: dict[str, list[dict[str, Any]]] = Field(description="History rows as sent, by table")


class DecisionRecord(DecisionFacts):
    """One row of the prediction log: the facts and what they were computed from (None once erased)."""

    raw_input: RawInput | None
    features: dict[str, float | str | None] | None = Field(description="The model inputs, by feature name")


class Replay(BaseModel):
    """``POST /v1/decisions/{request_id}/replay``: the stored inputs run again by the version that decided."""

    request_id: str
    model_version: str
    stored_probability: float
    replayed_probability: float
    stored_decision: Decision
    replayed_decision: Decision
    matches: bool = Field(description="Same decision and probabilities equal to 1e-12")


class OutcomeReport(BaseModel):
    """A lender's report of whether the applicant of a decision defaulted (``POST /v1/outcomes``):
    one outcome per decision."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"request_id": "2f6c1d0e9b8a4c3d8e7f6a5b4c3d2e1f", "defaulted": False}]},
    )

    request_id: str = Field(pattern=REQUEST_ID, description="The decision it concerns (its answer's request_id)")
    defaulted: bool
    observed_at: datetime | None = Field(default=None, description="When the outcome was known (default: now)")


class OutcomeRecord(BaseModel):
    """One row of the outcomes table: written by the scoring API, read by the monitor."""

    request_id: str = Field(max_length=64)
    applicant_id: int | None = Field(ge=0, le=MAX_ID, description="The decision's applicant (None once erased)")
    defaulted: bool
    observed_at: datetime
    recorded_at: datetime
    client: str | None = Field(default=None, max_length=100, description="Who reported it: the API key's client")


class OutcomeRecorded(BaseModel):
    request_id: str
    applicant_id: int | None
    defaulted: bool
    observed_at: datetime
    recorded_at: datetime
    client: str | None = Field(default=None, description="Who reported it")
    repeated: bool = Field(description="True when this outcome was already recorded (the post was a repeat)")
