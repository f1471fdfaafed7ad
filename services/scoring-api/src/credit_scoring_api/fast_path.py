"""``POST /v1/scores`` in the ordinary case, served without the framework's machinery.

One decision is what a lender's system asks for, hundreds of times a second. Through FastAPI
(its middleware, routing, dependency injection, the response model validated again) a request
cost twice its scoring and recording. This ASGI layer, in front of the routes, serves the
ordinary case itself: a key with the ``score`` scope, a JSON body within the limit that is a valid
``ScoreRequest``, a model loaded, no browser (``Origin``) nor person (``X-On-Behalf-Of``) involved. Every other case goes to the
FastAPI route unchanged, with what was read of the body passed on, so that every refusal (401,
403, 413, 415, 422, 503) is answered by one implementation. Scoring and recording are the route's own
functions (:func:`decide`, :func:`recorded`); a test checks both ways give the same answer.
"""

from __future__ import annotations

import time
from typing import Any

from credit_core.auth import authorise
from credit_core.contracts.applications import ScoreRequest
from credit_core.http import error_response
from fastapi import HTTPException
from pydantic import ValidationError

from credit_scoring_api import telemetry
from credit_scoring_api.decisions import decide, recorded
from credit_scoring_api.prediction_log import encode

PATH = "/v1/scores"
_REQUESTS, _LATENCY = telemetry.HTTP
_LATENCY_OF_PATH = _LATENCY.labels(PATH)


class ScoreFastPath:
    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        headers = dict(scope["headers"])
        key, length = headers.get(b"x-api-key"), headers.get(b"content-length", b"")
        if (
            b"origin" in headers  # CORS is the framework's
            or b"x-on-behalf-of" in headers  # a person named (the dashboard's): checked by the route
            or not headers.get(b"content-type", b"").startswith(b"application/json")
            or not length.isdigit()
            or int(length) > state.settings.max_body_bytes
        ):
            await self.app(scope, receive, send)
            return
        try:
            client = authorise(state.settings, None if key is None else key.decode(errors="replace"), "score")
        except HTTPException:
            await self.app(scope, receive, send)  # refused before the body is read
            return
        started = time.perf_counter()
        body, more = await _read(receive, int(length))
        try:
            if more:
                raise ValueError("a body longer than announced")
            request = ScoreRequest.model_validate_json(body)
            model = state.models.get()
        except (ValidationError, ValueError, RuntimeError):
            await self.app(scope, _replay(body, more, receive), send)
            return
        status = 500  # unless answered below (the framework's outer middleware answers an error)
        try:
            result, record = decide(request.application.model_dump(), request.history(), model, "api", client)
            await recorded(state.spool, [encode(record)])
            await _send(send, result.__pydantic_serializer__.to_json(result))
            status = 200
        except HTTPException as refused:  # the decision could not be recorded: not given
            status = refused.status_code
            response = error_response(refused)
            await response(scope, receive, send)
        finally:
            _REQUESTS.labels(PATH, "POST", str(status)).inc()
            _LATENCY_OF_PATH.observe(time.perf_counter() - started)


async def _read(receive: Any, length: int) -> tuple[bytes, bool]:
    """The body, up to ``length`` bytes; whether more followed."""
    chunks, size, more = [], 0, True
    while more and size <= length:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            break
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks), more


def _replay(body: bytes, more: bool, receive: Any) -> Any:
    """A ``receive`` that gives what was read first, then what the client still sends."""
    pending = [{"type": "http.request", "body": body, "more_body": more}]

    async def replayed() -> Any:
        return pending.pop() if pending else await receive()

    return replayed


async def _send(send: Any, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
