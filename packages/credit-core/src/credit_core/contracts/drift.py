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
    critical_value: float | None = Field(
        default=None,
        description="PSI and Jensen-Shannon: the value an unchanged population exceeds at these row counts"
        " with probability false_alarm_rate; the threshold applied is the larger of it and the material one",
    )


class Estimate(BaseModel):
    """A figure expected from the probabilities, and where the realised one falls 95 times in 100
    if the probabilities are right."""

    value: float | None
    low: float | None
    high: float | None


class EstimatedPerformance(BaseModel):
    """What the window's calibrated probabilities imply before any outcome (confidence-based
    performance estimation): it cannot see a change in how inputs relate to default."""

    rows: int
    default_rate: Estimate
    cost_per_1000: Estimate = Field(
        description="At the version's threshold: 10 per missed default, 1 per good payer refused"
    )
    auc: Estimate
    holdout_cost_per_1000: float | None
    holdout_auc: float | None


class RealisedPerformance(BaseModel):
    """Performance of the window's decisions that have an outcome, beside the hold-out's and
    beside what their probabilities predicted."""

    outcomes: int
    holdout_auc: float | None
    holdout_cost_per_1000: float | None
    default_rate: float | None = None
    cost_per_1000: float | None = None
    auc: float | None = Field(default=None, description="Needs defaulters and repayers among the outcomes")
    expected: EstimatedPerformance | None = Field(
        default=None, description="The estimate for the same decisions: realised outside its range is concept drift"
    )


class SegmentResult(BaseModel):
    """Drift and expected performance of one segment of the window (e.g. contract type = Revolving
    loans), against the same segment of the reference."""

    segmentation: str = Field(examples=["contract type"])
    segment: str = Field(examples=["Revolving loans"])
    reference_rows: int
    current_rows: int
    judged: bool = Field(description="False when either side has fewer rows than MONITOR_SEGMENT_MIN_ROWS")
    dataset_drift: bool | None = None
    drifted_columns: list[str] = Field(default_factory=list, description="Most important first")
    drifted_importance: float | None = None
    probability_drift: float | None = None
    refusal_rate: float | None = None
    estimated: EstimatedPerformance | None = None


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
    estimated: EstimatedPerformance | None = Field(default=None, description="The whole window's, before outcomes")
    segments: list[SegmentResult] | None = Field(default=None, description="Drift and estimate per segment")
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
