"""Counter-offers for a refused applicant: a smaller loan, or one change that flips the decision.

The amount search scores every amount from 100 % down to 10 % of the request in steps of 0.5 %
(rounded down to 100, the annuity scaled with it: same term), as one matrix through the model, and
offers the largest amount that is granted. History aggregates are computed once; only the application features are
recomputed per amount (``credit_core.features.with_application``). The goods price is left as
asked: a smaller loan for the same goods means a larger down payment.
"""

from __future__ import annotations

from math import floor
from typing import Any

import numpy as np
from credit_core.contracts.explanations import CounterOffer
from credit_core.features import with_application
from credit_core.model_store import LoadedModel

AMOUNT_SHARES = np.round(np.arange(1000, 99, -5) / 1000, 3)  # 100 % .. 10 %, step 0.5 %
# levers tried on their own: field, label, multipliers of the current value (nearest first), why
LEVERS = (
    ("AMT_ANNUITY", "Loan annuity", np.round(np.arange(0.95, 0.49, -0.05), 2), "a longer term lowers the annuity"),
    (
        "AMT_INCOME_TOTAL",
        "Annual income",
        np.round(np.arange(1.05, 3.01, 0.05), 2),
        "documented extra income or a co-borrower",
    ),
)


def _probabilities(model: LoadedModel, features: dict[str, Any], records: list[dict[str, Any]]) -> np.ndarray:
    rows = np.vstack([model.compiled.row(with_application(features, record)) for record in records])
    return model.compiled.probabilities(rows)


def counter_offer(
    model: LoadedModel, applicant_id: int, record: dict[str, Any], features: dict[str, Any]
) -> CounterOffer:
    """``record``: the cleaned application; ``features``: its features (with history)."""
    compiled = model.compiled
    probability = compiled.probability_of(features)
    requested = {
        "amount": record.get("AMT_CREDIT"),
        "annuity": record.get("AMT_ANNUITY"),
        "probability": probability,
        "decision": compiled.decision(probability),
    }
    result: dict[str, Any] = {
        "applicant_id": applicant_id,
        "model_name": model.name,
        "model_version": model.version,
        "threshold": model.threshold,
        "requested": requested,
        "offer": None,
        "levers": [],
    }
    if requested["decision"] == "granted":
        return CounterOffer(**result, status="granted", message="Granted as requested: no counter-offer needed.")

    amount, annuity = float(record["AMT_CREDIT"]), record.get("AMT_ANNUITY")
    step = 100.0 if amount >= 10_000 else 1.0  # offers in round amounts, scored exactly as offered
    amounts = sorted({floor(amount * share / step) * step for share in AMOUNT_SHARES} - {0.0}, reverse=True)
    offers = [
        record | {"AMT_CREDIT": a, "AMT_ANNUITY": None if annuity is None else round(annuity * a / amount, 2)}
        for a in amounts
    ]
    probabilities = _probabilities(model, features, offers)
    granted = np.flatnonzero(probabilities < model.threshold)
    if len(granted):
        best = int(granted[0])  # amounts run downwards: the first granted is the largest
        result["offer"] = {
            "amount": offers[best]["AMT_CREDIT"],
            "annuity": offers[best]["AMT_ANNUITY"],
            "share_of_requested": round(offers[best]["AMT_CREDIT"] / amount, 4),
            "probability": float(probabilities[best]),
            "decision": "granted",
        }
    for field, label, multipliers, note in LEVERS:
        current = record.get(field)
        if current is None or current <= 0:
            continue
        tried = [record | {field: round(current * m, 2)} for m in multipliers]
        lever_probabilities = _probabilities(model, features, tried)
        flips = np.flatnonzero(lever_probabilities < model.threshold)
        lever: dict[str, Any] = {"field": field, "label": label, "current": current, "note": note, "flips": False}
        if len(flips):
            first = int(flips[0])
            lever |= {
                "flips": True,
                "needed": tried[first][field],
                "change": round(float(multipliers[first]) - 1.0, 4),
                "probability": float(lever_probabilities[first]),
            }
        result["levers"].append(lever)
    if result["offer"] is None:
        message = "No amount between 10 % and 100 % of the request is granted."
        return CounterOffer(**result, status="none", message=message)
    offer = result["offer"]
    message = (
        f"Refused as requested; {offer['amount']:,.0f} ({offer['share_of_requested']:.1%} of the request)"
        f" would be granted at probability {offer['probability']:.1%}."
    )
    return CounterOffer(**result, status="counter-offer", message=message)
