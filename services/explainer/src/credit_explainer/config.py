"""Explainer settings, from ``EXPLAINER_*`` environment variables (see ``.env.example``)."""

from __future__ import annotations

from credit_core.secrets import Secret
from credit_core.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EXPLAINER_", frozen=True, extra="forbid")

    # versions other than the champion kept loaded for requests that pin one
    pinned_versions: int = Field(default=2, ge=0, le=20)
    # where GET /v1/applicants/{id}/... fetches applications (the scoring API's applicant store)
    scoring_api_url: str = "http://127.0.0.1:8000"
    scoring_api_key: Secret = ""
    scoring_api_timeout: float = Field(default=5.0, gt=0)
