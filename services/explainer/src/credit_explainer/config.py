"""Explainer settings, from ``EXPLAINER_*`` environment variables (see ``.env.example``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EXPLAINER_", frozen=True, extra="forbid")

    # MLflow registry holding the model; the default is the trainer's embedded store
    mlflow_tracking_uri: str = "sqlite:///mlruns/mlflow.db"
    model_name: str = "credit-default"
    model_alias: str = "champion"
    # seconds between checks of the alias for a new champion; 0 = only POST /v1/admin/reload
    reload_interval: float = Field(default=30.0, ge=0)
    # versions other than the champion kept loaded for requests that pin one
    pinned_versions: int = Field(default=2, ge=0, le=20)
    # accepted values of the X-API-Key header; empty list = no key needed (local use only)
    api_keys: list[str] = Field(default_factory=list)
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(default=5_000_000, ge=1_000)
    # where GET /v1/applicants/{id}/... fetches applications (the scoring API's applicant store)
    scoring_api_url: str = "http://127.0.0.1:8000"
    scoring_api_key: str = ""
    scoring_api_timeout: float = Field(default=5.0, gt=0)
