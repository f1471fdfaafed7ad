"""The scoring API over HTTP: its applicant store and its decision record, parsed into the contracts.
The person a caller names and the reason it gives (``X-On-Behalf-Of``, ``X-Access-Reason``) are
passed on, so that the scoring API's access log says for whom an applicant was read."""

from __future__ import annotations

from typing import TypeVar

import httpx
from credit_core.contracts.applicants import StoredApplicant
from credit_core.contracts.decisions import DecisionRecord
from fastapi import HTTPException, Request, status
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
PASSED_ON = ("x-on-behalf-of", "x-access-reason")


def passed_on(request: Request) -> dict[str, str]:
    """The headers of ``request`` that name the person and the reason."""
    return {name: request.headers[name] for name in PASSED_ON if name in request.headers}


async def _get(client: httpx.AsyncClient, path: str, model: type[M], what: str, where: str, request: Request) -> M:
    try:
        response = await client.get(path, headers=passed_on(request))
    except httpx.HTTPError as error:
        raise HTTPException(
            status.HTTP_502_BAD_GATEWAY, f"the scoring API is unreachable: {error.__class__.__name__}"
        ) from error
    if response.status_code == status.HTTP_404_NOT_FOUND:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{what} is not in the {where}")
    if response.status_code == status.HTTP_422_UNPROCESSABLE_CONTENT:  # the caller's headers: theirs to mend
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, response.json().get("detail"))
    if response.status_code != status.HTTP_200_OK:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, f"the scoring API answered {response.status_code} for {what}")
    try:
        return model.model_validate_json(response.content)
    except ValidationError as error:
        raise HTTPException(
            status.HTTP_502_BAD_GATEWAY, f"the scoring API's answer for {what} is not a {model.__name__}"
        ) from error


async def fetch_applicant(client: httpx.AsyncClient, applicant_id: int, request: Request) -> StoredApplicant:
    """The application and history rows of an ingested applicant, as the scoring API stores them."""
    return await _get(
        client,
        f"/v1/applicants/{applicant_id}",
        StoredApplicant,
        f"applicant {applicant_id}",
        "applicant store",
        request,
    )


async def fetch_decision(client: httpx.AsyncClient, request_id: str, request: Request) -> DecisionRecord:
    """A past decision as the scoring API recorded it: inputs, model version, probability."""
    return await _get(
        client, f"/v1/decisions/{request_id}", DecisionRecord, f"decision {request_id}", "prediction log", request
    )
