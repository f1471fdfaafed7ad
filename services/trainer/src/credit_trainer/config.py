"""Trainer settings, from ``TRAINER_*`` environment variables (see ``.env.example``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from credit_core.secrets import Secret
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRAINER_", frozen=True, extra="forbid")

    data_dir: Path = Path("data/synthetic")
    seed: int = 42
    # MLflow: a tracking server URI (http://...), or empty for the embedded store under mlflow_dir
    mlflow_tracking_uri: str | None = None
    mlflow_dir: Path = Path("mlruns")
    experiment: str = "credit-default"
    model_name: str = "credit-default"
    grid: Literal["small", "full"] = "small"
    folds: int = Field(default=3, ge=2, le=10)
    holdout: float = Field(default=0.2, gt=0.05, lt=0.5)
    # promotion: the challenger must cost less than the champion with this confidence (paired bootstrap)
    promotion_confidence: float = Field(default=0.95, ge=0.5, lt=1.0)
    bootstrap_resamples: int = Field(default=1_000, ge=100, le=100_000)
    # promotion gate on fairness: every attribute's approval-rate ratio (lowest group / highest) at
    # least this (e.g. 0.8, the four-fifths rule); empty: reported, not gated
    fairness_min_parity_ratio: float | None = Field(default=None, gt=0, le=1)
    # the retrain loop (`credit-trainer retrain`): the monitor that asks, and the key of the
    # trainer's client there (scope retrain)
    monitor_url: str = "http://127.0.0.1:8002"
    monitor_api_key: Secret = ""
