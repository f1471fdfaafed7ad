"""Scoring one application: validated request -> features -> fast path -> score + log row."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from credit_core.scoring import request_features
from credit_core.serving import LoadedModel

from credit_scoring_api import metrics
from credit_scoring_api.schemas import Score


def score_application(
    application: dict[str, Any], history: dict[str, list[dict[str, Any]]], model: LoadedModel, source: str
) -> tuple[Score, dict[str, Any]]:
    """The score of one raw application (and its history rows), and the row for the prediction log."""
    started = time.perf_counter()
    _, features = request_features(application, history)
    probability = model.compiled.probability_of(features)
    decision = model.compiled.decision(probability)
    scored_at = datetime.now(UTC)
    request_id = uuid.uuid4().hex
    score = Score(
        applicant_id=int(application["SK_ID_CURR"]),
        probability=probability,
        decision=decision,  # type: ignore[arg-type]
        threshold=model.threshold,
        model_name=model.name,
        model_version=model.version,
        request_id=request_id,
        scored_at=scored_at,
    )
    metrics.DECISIONS.labels(decision, model.version).inc()
    row = {
        "request_id": request_id,
        "scored_at": scored_at,
        "applicant_id": score.applicant_id,
        "model_name": model.name,
        "model_version": model.version,
        "threshold": model.threshold,
        "probability": probability,
        "decision": decision,
        "source": source,
        "latency_ms": (time.perf_counter() - started) * 1e3,
        "raw_input": {"application": {k: v for k, v in application.items() if v is not None}, "history": history},
        "features": features,
    }
    return score, row
