"""Request dependencies: who asked (the client with the route's scope), the loaded model (the champion or a version), the
database and the decision spool. Those that cannot block are coroutines: FastAPI runs a plain
function dependency in a worker thread, a thread hop per request for nothing."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from credit_core.auth import requirement
from credit_core.model_store import LoadedModel, ModelStore, UnknownVersionError
from fastapi import Depends, HTTPException, Request, status

from credit_scoring_api.spool import DecisionSpool


async def model(request: Request) -> LoadedModel:
    store: ModelStore = request.app.state.models
    try:
        return store.get()
    except RuntimeError as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from error


def model_version(request: Request, version: str) -> LoadedModel:
    """A registered version by number (the one that made a decision), kept loaded for later calls."""
    store: ModelStore = request.app.state.models
    try:
        return store.get(version)
    except UnknownVersionError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
    except RuntimeError as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from error


async def engine(request: Request) -> sa.Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


async def spool(request: Request) -> DecisionSpool:
    return request.app.state.spool  # type: ignore[no-any-return]


Model = Annotated[LoadedModel, Depends(model)]
Engine = Annotated[sa.Engine, Depends(engine)]
Spool = Annotated[DecisionSpool, Depends(spool)]
# the name of the client that asked (the routes also list the scope first, checked before anything else)
Scorer = Annotated[str | None, Depends(requirement("score"))]
Reporter = Annotated[str | None, Depends(requirement("outcomes:write"))]
