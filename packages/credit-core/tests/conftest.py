from __future__ import annotations

import os
from pathlib import Path

import pytest
from credit_core.synthetic import generate

REPO = Path(__file__).resolve().parents[3]
SAMPLE_DIR = Path(os.environ.get("HOME_CREDIT_SAMPLE_DIR", REPO.parent / "shared" / "data" / "home-credit-sample"))


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The real Home Credit sample rows (kept outside the repo, never copied into it)."""
    if not (SAMPLE_DIR / "application_train.csv").is_file():
        pytest.skip(f"real Home Credit sample not found at {SAMPLE_DIR} (set HOME_CREDIT_SAMPLE_DIR)")
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small key-linked synthetic data set (CSV), generated once per test session."""
    folder = tmp_path_factory.mktemp("synthetic")
    generate(folder, 4_000, 600, seed=11, fmt="csv")
    return folder
