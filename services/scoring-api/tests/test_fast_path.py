"""``POST /v1/scores`` in the ordinary case is served by the fast path alone; every other case
reaches the FastAPI route with its body intact; both ways give the same answer and record."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from credit_scoring_api.fast_path import ScoreFastPath
from support import requests_from_folder, scoring_client, spool_drained

pytestmark = pytest.mark.integration
KEY = {"X-API-Key": "test-key"}


def _call(app: Any, body: bytes, headers: dict[str, str]) -> tuple[int | None, bytes, bytes | None]:
    """One POST /v1/scores through ScoreFastPath in front of an application that only notes what
    reached it: (status the fast path answered, its body, the body the application received)."""
    reached: list[bytes] = []

    async def framework(scope: Any, receive: Any, send: Any) -> None:
        message = await receive()
        reached.append(message["body"])
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    chunks = [body[: len(body) // 2], body[len(body) // 2 :]]  # the body in two messages
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": chunks.pop(0), "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/scores",
        "app": app,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    asyncio.run(ScoreFastPath(framework)(scope, receive, send))
    status = sent[0]["status"]
    return (
        (None if status == 299 else status),
        b"".join(m.get("body", b"") for m in sent[1:]),
        (reached[0] if reached else None),
    )


def test_the_ordinary_case_is_served_by_the_fast_path_and_the_rest_by_the_route(
    registry: str, database: str, synthetic: Path
) -> None:
    request = next(r for r in requests_from_folder(synthetic, 30, with_history=True) if "bureau" in r)
    body = json.dumps(request).encode()
    typed = {"Content-Type": "application/json", "Content-Length": str(len(body))}
    with scoring_client(registry, database) as client:
        status, answer, reached = _call(client.app, body, typed | KEY)
        assert status == 200 and reached is None
        fast = json.loads(answer)
        # to the route: unread when the headers decide (no key, a wrong key, a browser, another
        # type, an announced length over the limit), or the whole body replayed once it was read
        invalid = json.dumps({"application": {**request["application"], "AMT_CREDIT": -1}}).encode()
        unread, replayed = body[: len(body) // 2], invalid
        for headers, sent, first_message in [
            (typed, body, unread),
            (typed | {"X-API-Key": "wrong"}, body, unread),
            (typed | KEY | {"Origin": "https://lender.example"}, body, unread),
            (typed | KEY | {"Content-Type": "text/plain"}, body, unread),
            (typed | KEY | {"Content-Length": str(10**9)}, body, unread),
            (typed | KEY | {"Content-Length": str(len(invalid))}, invalid, replayed),
        ]:
            status, _, reached = _call(client.app, sent, headers)
            assert status is None and reached == first_message, headers
        # the route's answer to the same application (a browser's request goes there), and both recorded
        routed = client.post("/v1/scores", json=request, headers=KEY | {"Origin": "https://lender.example"})
        assert routed.status_code == 200
        spool_drained(client)
    by_route = routed.json()
    assert set(fast) == set(by_route)
    different = {k for k in fast if fast[k] != by_route[k]}
    assert different == {"request_id", "scored_at"}, different
    with sa.create_engine(database).connect() as connection:
        found = connection.execute(
            sa.text("SELECT request_id, probability FROM predictions WHERE request_id IN (:a, :b)"),
            {"a": fast["request_id"], "b": by_route["request_id"]},
        ).all()
    assert len(found) == 2 and {p for _, p in found} == {fast["probability"]}
