"""Runs that cannot be made say why; the schedule keeps going after a failed run."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from credit_monitor.config import Settings
from credit_monitor.db import migrate
from credit_monitor.runner import Monitor, MonitorError, _reference


def test_a_version_without_reference_sample_is_refused_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "artifacts").mkdir()
    with pytest.raises(MonitorError, match="version 3 has no reference sample"):
        _reference(tmp_path, "3")


def test_the_schedule_runs_again_after_a_failure(tmp_path: Path) -> None:
    calls: list[str] = []
    done = threading.Event()

    class Counting(Monitor):
        def run(self, **kwargs: Any) -> int:
            calls.append(kwargs["trigger"])
            if len(calls) == 1:
                raise MonitorError("no prediction in the window")  # logged, not fatal
            done.set()
            return 1

    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    migrate(url)  # where the schedule looks for this interval's run
    monitor = Counting(Settings(schedule_interval=0.05), sa.create_engine(url), None, None)  # type: ignore[arg-type]
    monitor.start_schedule()
    assert done.wait(5)
    monitor.stop()
    assert calls[:2] == ["schedule", "schedule"]


def test_no_schedule_when_the_interval_is_zero() -> None:
    monitor = Monitor(Settings(schedule_interval=0), None, None, None)  # type: ignore[arg-type]
    before = threading.active_count()
    monitor.start_schedule()
    assert threading.active_count() == before
