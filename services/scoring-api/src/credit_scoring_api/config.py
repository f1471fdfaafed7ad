"""Scoring API settings, from ``SCORING_*`` environment variables (see ``.env.example``)."""

from __future__ import annotations

from pathlib import Path

from credit_core.settings import DatabaseSettings, ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings, DatabaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCORING_", frozen=True, extra="forbid")

    max_body_bytes: int = Field(default=50_000_000, ge=1_000)  # CSV uploads of a full batch
    max_batch: int = Field(default=1_000, ge=1, le=100_000)
    # the decision spool: every decision is recorded here before it is answered, then drained to the
    # database; a volume in compose, Azure Files in the cloud. Shared by the service's workers.
    spool_dir: Path = Path("data/spool")
    # bytes of decisions waiting for the database at most; beyond, new decisions get 503 (fail closed)
    spool_limit_bytes: int = Field(default=1_000_000_000, ge=10_000)
    # answer even when the spool is full, without a record (demos only: a lender must keep it false)
    spool_fail_open: bool = False
    # SIGTERM: requests in flight finish, then the drain to the database has this long; what is
    # left stays in the spool for the next start (compose stop_grace_period and Container Apps'
    # termination grace period are set above it)
    shutdown_seconds: float = Field(default=20.0, ge=0, le=300)
    # pseudonymous erasure and retention (credit-scoring-api erase / purge): decisions older than
    # this many days are deleted by `purge`
    retention_days: int = Field(default=3_650, ge=1)
    # the notice to a refused applicant (GET /v1/decisions/{id}/notice): the lender's name in it, and
    # a folder with the lender's own notice.en.html and notice.fr.html (default: ours; see notice.py)
    lender_name: str = Field(default="Your lender", min_length=1, max_length=200)
    notice_templates: Path | None = None
