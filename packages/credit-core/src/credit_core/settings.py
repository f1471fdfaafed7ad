"""Settings every HTTP service shares, from environment variables through pydantic-settings. Each
service subclasses them with its own prefix (``SCORING_``, ``EXPLAINER_``, ``MONITOR_``) and adds
what is its own; a subclass may change a default (e.g. the body limit)."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from credit_core.auth import ApiClient
from credit_core.secrets import DatabaseUrl


class ServiceSettings(BaseSettings):
    """A service that serves a registered model over HTTP."""

    model_config = SettingsConfigDict(frozen=True, extra="forbid")

    # MLflow registry holding the model; the default is the trainer's embedded store
    mlflow_tracking_uri: str = "sqlite:///mlruns/mlflow.db"
    model_name: str = "credit-default"
    model_alias: str = "champion"
    # seconds between checks of the alias for a new champion; 0 = only POST /v1/admin/reload
    reload_interval: float = Field(default=30.0, ge=0)
    # who may call it: [{"name", "key_sha256", "scopes"}] (a service's ``new-key`` command makes one)
    api_clients: list[ApiClient] = Field(default_factory=list)
    # no key asked of anyone: for the one-machine demo only (``make demo`` sets it)
    auth_disabled: bool = False
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(default=5_000_000, ge=1_000)

    @model_validator(mode="after")
    def _clients_are_distinct(self) -> Self:
        prefix = self.model_config.get("env_prefix", "")
        for field in ("name", "key_sha256"):
            values = [getattr(client, field) for client in self.api_clients]
            if len(set(values)) < len(values):
                raise ValueError(f"{prefix}API_CLIENTS: two clients have the same {field}")
        return self


class DatabaseSettings(BaseSettings):
    """A service that uses the application database (prediction log, applicants, outcomes)."""

    model_config = SettingsConfigDict(frozen=True, extra="forbid")

    # SQLAlchemy URL; SQLite is the embedded default, Postgres in production
    database_url: DatabaseUrl = "sqlite:///data/scoring.db"
