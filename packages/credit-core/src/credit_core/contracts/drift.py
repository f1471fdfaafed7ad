"""Drift runs of the monitor, read by the dashboard and ops."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Status = Literal["ok", "watch", "retrain recommended"]


class RunRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"last": 5000}, {"start": "2026-11-01T00:00:00Z"}]}
    )

    last: int | None = Field(default=None, ge=1, le=1_000_000, description="The last N predictions")
    start: datetime | None = Field(default=None, description="Predictions scored at or after (with end: a time range)")
    end: datetime | None = Field(default=None, description="Predictions scored before")
    model_version: str | None = Field(
        default=None, pattern=r"^[0-9]{1,9}$", description="Only this version's predictions (default: the champion)"
    )

    @model_validator(mode="after")
    def one_kind_of_window(self) -> "RunRequest":
        if self.last is not None and (self.start is not None or self.end is not None):
            raise ValueError("give either last or a time range (start / end), not both")
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise ValueError("start must be before end")
        return self


class ColumnResult(BaseModel):
    column: str
    kind: str
    method: str
    statistic: float | None
    threshold: float
    drifted: bool
    importance: float = Field(description="Share of the model's importance (mean |SHAP|) it carries")
    reference_mean: float | None
    current_mean: float | None


class RealisedPerformance(BaseModel):
    """Performance of the window's decisions that have an outcome, beside the hold-out's."""

    outcomes: int
    holdout_auc: float | None
    holdout_cost_per_1000: float | None
    default_rate: float | None = None
    cost_per_1000: float | None = None
    auc: float | None = Field(default=None, description="Needs defaulters and repayers among the outcomes")


class Run(BaseModel):
    id: int
    created_at: datetime
    trigger: str
    model_name: str
    model_version: str
    window: dict[str, Any]
    window_start: datetime | None
    window_end: datetime | None
    current_rows: int
    reference_rows: int
    dataset_drift: bool
    drifted_columns: int
    columns: int
    drift_share: float = Field(description="Share of the monitored input columns that drifted")
    drifted_importance: float = Field(description="Share of the model's importance carried by drifted columns")
    probability_drift: float | None
    decision_rate_reference: float | None = Field(description="Refusal rate in the reference sample")
    decision_rate_current: float | None
    performance: RealisedPerformance
    status: Status
    reasons: list[str]
    report_uri: str | None
    settings: dict[str, Any]
    column_results: list[ColumnResult] | None = None


class TrendPoint(BaseModel):
    id: int
    created_at: datetime
    status: Status
    dataset_drift: bool
    drifted_importance: float
    drift_share: float
    probability_drift: float | None
    current_rows: int
    model_version: str


class Summary(BaseModel):
    status: Status
    reasons: list[str]
    latest: Run | None
    trend: list[TrendPoint] = Field(description="Recent runs, oldest first")
