"""Trainer settings, from ``TRAINER_*`` environment variables (see ``.env.example``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

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
