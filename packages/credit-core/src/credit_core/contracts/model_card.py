"""The model card: what the trainer stores with a model version (``model_card.json``), and what the
services say about the version they serve. Read by the scoring API (``/v1/model``), the explainer,
the monitor (hold-out figures to compare with) and the dashboard (the model page)."""

from datetime import datetime
from typing import Any

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
    holdout_recall: float
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


class ModelCard(BaseModel):
    name: str
    candidate: str = Field(description="The chosen candidate, e.g. lightgbm+weights")
    family: str = Field(description="lightgbm, xgboost, logreg or dummy")
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


class FeatureInfo(BaseModel):
    """One row of the feature catalogue (``credit_core.catalogue.feature_catalogue``)."""

    name: str
    description: str
    group: str
    table: str
    fields: str
    kind: str
    unit: str


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
