"""The model card: what the trainer stores with a model version (``model_card.json``), and what the
services say about the version they serve. Read by the scoring API (``/v1/model``), the explainer,
the monitor (hold-out figures to compare with) and the dashboard (the model page)."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class HoldoutMetrics(BaseModel):
    """Metrics on the hold-out applicants at the version's threshold (``credit_core.costs.evaluate``)."""

    auc: float
    pr_auc: float
    brier: float
    accuracy: float
    precision: float
    recall: float
    f1: float
    cost: float = Field(description="Business cost 10·FN + FP on the hold-out")
    cost_per_1000: float
    refusal_rate: float
    tn: float
    fp: float
    fn: float
    tp: float
    threshold: float


class CvScores(BaseModel):
    cv_auc: float
    cv_auc_std: float
    cv_cost_per_1000: float


class ReferenceCosts(BaseModel):
    """Cost per 1,000 applicants of the two trivial policies a model must beat."""

    accept_everyone_per_1000: float
    refuse_everyone_per_1000: float


class CandidateResult(BaseModel):
    """One row of the candidates compared in training."""

    candidate: str
    cv_auc: float
    cv_cost_per_1000: float
    threshold: float
    holdout_auc: float
    holdout_pr_auc: float
    holdout_brier: float
    holdout_cost_per_1000: float
    holdout_auc_low: float | None = Field(default=None, description="95 % bootstrap interval of the hold-out AUC")
    holdout_auc_high: float | None = None
    holdout_cost_per_1000_low: float | None = None
    holdout_cost_per_1000_high: float | None = None
    holdout_recall: float
    fairness_min_parity_ratio: float | None = Field(
        default=None, description="Lowest approval-rate ratio over gender, age band and family status"
    )
    holdout_refusal_rate: float
    fit_seconds: float
    best_params: str = Field(description="The grid's best parameters, JSON")
    chosen: bool


class CostCurve(BaseModel):
    threshold: list[float]
    cost_per_1000: list[float]


class RocCurve(BaseModel):
    fpr: list[float]
    tpr: list[float]


class Curves(BaseModel):
    """Hold-out curves small enough to travel with the model (``credit_core.costs.model_card_curves``)."""

    cost: CostCurve
    roc: RocCurve


class IntervalOf(BaseModel):
    """A hold-out figure with its bootstrap percentile interval (``credit_core.uncertainty``)."""

    estimate: float
    low: float
    high: float


class Intervals(BaseModel):
    confidence: float
    resamples: int
    auc: IntervalOf
    cost_per_1000: IntervalOf


class CalibrationReport(BaseModel):
    """How the calibration was chosen (on out-of-fold scores) and how it fares on the hold-out."""

    method: Literal["none", "platt", "isotonic"]
    oof_brier: dict[str, float] = Field(description="Cross-validated out-of-fold Brier score of each method")
    holdout_ece_uncalibrated: float = Field(description="Expected calibration error, ten bins of equal size")
    holdout_ece: float = Field(description="The same for the probabilities served")
    mean_predicted: float
    observed_rate: float
    in_the_large: float = Field(description="Mean predicted minus observed default rate")
    reliability_predicted: list[float]
    reliability_observed: list[float]
    reliability_counts: list[int]


class FairnessGroup(BaseModel):
    """One group of applicants on the hold-out, at the version's threshold."""

    attribute: str = Field(description="gender, age band or family status")
    group: str
    applicants: int
    approval_rate: float
    default_rate_granted: float | None = Field(description="Defaulters among the granted (None: nobody granted)")
    false_refusal_rate: float | None = Field(description="Good payers refused, among good payers (None: none)")
    missed_default_rate: float | None = Field(description="Defaulters granted, among defaulters (None: none)")
    cost_per_1000: float


class FairnessSummary(BaseModel):
    """One attribute, over its groups of at least 50 hold-out applicants."""

    attribute: str
    groups_compared: int = Field(description="Groups of at least 50 applicants; fewer than two: nothing compared")
    demographic_parity_ratio: float | None = Field(
        default=None, description="Lowest approval rate / highest (1 is parity)"
    )
    lowest_approval_group: str | None = None
    highest_approval_group: str | None = None
    equalized_odds_difference: float | None = Field(
        default=None, description="Largest gap between groups in false-refusal or true-refusal rate (0 is parity)"
    )


class Fairness(BaseModel):
    groups: list[FairnessGroup]
    summary: list[FairnessSummary]
    excluded_attributes: list[str] = Field(description="Application fields the model was trained without")


class ScorecardRow(BaseModel):
    """One bin of one characteristic of a scorecard (``(base points)``: the constant)."""

    characteristic: str
    bin: str
    count: int | None
    default_rate: float | None
    woe: float | None
    points: float
    iv: float | None


class ModelCard(BaseModel):
    name: str
    candidate: str = Field(description="The chosen candidate, e.g. lightgbm+weights")
    family: str = Field(description="lightgbm, xgboost, scorecard, logreg or dummy")
    params: dict[str, Any] = Field(description="Hyperparameters chosen by the grid search")
    trained_at: datetime
    threshold: float = Field(description="Cost-optimal threshold: refused when probability >= threshold")
    calibrated: bool
    training_applicants: int
    holdout_applicants: int
    default_rate: float
    cv: CvScores
    holdout: HoldoutMetrics
    reference_costs: ReferenceCosts
    reasons: list[str] = Field(description="Why this candidate was chosen, and about calibration")
    candidates: list[CandidateResult]
    curves: Curves
    data_fingerprint: str
    feature_catalogue_hash: str
    git_commit: str
    raw_fields: list[str] = Field(description="Columns of application_train the model was trained from")
    calibration: CalibrationReport | None = None
    intervals: Intervals | None = None
    fairness: Fairness | None = None
    scorecard: list[ScorecardRow] | None = Field(
        default=None, description="The points table when the model is the scorecard (base score 600 at 50:1, PDO 20)"
    )
    monotone_constraints: dict[str, Literal["up", "down"]] = Field(
        default_factory=dict, description="Features the model's risk may only move one way with (empty: none)"
    )


class FeatureInfo(BaseModel):
    """One row of the feature catalogue (``credit_core.catalogue.feature_catalogue``)."""

    name: str
    description: str
    group: str
    table: str
    fields: str
    kind: str
    unit: str
    risk_direction: Literal["up", "down", ""] = Field(
        default="", description="The way the feature may move the risk in constrained models; empty: free"
    )


class ModelInfo(BaseModel):
    """``GET /v1/model`` of the scoring API: the version in service and its card."""

    name: str
    version: str
    alias: str
    threshold: float
    card: ModelCard
    feature_catalogue: list[FeatureInfo]


class ReloadReport(BaseModel):
    """``POST /v1/admin/reload``: whether the alias moved and what is served now."""

    changed: bool
    version: str | None
    error: str | None
