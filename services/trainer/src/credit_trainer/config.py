"""Trainer settings, from ``TRAINER_*`` environment variables (see ``.env.example``)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRAINER_", frozen=True, extra="forbid")

    data_dir: Path = Path("data/synthetic")
    seed: int = 42
