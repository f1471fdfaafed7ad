"""Counter-offers for refused applications."""

from __future__ import annotations

from typing import Any

from credit_core.auth import needs
from credit_core.contracts.applications import ScoreRequest
from credit_core.contracts.explanations import CounterOffer
from credit_core.scoring import request_features
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from credit_explainer.counter_offer import counter_offer
from credit_explainer.deps import Explainer, ScoringApi
from credit_explainer.routes.explanations import ApplicantId
from credit_explainer.scoring_client import fetch_applicant

router = APIRouter(tags=["counter-offers"], dependencies=[needs("explain")])


def _offer(explainer: Explainer, application: dict[str, Any], history: dict[str, Any]) -> CounterOffer:
    record, features = request_features(application, history)
    return counter_offer(explainer.model, int(application["SK_ID_CURR"]), record, features)


@router.post(
    "/v1/counter-offers",
    response_model=CounterOffer,
    summary="For a refused application: the largest granted amount, and single changes that would grant it",
)
def offer(request: ScoreRequest, explainer: Explainer) -> CounterOffer:
    return _offer(explainer, request.application.model_dump(), request.history())


@router.get(
    "/v1/applicants/{applicant_id}/counter-offer",
    response_model=CounterOffer,
    summary="Counter-offer for an applicant of the applicant store",
)
async def offer_applicant(
    request: Request, explainer: Explainer, scoring_api: ScoringApi, applicant_id: int = ApplicantId
) -> CounterOffer:
    stored = await fetch_applicant(scoring_api, applicant_id, request)
    return await run_in_threadpool(_offer, explainer, stored.application, stored.history)
