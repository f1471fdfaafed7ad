"""Request dependencies: the API key check, the loaded model, the database and the log writer."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader

from credit_scoring_api.model_store import LoadedModel, ModelStore
from credit_scoring_api.prediction_log import PredictionLogWriter

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="One of SCORING_API_KEYS")


def require_api_key(request: Request, key: Annotated[str | None, Security(api_key_header)]) -> None:
    allowed = request.app.state.settings.api_keys
    if allowed and key not in allowed:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing or invalid X-API-Key header")


def model(request: Request) -> LoadedModel:
    store: ModelStore = request.app.state.models
    if store.current is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, store.error or "no model loaded yet")
    return store.current


def engine(request: Request) -> sa.Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


def writer(request: Request) -> PredictionLogWriter:
    return request.app.state.writer  # type: ignore[no-any-return]


ApiKey = Depends(require_api_key)
Model = Annotated[LoadedModel, Depends(model)]
Engine = Annotated[sa.Engine, Depends(engine)]
Writer = Annotated[PredictionLogWriter, Depends(writer)]
