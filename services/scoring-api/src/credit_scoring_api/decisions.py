"""Deciding one application: validated request -> features -> compiled model -> the score answered
(with the principal reasons of a refusal) and the decision record logged."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import polars as pl
from credit_core.contracts.decisions import Decision, DecisionRecord, PrincipalReason, RawInput, Score, Source
from credit_core.model_store import LoadedModel
from credit_core.reasons import ReasonFinder
from credit_core.registry import REFERENCE_FILE
from credit_core.scoring import request_features
from fastapi import HTTPException, status

from credit_scoring_api import telemetry
from credit_scoring_api.spool import DecisionSpool, SpoolBrokenError, SpoolFullError

RETRY_AFTER = "5"  # seconds a client is asked to wait when the spool cannot take a decision now


def reason_finder(model: LoadedModel) -> ReasonFinder:
    """What a version needs to give reasons (built once per version, before it is served): a
    version without a reference sample is refused, since its refusals could not be explained."""
    path = model.artifacts / REFERENCE_FILE
    if not path.exists():
        raise ValueError(f"version {model.version} has no reference sample ({REFERENCE_FILE}): no reasons to give")
    return ReasonFinder.build(model.compiled, pl.read_parquet(path))


def judged(features: dict[str, Any], model: LoadedModel) -> tuple[float, Decision, list[PrincipalReason] | None]:
    """Probability, decision and, for a refusal, its principal reasons."""
    row = model.compiled.row(features)
    probability = float(model.compiled.probabilities(row[None, :])[0])
    decision = model.compiled.decision(probability)
    if decision == "granted":
        return probability, decision, None
    finder: ReasonFinder = model.extra
    return probability, decision, [PrincipalReason.model_construct(**r) for r in finder.reasons(row)]


def decide(
    application: dict[str, Any],
    history: dict[str, list[dict[str, Any]]],
    model: LoadedModel,
    source: Source,
    client: str | None,
    on_behalf_of: str | None = None,
) -> tuple[Score, DecisionRecord]:
    """The score of one raw application (and its history rows), and its decision record."""
    started = time.perf_counter()
    _, features = request_features(application, history)
    probability, decision, reasons = judged(features, model)
    telemetry.DECISIONS.labels(decision, model.version).inc()
    record = DecisionRecord.model_construct(  # built from validated parts: no second validation
        request_id=uuid.uuid4().hex,
        scored_at=datetime.now(UTC),
        applicant_id=int(application["SK_ID_CURR"]),
        model_name=model.name,
        model_version=model.version,
        threshold=model.threshold,
        probability=probability,
        decision=decision,
        source=source,
        latency_ms=(time.perf_counter() - started) * 1e3,
        client=client,
        on_behalf_of=on_behalf_of,
        reasons=reasons,
        reason_catalogue=None if reasons is None else model.extra.catalogue.version,
        raw_input=RawInput.model_construct(
            application={k: v for k, v in application.items() if v is not None}, history=history
        ),
        features=features,
    )
    score = Score.model_construct(**{name: getattr(record, name) for name in Score.model_fields})  # its facts
    return score, record


async def recorded(spool: DecisionSpool, payloads: list[bytes]) -> None:
    """Return once these encoded decisions (:func:`encode`) are durably recorded; 503 with
    Retry-After when they cannot be (no decision is answered without its record)."""
    try:
        kept = await spool.record(payloads)
    except (SpoolFullError, SpoolBrokenError) as error:
        telemetry.SPOOL_REFUSED.inc(len(payloads))
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"the decision cannot be recorded now, so it is not given: {error}",
            headers={"Retry-After": RETRY_AFTER},
        ) from error
    if not kept:  # the spool is full and set to fail open (demos only)
        telemetry.SPOOL_UNRECORDED.inc(len(payloads))
