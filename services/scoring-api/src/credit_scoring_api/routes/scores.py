"""Scoring: one application, a JSON batch, or a CSV upload."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import polars as pl
from credit_core.contracts.applications import BatchRequest, ScoreRequest
from credit_core.contracts.decisions import BatchScores, Score
from credit_core.loader import DataValidationError, read_table
from credit_core.schema import APPLICATION_TEST
from fastapi import APIRouter, HTTPException, Request, UploadFile, status
from fastapi.responses import Response

from credit_scoring_api.decisions import decide
from credit_scoring_api.deps import ApiKey, Client, Model, Writer

router = APIRouter(prefix="/v1/scores", tags=["scores"], dependencies=[ApiKey])


@router.post("", response_model=Score, summary="Score one application")
async def score(request: ScoreRequest, model: Model, writer: Writer, client: Client) -> Score:
    result, record = decide(request.application.model_dump(), request.history(), model, "api", client)
    writer.submit(record)
    return result


@router.post("/batch", response_model=BatchScores, summary="Score many applications (JSON)")
async def score_batch(batch: BatchRequest, model: Model, writer: Writer, http: Request, client: Client) -> BatchScores:
    limit = http.app.state.settings.max_batch
    if len(batch.applications) > limit:
        raise HTTPException(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            f"{len(batch.applications)} applications; at most {limit} per batch",
        )
    scores = []
    for item in batch.applications:
        result, record = decide(item.application.model_dump(), item.history(), model, "batch", client)
        writer.submit(record)
        scores.append(result)
    return BatchScores(scores=scores)


@router.post(
    "/batch.csv",
    summary="Score a CSV of applications (application_test layout); returns CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "SK_ID_CURR, probability, decision, threshold, ..."}},
)
async def score_csv(file: UploadFile, model: Model, writer: Writer, http: Request, client: Client) -> Response:
    limit = http.app.state.settings.max_batch
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "application_test.csv"
        path.write_bytes(await file.read())
        try:
            frame, _ = read_table(path, APPLICATION_TEST)
        except DataValidationError as error:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, [str(i) for i in error.issues]) from error
    if frame.height > limit:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, f"{frame.height} rows; at most {limit} per batch")
    rows = []
    for record in frame.to_dicts():
        result, decision = decide(record, {}, model, "batch-csv", client)
        writer.submit(decision)
        rows.append(result.model_dump(mode="json"))
    out = io.BytesIO()
    pl.DataFrame(rows).rename({"applicant_id": "SK_ID_CURR"}).write_csv(out)
    return Response(out.getvalue(), media_type="text/csv")
