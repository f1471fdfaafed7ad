"""Scoring API settings, from ``SCORING_*`` environment variables (see ``.env.example``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCORING_", frozen=True, extra="forbid")

    # SQLAlchemy URL of the prediction log and applicant store; SQLite is the embedded default
    database_url: str = "sqlite:///data/scoring.db"
    # MLflow registry holding the model; the default is the trainer's embedded store
    mlflow_tracking_uri: str = "sqlite:///mlruns/mlflow.db"
    model_name: str = "credit-default"
    model_alias: str = "champion"
    # seconds between checks of the alias for a new champion; 0 = only POST /v1/admin/reload
    reload_interval: float = Field(default=30.0, ge=0)
    # accepted values of the X-API-Key header; empty list = no key needed (local use only)
    api_keys: list[str] = Field(default_factory=list)
    cors_origins: list[str] = Field(default_factory=list)
    max_batch: int = Field(default=1_000, ge=1, le=100_000)
    max_body_bytes: int = Field(default=50_000_000, ge=1_000)
    # prediction log: bounded in-memory buffer, written in batches by a background thread
    log_buffer: int = Field(default=200_000, ge=100)
    log_batch: int = Field(default=100, ge=1)
    log_flush_seconds: float = Field(default=0.2, gt=0)
