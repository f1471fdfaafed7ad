"""The retrain loop, on the trainer's side (``credit-trainer retrain``): claim the monitor's oldest
pending request, add the labelled recent decisions to the data the deployment is configured with,
train and register a challenger, promote it only through the promotion rules, and tell the monitor
what happened (the version, promoted or refused and why, or the failure).

Labelled decisions become training applicants: the application as it was sent, its outcome as
TARGET. An applicant already in the training table keeps its own row (its label is there); one
whose history the data already holds (a stored applicant) keeps that history; otherwise the
history sent with the decision is added, less rows that refer to a bureau or previous-application
id the data already uses. A decision without an applicant number gets one above every number in the data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import httpx
import polars as pl
from credit_core.contracts.retrain import LabelledDecision, RetrainRequest, RetrainResult
from credit_core.loader import RawTables, conform
from credit_core.schema import APPLICATION, HISTORY_TABLES

from credit_trainer.config import Settings

SECONDARY_KEYS = ("SK_ID_BUREAU", "SK_ID_PREV")  # the history rows' own ids, unique in the data


def with_labelled(tables: RawTables, decisions: list[LabelledDecision]) -> tuple[RawTables, int]:
    """``tables`` plus the labelled decisions as applicants; how many were added."""
    known = set(tables.application.get_column("SK_ID_CURR").to_list())
    with_history = set()
    for frame in tables.history.values():
        if "SK_ID_CURR" in frame.columns:
            with_history |= set(frame.get_column("SK_ID_CURR").to_list())
    next_id = max([*known, *with_history, 0]) + 1
    rows: list[dict[str, Any]] = []
    history_rows: dict[str, list[dict[str, Any]]] = {name: [] for name in HISTORY_TABLES}
    for decision in decisions:
        applicant = decision.applicant_id
        if applicant is None:
            applicant, next_id = next_id, next_id + 1
        if applicant in known:
            continue
        known.add(applicant)
        rows.append(decision.application | {"SK_ID_CURR": applicant, "TARGET": int(decision.defaulted)})
        if applicant in with_history:
            continue
        for name, sent in decision.history.items():
            if name in history_rows:
                history_rows[name] += [row | {"SK_ID_CURR": applicant} if "SK_ID_CURR" in row else row for row in sent]
    if not rows:
        return tables, 0
    added = conform(pl.DataFrame(rows, infer_schema_length=None), APPLICATION)
    history = dict(tables.history)
    taken = {key: _ids(tables.history, key) for key in SECONDARY_KEYS}
    for name, sent in history_rows.items():
        if not sent or name not in history:
            continue
        frame = conform(pl.DataFrame(sent, infer_schema_length=None), HISTORY_TABLES[name])
        for key in (k for k in SECONDARY_KEYS if k in frame.columns):  # rows of ids the data already has
            frame = frame.filter(~pl.col(key).is_in(list(taken[key])))
        history[name] = pl.concat([history[name], frame.select(history[name].columns)], how="vertical_relaxed")
    application = pl.concat([tables.application, added.select(tables.application.columns)], how="vertical_relaxed")
    return dataclasses.replace(tables, application=application, history=history), len(rows)


def _ids(history: dict[str, pl.DataFrame], key: str) -> set[int]:
    found: set[int] = set()
    for frame in history.values():
        if key in frame.columns:
            found |= set(frame.get_column(key).drop_nulls().to_list())
    return found


class Monitor:
    """The monitor's retrain routes, as the trainer's client (scope ``retrain``)."""

    def __init__(self, url: str, api_key: str, timeout: float = 300):
        self.http = httpx.Client(base_url=url, headers={"X-API-Key": api_key}, timeout=timeout)

    def claim(self) -> RetrainRequest | None:
        answer = self.http.post("/v1/retrain/claim")
        answer.raise_for_status()
        return None if answer.status_code == 204 else RetrainRequest.model_validate(answer.json())

    def labelled(self, request_id: int) -> list[LabelledDecision]:
        answer = self.http.get(f"/v1/retrain/{request_id}/labelled")
        answer.raise_for_status()
        return [LabelledDecision.model_validate(d) for d in answer.json()]

    def report(self, request_id: int, result: RetrainResult) -> RetrainRequest:
        answer = self.http.post(f"/v1/retrain/{request_id}/result", json=result.model_dump())
        answer.raise_for_status()
        return RetrainRequest.model_validate(answer.json())


def retrain_once(
    monitor: Monitor,
    tables: RawTables,
    source: str,
    settings: Settings,
    train: Callable[[RawTables, str], Any],
    progress: Callable[[str], None],
) -> RetrainRequest | None:
    """One pending request done (None when there was none): ``train(tables, source)`` trains,
    registers and promotes through the rules (credit_trainer.workflow.train_and_register)."""
    request = monitor.claim()
    if request is None:
        return None
    progress(f"retrain request {request.id} ({request.trigger}): {'; '.join(request.reasons)[:300]}")
    try:
        if request.model_name != settings.model_name:
            raise ValueError(f"request for {request.model_name!r}, this trainer registers {settings.model_name!r}")
        decisions = monitor.labelled(request.id)
        enlarged, added = with_labelled(tables, decisions)
        progress(f"{added:,} labelled decisions added to the {tables.application.height:,} training applicants")
        outcome = train(enlarged, f"{source} + {added} labelled decisions")
    except Exception as error:  # said to the monitor, then raised: the job fails visibly too
        monitor.report(request.id, RetrainResult(status="failed", outcome=f"{type(error).__name__}: {error}"[:4000]))
        raise
    promotion = outcome.promotion
    result = RetrainResult(
        status="promoted" if promotion is not None and promotion.promoted else "refused",
        trainer_run_id=outcome.registered.run_id,
        challenger_version=str(outcome.registered.version),
        outcome=promotion.reason if promotion is not None else "registered; promotion not run",
    )
    return monitor.report(request.id, result)
