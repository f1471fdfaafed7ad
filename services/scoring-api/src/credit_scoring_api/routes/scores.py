"""Scoring: one application, a JSON batch, or a CSV upload. Each decision is durably recorded
before it is answered; batches are parsed and scored off the event loop."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import orjson
import polars as pl
from credit_core.auth import needs
from credit_core.contracts.applications import BatchRequest, ScoreRequest
from credit_core.contracts.decisions import BatchScores, Score
from credit_core.loader import DataValidationError, read_table
from credit_core.model_store import LoadedModel
from credit_core.schema import APPLICATION_TEST
from fastapi import APIRouter, HTTPException, Request, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError

from credit_scoring_api.decisions import decide, recorded
from credit_scoring_api.deps import Model, OnBehalfOf, Scorer, Spool
from credit_scoring_api.prediction_log import encode

router = APIRouter(prefix="/v1/scores", tags=["scores"], dependencies=[needs("score")])  # first: 401/403 before 503


@router.post("", response_model=Score, summary="Score one application")
async def score(request: ScoreRequest, model: Model, spool: Spool, client: Scorer, person: OnBehalfOf) -> Score:
    result, record = decide(request.application.model_dump(), request.history(), model, "api", client, person)
    await recorded(spool, [encode(record)])
    return result


def _too_many(count: int, limit: int, what: str) -> HTTPException:
    return HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"{count} {what}; at most {limit} per batch")


def _applications(body: bytes, limit: int) -> list[ScoreRequest]:
    """A JSON batch, validated one application at a time: between two, other threads (the event
    loop) get the interpreter, where one validation of the whole body would hold it for a second."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body",), "msg": str(error)}]) from error
    items = parsed.get("applications") if isinstance(parsed, dict) else None
    if isinstance(items, list) and len(items) > limit:
        raise _too_many(len(items), limit, "applications")
    if not isinstance(items, list) or not items or set(parsed) != {"applications"}:
        try:  # the shape is wrong: the contract says how
            BatchRequest.model_validate(parsed)
        except ValidationError as error:
            raise RequestValidationError(error.errors(include_url=False)) from error
    assert isinstance(items, list)  # what the contract let through
    applications, problems = [], []
    for i, item in enumerate(items):
        try:
            applications.append(ScoreRequest.model_validate(item))
        except ValidationError as error:
            problems += [p | {"loc": ("applications", i, *p["loc"])} for p in error.errors(include_url=False)]
    if problems:
        raise RequestValidationError(problems)
    return applications


def _score_batch(
    body: bytes, model: LoadedModel, limit: int, client: str | None, person: str | None
) -> tuple[bytes, list[bytes]]:
    """The answer and the encoded records of a JSON batch."""
    decided = [
        decide(i.application.model_dump(), i.history(), model, "batch", client, person)
        for i in _applications(body, limit)
    ]
    answer = BatchScores.model_construct(scores=[score for score, _ in decided]).model_dump_json().encode()
    return answer, [encode(record) for _, record in decided]


@router.post(
    "/batch",
    response_model=BatchScores,
    summary="Score many applications (JSON)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchRequest"}}},
        }
    },
)
async def score_batch(http: Request, model: Model, spool: Spool, client: Scorer, person: OnBehalfOf) -> Response:
    # parsed and scored in a worker thread: a thousand applications must not hold the event loop
    body = await http.body()
    limit = http.app.state.settings.max_batch
    answer, payloads = await run_in_threadpool(_score_batch, body, model, limit, client, person)
    await recorded(spool, payloads)
    return Response(answer, media_type="application/json")


def _copy_counting_lines(source: Any, target: Path, limit: int) -> None:
    """The upload to a file, refused as soon as it holds more than ``limit`` rows (+ the header)."""
    lines = 0
    with target.open("wb") as out:
        while chunk := source.read(1 << 20):
            lines += chunk.count(b"\n")
            if lines > limit + 1:
                raise _too_many(lines - 1, limit, "rows or more")
            out.write(chunk)


def _score_csv(
    file: UploadFile, model: LoadedModel, limit: int, client: str | None, person: str | None
) -> tuple[bytes, list[bytes]]:
    """The scored CSV and the encoded records of an upload."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "application_test.csv"
        _copy_counting_lines(file.file, path, limit)
        try:
            frame, _ = read_table(path, APPLICATION_TEST)
        except DataValidationError as error:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [str(i) for i in error.issues]) from error
    if frame.height > limit:
        raise _too_many(frame.height, limit, "rows")
    decided = [decide(record, {}, model, "batch-csv", client, person) for record in frame.to_dicts()]
    out = io.BytesIO()
    rows = [orjson.loads(score.model_dump_json()) for score, _ in decided]
    for row in rows:  # a cell of text: the codes, largest first ("R01;R02"), empty when granted
        row["reasons"] = ";".join(r["code"] for r in row["reasons"] or [])
    scores = pl.DataFrame(rows)
    scores.rename({"applicant_id": "SK_ID_CURR"}).write_csv(out)
    return out.getvalue(), [encode(record) for _, record in decided]


@router.post(
    "/batch.csv",
    summary="Score a CSV of applications (application_test layout); returns CSV",
    response_class=Response,
    responses={
        200: {
            "content": {"text/csv": {}},
            "description": "SK_ID_CURR, probability, decision, threshold, ..., reasons (codes: R01;R02)",
        }
    },
)
async def score_csv(
    file: UploadFile, model: Model, spool: Spool, http: Request, client: Scorer, person: OnBehalfOf
) -> Response:
    limit = http.app.state.settings.max_batch
    answer, payloads = await run_in_threadpool(_score_csv, file, model, limit, client, person)
    await recorded(spool, payloads)
    return Response(answer, media_type="text/csv")
