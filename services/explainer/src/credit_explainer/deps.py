"""Request dependencies: the explainer of the requested model version, the scoring API client."""

from __future__ import annotations

from typing import Annotated

import httpx
from credit_core.model_store import ModelStore, UnknownVersionError
from fastapi import Depends, HTTPException, Query, Request, status

from credit_explainer.explainer import VersionExplainer

VERSION = Query(
    pattern=r"^[0-9]{1,9}$",
    description="Explain this registered version instead of the champion (e.g. the one that scored)",
)


def explainer(request: Request, model_version: Annotated[str | None, VERSION] = None) -> VersionExplainer:
    store: ModelStore = request.app.state.models
    try:
        loaded = store.get(model_version)
    except UnknownVersionError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
    except RuntimeError as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from error
    built: VersionExplainer = loaded.extra
    return built


def scoring_api(request: Request) -> httpx.AsyncClient:
    return request.app.state.scoring_api  # type: ignore[no-any-return]


Explainer = Annotated[VersionExplainer, Depends(explainer)]
ScoringApi = Annotated[httpx.AsyncClient, Depends(scoring_api)]
