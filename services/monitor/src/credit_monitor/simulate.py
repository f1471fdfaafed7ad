"""Simulated traffic for demos, tests and ops drills: applicants of a data folder sent to the
scoring API, with a named drift scenario applied to their applications.

Each scenario says which raw fields it shifts, so that a drift run can be checked against it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

Record = dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    description: str
    shifts: tuple[str, ...]  # raw application fields it changes
    apply: Callable[[Record, random.Random], Record]


def _scale(record: Record, fields: tuple[str, ...], factor: float, low: float, high: float) -> Record:
    out = dict(record)
    for field in fields:
        if out.get(field) is not None:
            out[field] = min(max(out[field] * factor, low), high)
    return out


def _product_mix(record: Record, rng: random.Random) -> Record:
    if rng.random() >= 0.7:
        return record
    out = dict(record) | {"NAME_CONTRACT_TYPE": "Revolving loans"}
    for field in ("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"):
        if out.get(field) is not None:
            out[field] = round(out[field] * 0.25, 2)
    return out


SCENARIOS: dict[str, Scenario] = {
    "none": Scenario("applicants as they come", (), lambda r, rng: r),
    "income-inflation": Scenario(
        "declared incomes 60 % higher (a new channel that overstates income)",
        ("AMT_INCOME_TOTAL",),
        lambda r, rng: _scale(r, ("AMT_INCOME_TOTAL",), 1.6, 0, 1.9e8),
    ),
    "ext-source-shift": Scenario(
        "external scores 40 % lower (the bureau changed its scale)",
        ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"),
        lambda r, rng: _scale(r, ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"), 0.6, 0, 1),
    ),
    "new-product-mix": Scenario(
        "70 % revolving loans of a quarter of the usual amount (a card campaign)",
        ("NAME_CONTRACT_TYPE", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"),
        _product_mix,
    ),
    "younger-applicants": Scenario(
        "applicants aged 21 to 30 (a student campaign)",
        ("DAYS_BIRTH",),
        lambda r, rng: dict(r) | {"DAYS_BIRTH": -rng.randint(21 * 365, 30 * 365)},
    ),
    "weekend-only": Scenario(
        "every application on a Saturday: one minor field moves, nothing that matters",
        ("WEEKDAY_APPR_PROCESS_START",),
        lambda r, rng: dict(r) | {"WEEKDAY_APPR_PROCESS_START": "SATURDAY"},
    ),
}


def scenario_bodies(bodies: list[dict[str, Any]], n: int, scenario: str, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` request bodies drawn from ``bodies`` (with replacement when n is larger), the
    scenario applied to each application."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; choose from {', '.join(SCENARIOS)}")
    rng = random.Random(seed)  # noqa: S311 (simulated traffic, reproducible by seed: nothing secret)
    picked = rng.sample(bodies, n) if n <= len(bodies) else [rng.choice(bodies) for _ in range(n)]
    apply = SCENARIOS[scenario].apply
    return [body | {"application": apply(body["application"], rng)} for body in picked]


def send(
    api_url: str, bodies: list[dict[str, Any]], api_key: str = "", progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """POST each body to ``/v1/scores``; counts of granted, refused and failed."""
    counts = {"granted": 0, "refused": 0, "failed": 0}
    headers = {"X-API-Key": api_key} if api_key else {}
    with httpx.Client(base_url=api_url, headers=headers, timeout=30) as client:
        for i, body in enumerate(bodies, 1):
            response = client.post("/v1/scores", json=body)
            if response.status_code == 200:
                counts[response.json()["decision"]] += 1
            else:
                counts["failed"] += 1
            if progress and (i % 500 == 0 or i == len(bodies)):
                progress(i, len(bodies))
    return counts
