"""Dashboard settings, from ``UI_*`` environment variables (see ``.env.example``): where the
services are and the keys to call them. The dashboard reads nothing else: no database, no model."""

from __future__ import annotations

from typing import Literal

from credit_core.secrets import Secret
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="UI_", frozen=True, extra="forbid")

    scoring_api_url: str = "http://127.0.0.1:8000"
    scoring_api_key: Secret = ""
    explainer_url: str = "http://127.0.0.1:8001"
    explainer_api_key: Secret = ""
    monitor_url: str = "http://127.0.0.1:8002"
    monitor_api_key: Secret = ""
    # Evidently's UI, where ops browse the drift runs over time (a link on the monitoring page)
    evidently_url: str = ""
    # seconds to wait for a service before saying it is unavailable
    timeout: float = Field(default=10.0, gt=0)
    language: Literal["en", "fr"] = "en"
    # how people sign in (credit_ui.access): local users (compose, the demo), OIDC, or nobody (page tests)
    auth: Literal["local", "oidc", "disabled"] = "local"
    # local users: a JSON file (credit_ui.users), or its content
    users_file: str = ""
    users: str = ""
    # OIDC: the provider of .streamlit/secrets.toml [auth] to use (empty: the only one), the claim with the roles
    oidc_provider: str = ""
    oidc_roles_claim: str = "roles"
