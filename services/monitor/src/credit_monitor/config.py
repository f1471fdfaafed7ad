"""Monitor settings, from ``MONITOR_*`` environment variables (see ``.env.example``)."""

from __future__ import annotations

from credit_core.segments import SEGMENTATIONS
from credit_core.settings import DatabaseSettings, ServiceSettings
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Evidently methods whose statistic is a p-value (drift below the threshold), and distances (drift
# at or above it)
P_VALUE_METHODS = frozenset(
    {"ks", "chisquare", "z", "anderson", "cramer_von_mises", "fisher_exact", "g_test", "mannw", "t_test"}
)
DISTANCE_METHODS = frozenset({"psi", "wasserstein", "jensenshannon", "kl_div", "hellinger", "TVD", "energy_distance"})


class DriftSettings(BaseSettings):
    """How drift is measured; also used by the offline ``credit-monitor drift`` command.

    Defaults (see the README for why): the population stability index (PSI) for numbers and the
    predicted probability, drifted from 0.2 (the credit-risk rule of thumb: under 0.1 stable, over
    0.25 a significant shift); the Jensen-Shannon distance for categories and 0/1 flags, drifted
    from 0.1 (Evidently's default over 1,000 rows). Distances rather than p-values: on thousands
    of rows a p-value test flags differences too small to matter. A run raises the dataset-drift flag when at least ``min_drifted_columns`` input
    columns drift together, or the drifted columns carry at least ``drift_share`` of the model's
    importance (mean |SHAP|), or the predicted probability drifts.
    """

    model_config = SettingsConfigDict(env_prefix="MONITOR_", frozen=True, extra="ignore")

    numeric_method: str = "psi"
    numeric_threshold: float = Field(default=0.2, gt=0)
    categorical_method: str = "jensenshannon"
    categorical_threshold: float = Field(default=0.1, gt=0)
    # probability of default and decision, the model's outputs
    probability_method: str = "psi"
    probability_threshold: float = Field(default=0.2, gt=0)
    # the chance that one column of an unchanged population is flagged in one run: the PSI and
    # Jensen-Shannon thresholds rise above the noise of small windows (see credit_monitor.drift)
    false_alarm_rate: float = Field(default=1e-4, gt=0, lt=0.5)
    drift_share: float = Field(default=0.1, gt=0, le=1)
    min_drifted_columns: int = Field(default=3, ge=1)
    # engineered features checked besides the raw application fields: the most important ones
    top_features: int = Field(default=40, ge=0, le=200)
    # drift and estimated performance per segment (credit_core.segments.SEGMENTATIONS), for
    # segments with at least segment_min_rows rows on both sides, on the most important inputs
    segments: tuple[str, ...] = ("contract type", "income band", "region rating", "age band")
    segment_min_rows: int = Field(default=200, ge=50)
    segment_top_features: int = Field(default=15, ge=1, le=200)
    # reference rows used at most (a sample beyond that; see README for the detection power)
    max_reference_rows: int = Field(default=50_000, ge=100)

    @field_validator("segments")
    @classmethod
    def known_segmentations(cls, segments: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [s for s in segments if s not in SEGMENTATIONS]
        if unknown:
            raise ValueError(f"unknown segmentation(s) {unknown}; known: {', '.join(SEGMENTATIONS)}")
        return segments

    @field_validator("numeric_method", "categorical_method", "probability_method")
    @classmethod
    def known_method(cls, method: str) -> str:
        if method not in P_VALUE_METHODS | DISTANCE_METHODS:
            known = ", ".join(sorted(P_VALUE_METHODS | DISTANCE_METHODS))
            raise ValueError(f"unknown drift method {method!r}; Evidently methods: {known}")
        return method


class Settings(ServiceSettings, DatabaseSettings, DriftSettings):
    model_config = SettingsConfigDict(env_prefix="MONITOR_", frozen=True, extra="forbid")

    reload_interval: float = Field(default=60.0, ge=0)
    # officers' overrides (GET /v1/overrides/summary): a version whose decisions of the last
    # override_window_days were changed more often than this shows as an alert (from
    # override_min_decisions decisions on)
    override_alert_rate: float = Field(default=0.1, gt=0, le=1)
    override_window_days: int = Field(default=30, ge=1)
    override_min_decisions: int = Field(default=20, ge=1)
    max_body_bytes: int = Field(default=100_000, ge=1_000)
    # where HTML reports go: a folder, or s3://bucket/prefix (with s3_endpoint_url for MinIO)
    reports: str = "data/drift-reports"
    s3_endpoint_url: str = ""
    # scheduled drift runs: seconds between runs (0 = only on request) over the last N predictions
    schedule_interval: float = Field(default=0.0, ge=0)
    window: int = Field(default=5_000, ge=1)
    # the most predictions one run reads (a window asked for, or the rows of a time range)
    max_window: int = Field(default=200_000, ge=1)
    # fewer current rows than this: no drift verdict (too little to tell)
    min_rows: int = Field(default=1_000, ge=1)
    # realised performance: needs this many outcomes; "retrain" when AUC falls by auc_drop or the
    # cost per 1,000 rises by cost_rise (relative) against the version's hold-out figures
    min_outcomes: int = Field(default=200, ge=1)
    auc_drop: float = Field(default=0.05, gt=0)
    cost_rise: float = Field(default=0.2, gt=0)
    # before outcomes: "watch" when the cost per 1,000 expected from the probabilities is above the
    # hold-out's by this much (relative); the same limit is exported for the alert rule
    estimated_cost_rise: float = Field(default=0.2, gt=0)
    # Evidently's UI: each run written to its workspace (credit_monitor.workspace): the URL of an
    # `evidently ui` service (written with its --secret) or a local folder; empty: none
    evidently_workspace: str = ""
    evidently_secret: SecretStr = SecretStr("")
    # the retrain loop (credit_monitor.retrain): a run that recommends retraining asks the trainer
    # for a challenger; the trainer reads at most retrain_labelled_limit labelled decisions
    retrain_on_recommendation: bool = False
    retrain_labelled_limit: int = Field(default=100_000, ge=1)
    # POSTed the run summary when a run recommends retraining (empty: none)
    webhook_url: str = ""
