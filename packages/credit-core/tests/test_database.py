"""The engine every service uses keeps applicants' data out of its errors and logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import sqlalchemy as sa
from credit_core.database import engine_for

SECRET = "AMT_INCOME_TOTAL=123456.789"


def test_a_failing_statement_does_not_show_its_parameters(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'db' / 'log.db'}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"))
        connection.execute(sa.text("INSERT INTO t VALUES (1, 'x')"))
    with (
        caplog.at_level(logging.INFO, "sqlalchemy.engine"),  # statements logged, as when debugging
        pytest.raises(sa.exc.IntegrityError) as error,
        engine.begin() as connection,
    ):
        connection.execute(sa.text("INSERT INTO t VALUES (1, :v)"), {"v": SECRET})
    assert "INSERT INTO t" in str(error.value)  # the statement is said ...
    assert SECRET not in str(error.value)  # ... its values are not
    assert caplog.records and all(SECRET not in r.getMessage() for r in caplog.records)
