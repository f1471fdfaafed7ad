"""Request dependencies: who asked (the client with the route's scope), the loaded model (the champion or a version), the
database and the decision spool. Those that cannot block are coroutines: FastAPI runs a plain
function dependency in a worker thread, a thread hop per request for nothing."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from credit_core.auth import requirement
from credit_core.contracts.access import PERSON, AccessReason
from credit_core.model_store import LoadedModel, ModelStore, UnknownVersionError
from fastapi import Depends, Header, HTTPException, Request, status

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


async def on_behalf_of(
    x_on_behalf_of: Annotated[
        str | None, Header(pattern=PERSON, description="The person the client asks for (recorded with what it does)")
    ] = None,
) -> str | None:
    return x_on_behalf_of


async def access_reason(
    x_access_reason: Annotated[
        AccessReason | None, Header(description="Why an applicant's data is looked at (required with X-On-Behalf-Of)")
    ] = None,
) -> AccessReason | None:
    return x_access_reason


Model = Annotated[LoadedModel, Depends(model)]
Engine = Annotated[sa.Engine, Depends(engine)]
Spool = Annotated[DecisionSpool, Depends(spool)]
# the name of the client that asked (the routes also list the scope first, checked before anything else)
Scorer = Annotated[str | None, Depends(requirement("score"))]
Reporter = Annotated[str | None, Depends(requirement("outcomes:write"))]
OnBehalfOf = Annotated[str | None, Depends(on_behalf_of)]
Reason = Annotated[AccessReason | None, Depends(access_reason)]
