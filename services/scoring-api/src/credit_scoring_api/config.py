"""Scoring API settings, from ``SCORING_*`` environment variables (see ``.env.example``)."""

from __future__ import annotations

from credit_core.settings import DatabaseSettings, ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings, DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCORING_", frozen=True, extra="forbid")

    max_body_bytes: int = Field(default=50_000_000, ge=1_000)  # CSV uploads of a full batch
    max_batch: int = Field(default=1_000, ge=1, le=100_000)
    # prediction log: bounded in-memory buffer, written in batches by a background thread
    log_buffer: int = Field(default=200_000, ge=100)
    log_batch: int = Field(default=100, ge=1)
    log_flush_seconds: float = Field(default=0.2, gt=0)
