"""Deciding one application: validated request -> features -> compiled model -> the score answered
and the decision record logged."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from credit_core.contracts.decisions import DecisionRecord, RawInput, Score, Source
from credit_core.model_store import LoadedModel
from credit_core.scoring import request_features
from fastapi import HTTPException, status

from credit_scoring_api import telemetry
from credit_scoring_api.spool import DecisionSpool, SpoolBrokenError, SpoolFullError

RETRY_AFTER = "5"  # seconds a client is asked to wait when the spool cannot take a decision now


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
    probability = model.compiled.probability_of(features)
    decision = model.compiled.decision(probability)
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
