"""The retrain loop, on the monitor's side: requests (made by a drift run that recommends
retraining when ``MONITOR_RETRAIN_ON_RECOMMENDATION`` is on, or by ops), claimed by the trainer
(``credit-trainer retrain``: a compose service, a scheduled Container Apps job), which reads the
labelled recent decisions, trains, registers a challenger and reports whether the promotion rules
let it replace the champion. One request open (pending or running) per model at a time."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from credit_core.contracts.decisions import DecisionRecord, OutcomeRecord
from credit_core.contracts.retrain import LabelledDecision, RetrainRequest, RetrainResult

from credit_monitor.db import _reflected, retrain_requests

log = logging.getLogger(__name__)

OPEN = ("pending", "running")


class RetrainConflictError(Exception):
    """A request the state does not allow (one already open, a result for a request not running)."""


def _request(row: Any) -> RetrainRequest:
    return RetrainRequest.model_validate(dict(row))


def ask(
    engine: sa.Engine,
    *,
    trigger: str,
    requested_by: str,
    model_name: str,
    champion_version: str | None,
    reasons: list[str],
    run_id: int | None = None,
) -> RetrainRequest:
    """A new pending request; RetrainConflictError when one is open for the model already."""
    table = retrain_requests
    with engine.begin() as connection:
        open_one = connection.execute(
            sa.select(table.c.id).where(table.c.model_name == model_name, table.c.status.in_(OPEN))
        ).first()
        if open_one is not None:
            raise RetrainConflictError(f"retrain request {open_one.id} of {model_name} is still open")
        row = connection.execute(
            sa.insert(table)
            .values(
                requested_at=datetime.now(UTC),
                trigger=trigger,
                run_id=run_id,
                requested_by=requested_by,
                model_name=model_name,
                champion_version=champion_version,
                reasons=reasons,
                status="pending",
            )
            .returning(*table.c)
        ).one()
    return _request(row._mapping)


def claim(engine: sa.Engine, client: str) -> RetrainRequest | None:
    """The oldest pending request, now running and the client's; None when there is none. Two
    trainers never get the same one (a row lock on Postgres, skipped by the other)."""
    table = retrain_requests
    oldest = sa.select(table.c.id).where(table.c.status == "pending").order_by(table.c.id).limit(1)
    if engine.dialect.name == "postgresql":
        oldest = oldest.with_for_update(skip_locked=True)
    with engine.begin() as connection:
        found = connection.execute(oldest).first()
        if found is None:
            return None
        row = connection.execute(
            sa.update(table)
            .where(table.c.id == found.id, table.c.status == "pending")
            .values(status="running", claimed_at=datetime.now(UTC), claimed_by=client)
            .returning(*table.c)
        ).one()
    return _request(row._mapping)


def finish(engine: sa.Engine, request_id: int, result: RetrainResult) -> RetrainRequest:
    """Record what the trainer did; LookupError for an unknown request, RetrainConflictError for
    one that is not running."""
    table = retrain_requests
    with engine.begin() as connection:
        current = connection.execute(sa.select(table.c.status).where(table.c.id == request_id)).first()
        if current is None:
            raise LookupError(f"no retrain request {request_id}")
        if current.status != "running":
            raise RetrainConflictError(f"retrain request {request_id} is {current.status}, not running")
        row = connection.execute(
            sa.update(table)
            .where(table.c.id == request_id)
            .values(finished_at=datetime.now(UTC), **result.model_dump())
            .returning(*table.c)
        ).one()
    done = _request(row._mapping)
    log.info("retrain request %s: %s, version %s: %s", request_id, done.status, done.challenger_version, done.outcome)
    return done


def get(engine: sa.Engine, request_id: int) -> RetrainRequest | None:
    with engine.connect() as connection:
        row = connection.execute(sa.select(retrain_requests).where(retrain_requests.c.id == request_id)).first()
    return None if row is None else _request(row._mapping)


def recent(engine: sa.Engine, limit: int) -> list[RetrainRequest]:
    query = sa.select(retrain_requests).order_by(retrain_requests.c.id.desc()).limit(limit)
    with engine.connect() as connection:
        return [_request(r._mapping) for r in connection.execute(query)]


def labelled(engine: sa.Engine, model_name: str, limit: int) -> list[LabelledDecision]:
    """The most recent decisions of the model with a recorded outcome and their inputs (erased
    ones have none and are left out), newest first."""
    predictions = _reflected(engine, "predictions", DecisionRecord)
    outcomes = _reflected(engine, "outcomes", OutcomeRecord)
    query = (
        sa.select(
            predictions.c.request_id,
            predictions.c.applicant_id,
            predictions.c.scored_at,
            predictions.c.raw_input,
            outcomes.c.defaulted,
        )
        .join(outcomes, outcomes.c.request_id == predictions.c.request_id)
        .where(predictions.c.model_name == model_name, predictions.c.raw_input.is_not(None))
        .order_by(predictions.c.scored_at.desc())
        .limit(limit)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    return [
        LabelledDecision(
            request_id=row["request_id"],
            applicant_id=row["applicant_id"],
            scored_at=row["scored_at"],
            defaulted=bool(row["defaulted"]),
            application=row["raw_input"]["application"],
            history=row["raw_input"].get("history", {}),
        )
        for row in rows
    ]
