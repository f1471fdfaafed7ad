"""What the explainer answers: reasons per applicant, global importance, counter-offers, the
reference population; read by the dashboard."""

from typing import Any, Literal

from pydantic import BaseModel, Field

from credit_core.contracts.decisions import Decision


class FeatureContribution(BaseModel):
    feature: str = Field(description="Model input name")
    label: str = Field(description="What it means")
    group: str = Field(description="The reason it is reported under")
    unit: str = Field(description="currency, years, days, duration, ratio (%), multiple, flag, score, count, ...")
    value: Any = Field(description="The applicant's value (None: not provided)")
    value_text: str = Field(description="The value in readable units")
    median: Any = Field(description="Median in the model's reference sample (most common level for categories)")
    median_text: str | None
    shap: float = Field(description="SHAP value in log-odds; > 0 raises the risk")
    effect: float = Field(description="Approximate effect on the probability of default (0.05 = 5 points)")
    reason: str


class Reason(FeatureContribution):
    """A topic: its SHAP and effect are the sums over its features; the value, median and unit are
    those of the feature that drives it most."""

    features: list[FeatureContribution]


class Explanation(BaseModel):
    applicant_id: int
    probability: float = Field(description="Probability of default, as the scoring API gives it")
    decision: Decision
    threshold: float
    model_name: str
    model_version: str = Field(description="The model version explained (and that scored)")
    base_value: float = Field(description="Expected log-odds of the model before seeing this applicant")
    base_probability: float
    log_odds: float = Field(description="base_value + all contributions")
    towards_default: list[Reason]
    towards_repayment: list[Reason]
    other: float = Field(description="Sum of the contributions not listed (log-odds)")


class GlobalFeature(BaseModel):
    feature: str
    label: str
    group: str
    table: str
    mean_abs_shap: float = Field(description="Mean |SHAP| over the reference sample, log-odds")
    gain: float = Field(description="Split gain (trees) or |standardised coefficient| (linear)")


class GlobalImportance(BaseModel):
    model_name: str
    model_version: str
    source: str = Field(description="training artifact or reference sample")
    features: list[GlobalFeature]


class Terms(BaseModel):
    amount: float | None
    annuity: float | None
    probability: float
    decision: Decision


class Offer(BaseModel):
    amount: float
    annuity: float | None
    share_of_requested: float
    probability: float
    decision: Literal["granted"]


class Lever(BaseModel):
    field: str
    label: str
    current: float
    note: str
    flips: bool = Field(description="Whether changing this field alone (within the range tried) grants the loan")
    needed: float | None = None
    change: float | None = Field(default=None, description="Relative change needed, e.g. -0.15 = 15 % lower")
    probability: float | None = None


class CounterOffer(BaseModel):
    applicant_id: int
    model_name: str
    model_version: str
    threshold: float
    status: Literal["granted", "counter-offer", "none"]
    message: str
    requested: Terms
    offer: Offer | None
    levers: list[Lever]


class ExplainerModelInfo(BaseModel):
    """``GET /v1/model`` of the explainer."""

    name: str
    version: str
    alias: str
    threshold: float
    candidate: str
    explainer: str = Field(description="How contributions are computed for this model")


class Segments(BaseModel):
    """What a comparable group is cut on, per reference applicant."""

    contract_type: list[str | None]
    age_years: list[float | None]
    income: list[float | None]


class Population(BaseModel):
    """``GET /v1/population``: a few features over the version's reference sample, with outcomes."""

    model_version: str
    rows: int
    features: dict[str, list[Any]] = Field(description="Values of each feature asked for, one per reference applicant")
    segments: Segments
    outcome: list[int] = Field(description="1 = payment difficulties, per reference applicant")
