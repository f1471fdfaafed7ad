"""Request dependencies: the monitor (runs) and the database."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request

from credit_monitor.runner import Monitor


def monitor(request: Request) -> Monitor:
    return request.app.state.monitor  # type: ignore[no-any-return]


def engine(request: Request) -> sa.Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


MonitorDep = Annotated[Monitor, Depends(monitor)]
Engine = Annotated[sa.Engine, Depends(engine)]
