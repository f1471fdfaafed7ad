"""The dashboard's page tests draw the pages as a user with every role (``UI_AUTH=disabled``);
signing in and the roles are tested on their own (test_access.py) and in the browser."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def every_page_open(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UI_AUTH", "disabled")
