"""Settings every HTTP service shares, from environment variables through pydantic-settings. Each
service subclasses them with its own prefix (``SCORING_``, ``EXPLAINER_``, ``MONITOR_``) and adds
what is its own; a subclass may change a default (e.g. the body limit)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """A service that serves a registered model over HTTP."""

    model_config = SettingsConfigDict(frozen=True, extra="forbid")

    # MLflow registry holding the model; the default is the trainer's embedded store
    mlflow_tracking_uri: str = "sqlite:///mlruns/mlflow.db"
    model_name: str = "credit-default"
    model_alias: str = "champion"
    # seconds between checks of the alias for a new champion; 0 = only POST /v1/admin/reload
    reload_interval: float = Field(default=30.0, ge=0)
    # accepted values of the X-API-Key header; empty list = no key needed (local use only)
    api_keys: list[str] = Field(default_factory=list)
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(default=5_000_000, ge=1_000)


class DatabaseSettings(BaseSettings):
    """A service that uses the application database (prediction log, applicants, outcomes)."""

    model_config = SettingsConfigDict(frozen=True, extra="forbid")

    # SQLAlchemy URL; SQLite is the embedded default, Postgres in production
    database_url: str = "sqlite:///data/scoring.db"
