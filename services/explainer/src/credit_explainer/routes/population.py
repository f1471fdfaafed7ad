"""The reference population (the model version's sample of training applicants, with their
outcome), for comparing one applicant with the others."""

from __future__ import annotations

from typing import Annotated

from credit_core.auth import needs
from credit_core.catalogue import feature_columns
from credit_core.contracts.explanations import Population, Segments
from fastapi import APIRouter, HTTPException, Query, Response, status

from credit_explainer.deps import Explainer

router = APIRouter(tags=["population"], dependencies=[needs("model:read")])
# what a comparable group is cut on: contract type, age band, income band
SEGMENTS = {"contract_type": "NAME_CONTRACT_TYPE", "age_years": "AGE_YEARS", "income": "AMT_INCOME_TOTAL"}


@router.get(
    "/v1/population",
    response_model=Population,
    summary="Values of a few features over the reference population, with outcomes",
)
def population(
    explainer: Explainer,
    features: Annotated[list[str], Query(min_length=1, max_length=8, description="model feature names")],
) -> Response:
    known = set(feature_columns())
    unknown = [name for name in features if name not in known]
    if unknown:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"features: not model features: {', '.join(unknown)}"
        )
    reference = explainer.reference
    if reference is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"version {explainer.model.version} has no reference sample")
    population = Population.model_construct(  # thousands of values from the version's own reference sample
        model_version=explainer.model.version,
        rows=reference.height,
        features={name: reference.get_column(name).to_list() for name in dict.fromkeys(features)},
        segments=Segments.model_construct(
            contract_type=reference.get_column(SEGMENTS["contract_type"]).to_list(),
            age_years=reference.get_column(SEGMENTS["age_years"]).to_list(),
            income=reference.get_column(SEGMENTS["income"]).to_list(),
        ),
        outcome=reference.get_column("TARGET").to_list(),
    )
    return Response(population.model_dump_json(), media_type="application/json")
