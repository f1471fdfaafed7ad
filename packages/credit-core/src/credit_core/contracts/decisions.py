"""Decisions: the score a client gets, the record the prediction log keeps, and outcomes.

The scoring API writes :class:`DecisionRecord` rows and the monitor reads them; the prediction
log's table is derived from these fields (``credit_scoring_api.db``), so a field added here (plus
one Alembic migration) reaches the table, the writer and the reader at once.
"""

import typing
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from credit_core.schema import MAX_ID

Decision = Literal["granted", "refused"]
Source = Literal["api", "batch", "batch-csv", "store"]
REQUEST_ID = r"^[A-Za-z0-9_-]{1,64}$"


class PrincipalReason(BaseModel):
    """One principal reason for a refusal (``credit_core.reasons``): a code of the catalogue."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(description="Reason code (credit_core/reason_codes.json)")
    text: str = Field(description="The reason in plain English (the catalogue has it in French too)")
    impact: float = Field(
        description="How much the log-odds of default fall, on average, when this characteristic is as "
        "for the applicants granted closest to the cut-off"
    )


REASONS_DESCRIPTION = "Refused: up to four principal reasons, the largest first; None when granted"


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
    reasons: list[PrincipalReason] | None = Field(default=None, description=REASONS_DESCRIPTION)
    reason_catalogue: str | None = Field(default=None, description="Version of the reason-code catalogue")


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
    reasons: list[PrincipalReason] | None = Field(default=None, description=REASONS_DESCRIPTION)
    reason_catalogue: str | None = Field(
        default=None, max_length=20, description="Version of the reason-code catalogue the reasons come from"
    )


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
    stored_reasons: list[str] = Field(description="The principal reasons' codes recorded with the decision")
    replayed_reasons: list[str]
    matches: bool = Field(description="Same decision, probabilities equal to 1e-12 and the same reasons")


OverrideReason = Literal[
    "additional-information",  # the applicant gave what the application lacked (documents, income)
    "verified-income",  # income or employment checked beyond what the model saw
    "existing-relationship",  # the lender's own history with the applicant
    "policy-exception",  # a documented exception to the credit policy
    "suspected-fraud",  # granted by the model, refused by the officer
    "affordability-concern",  # granted by the model, not affordable on the officer's review
    "data-error",  # an input was wrong
]
OVERRIDE_REASONS: tuple[str, ...] = typing.get_args(OverrideReason)


class OverrideRequest(BaseModel):
    """An officer's change of a decision (``POST /v1/decisions/{request_id}/overrides``): the
    decision it becomes, why (a reason of the list) and a comment; the person is the request's
    ``X-On-Behalf-Of``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"decision": "granted", "reason": "verified-income", "comment": "Payslips for 6 months seen"}]
        },
    )

    decision: Decision = Field(description="What the decision becomes")
    reason: OverrideReason
    comment: str = Field(min_length=10, max_length=1000, description="What the officer saw (at least 10 characters)")


class OverrideRecord(BaseModel):
    """One row of the overrides table: kept beside the decision, which it never replaces."""

    request_id: str = Field(max_length=64, description="The decision overridden")
    overridden_at: datetime
    by: str = Field(max_length=100, description="The officer (the person the client acted for)")
    client: str | None = Field(default=None, max_length=100, description="The API key's client it came through")
    model_version: str = Field(max_length=50, description="The version that made the decision")
    from_decision: Decision = Field(max_length=10)
    to_decision: Decision = Field(max_length=10)
    reason: OverrideReason = Field(max_length=40)
    comment: str | None = Field(max_length=1000, description="None once the applicant's data was erased")


class DecisionWithOverrides(DecisionRecord):
    """``GET /v1/decisions/{request_id}``: the decision as recorded, its overrides (oldest first) and
    the decision that stands."""

    overrides: list[OverrideRecord]
    final_decision: Decision = Field(description="The last override's decision, or the model's")


class OverrideRate(BaseModel):
    """How often officers changed one model version's decisions."""

    model_version: str
    decisions: int = Field(description="Decisions the version made in the window")
    overridden: int = Field(description="Of which an officer changed (at least once)")
    rate: float = Field(description="overridden / decisions")
    refused_to_granted: int
    granted_to_refused: int
    above_alert: bool = Field(description="The rate is above the alert setting (over enough decisions)")


class OverrideSummary(BaseModel):
    """``GET /v1/overrides/summary`` (the monitor): overrides per model version and per reason."""

    since: datetime = Field(description="Decisions scored from then on are counted")
    alert_rate: float = Field(description="MONITOR_OVERRIDE_ALERT_RATE")
    min_decisions: int = Field(description="A version is judged from this many decisions on")
    versions: list[OverrideRate]
    reasons: dict[str, int] = Field(description="Overrides per reason, every reason listed")
    alert: bool = Field(description="Some version's override rate is above the alert setting")


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
