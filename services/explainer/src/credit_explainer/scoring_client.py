"""The scoring API's applicant store, over HTTP."""

from __future__ import annotations

import httpx
from credit_core.contracts.applicants import StoredApplicant
from fastapi import HTTPException, status
from pydantic import ValidationError


async def fetch_applicant(client: httpx.AsyncClient, applicant_id: int) -> StoredApplicant:
    """The application and history rows of an ingested applicant, as the scoring API stores them."""
    try:
        response = await client.get(f"/v1/applicants/{applicant_id}")
    except httpx.HTTPError as error:
        raise HTTPException(
            status.HTTP_502_BAD_GATEWAY, f"the scoring API is unreachable: {error.__class__.__name__}"
        ) from error
    if response.status_code == status.HTTP_404_NOT_FOUND:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"applicant {applicant_id} is not in the applicant store")
    if response.status_code != status.HTTP_200_OK:
        raise HTTPException(
            status.HTTP_502_BAD_GATEWAY, f"the scoring API answered {response.status_code} for applicant {applicant_id}"
        )
    try:
        return StoredApplicant.model_validate_json(response.content)
    except ValidationError as error:
        raise HTTPException(
            status.HTTP_502_BAD_GATEWAY, f"the scoring API's answer for applicant {applicant_id} is not an applicant"
        ) from error
