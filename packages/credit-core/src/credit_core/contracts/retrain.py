"""The retrain loop between the monitor and the trainer: a request (made by a drift run that
recommends retraining, or by ops), claimed by the trainer, answered with what it trained and
whether the promotion rules let it replace the champion."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

RetrainStatus = Literal["pending", "running", "promoted", "refused", "failed"]
FINISHED: tuple[RetrainStatus, ...] = ("promoted", "refused", "failed")


class RetrainAsk(BaseModel):
    """``POST /v1/retrain``: ops ask for a retrain by hand."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=10, max_length=1000, description="Why (kept with the request)")


class RetrainRequest(BaseModel):
    id: int
    requested_at: datetime
    trigger: Literal["drift run", "ops"]
    run_id: int | None = Field(description="The drift run that recommended it")
    requested_by: str = Field(description="The client that asked (the monitor itself for a drift run)")
    model_name: str
    champion_version: str | None = Field(description="The champion when it was asked")
    reasons: list[str]
    status: RetrainStatus
    claimed_at: datetime | None
    claimed_by: str | None
    finished_at: datetime | None
    trainer_run_id: str | None = Field(description="The MLflow run of the training")
    challenger_version: str | None = Field(description="The version it registered")
    outcome: str | None = Field(description="Promoted or refused, with the promotion rules' reason; or the failure")


class RetrainResult(BaseModel):
    """``POST /v1/retrain/{id}/result``: what the trainer did."""

    model_config = ConfigDict(extra="forbid")
    status: Literal["promoted", "refused", "failed"]
    trainer_run_id: str | None = None
    challenger_version: str | None = Field(default=None, pattern=r"^[0-9]{1,9}$")
    outcome: str = Field(min_length=1, max_length=4000)


class LabelledDecision(BaseModel):
    """A recorded decision whose outcome is known: what the trainer adds to its data."""

    request_id: str
    applicant_id: int | None
    scored_at: datetime
    defaulted: bool
    application: dict[str, Any]
    history: dict[str, list[dict[str, Any]]]
