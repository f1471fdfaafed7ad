"""Monitor settings, from ``MONITOR_*`` environment variables (see ``.env.example``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DriftSettings(BaseSettings):
    """How drift is measured; also used by the offline ``credit-monitor drift`` command.

    Defaults (see the README for why): Wasserstein distance normed by the reference standard
    deviation for numbers, Jensen-Shannon distance for categories, both with threshold 0.1 - what
    Evidently uses for samples over 1,000 rows, where p-value tests flag differences too small
    to matter. A run raises the dataset-drift flag when at least ``min_drifted_columns`` input
    columns drift together, or the drifted columns carry at least ``drift_share`` of the model's
    importance (mean |SHAP|), or the predicted probability drifts.
    """

    model_config = SettingsConfigDict(env_prefix="MONITOR_", frozen=True, extra="ignore")

    numeric_method: str = "wasserstein"
    numeric_threshold: float = Field(default=0.1, gt=0)
    categorical_method: str = "jensenshannon"
    categorical_threshold: float = Field(default=0.1, gt=0)
    # probability of default and decision, the model's outputs
    probability_method: str = "wasserstein"
    probability_threshold: float = Field(default=0.1, gt=0)
    drift_share: float = Field(default=0.1, gt=0, le=1)
    min_drifted_columns: int = Field(default=3, ge=1)
    # engineered features checked besides the raw application fields: the most important ones
    top_features: int = Field(default=40, ge=0, le=200)
    # reference rows used at most (a sample beyond that; see README for the detection power)
    max_reference_rows: int = Field(default=50_000, ge=100)


class Settings(DriftSettings):
    model_config = SettingsConfigDict(env_prefix="MONITOR_", frozen=True, extra="forbid")

    # the scoring API's database: prediction log and outcomes are read, drift runs written
    database_url: str = "sqlite:///data/scoring.db"
    mlflow_tracking_uri: str = "sqlite:///mlruns/mlflow.db"
    model_name: str = "credit-default"
    model_alias: str = "champion"
    reload_interval: float = Field(default=60.0, ge=0)
    # where HTML reports go: a folder, or s3://bucket/prefix (with s3_endpoint_url for MinIO)
    reports: str = "data/drift-reports"
    s3_endpoint_url: str = ""
    # scheduled drift runs: seconds between runs (0 = only on request) over the last N predictions
    schedule_interval: float = Field(default=0.0, ge=0)
    window: int = Field(default=5_000, ge=1)
    # fewer current rows than this: no drift verdict (too little to tell)
    min_rows: int = Field(default=200, ge=1)
    # realised performance: needs this many outcomes; "retrain" when AUC falls by auc_drop or the
    # cost per 1,000 rises by cost_rise (relative) against the version's hold-out figures
    min_outcomes: int = Field(default=200, ge=1)
    auc_drop: float = Field(default=0.05, gt=0)
    cost_rise: float = Field(default=0.2, gt=0)
    # POSTed the run summary when a run recommends retraining (empty: none)
    webhook_url: str = ""
    api_keys: list[str] = Field(default_factory=list)
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(default=100_000, ge=1_000)
