"""Request dependencies: the API key check, the loaded model, the database and the log writer."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from credit_core.http import ApiKey, Client
from credit_core.model_store import LoadedModel, ModelStore
from fastapi import Depends, HTTPException, Request, status

from credit_scoring_api.prediction_log import PredictionLogWriter


def model(request: Request) -> LoadedModel:
    store: ModelStore = request.app.state.models
    try:
        return store.get()
    except RuntimeError as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from error


def engine(request: Request) -> sa.Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


def writer(request: Request) -> PredictionLogWriter:
    return request.app.state.writer  # type: ignore[no-any-return]


__all__ = ["ApiKey", "Client", "Engine", "Model", "Writer"]
Model = Annotated[LoadedModel, Depends(model)]
Engine = Annotated[sa.Engine, Depends(engine)]
Writer = Annotated[PredictionLogWriter, Depends(writer)]
