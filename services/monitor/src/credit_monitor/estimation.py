"""Performance before outcomes: what a window's calibrated probabilities imply for its default
rate, its cost per 1,000 at the version's threshold and its AUC (confidence-based performance
estimation, CBPE, as NannyML calls it; NannyML 0.13 pins lightgbm < 4.6 and plotly < 6, so it
cannot be installed beside this stack, and the method is short).

If the probability p of each applicant is right, the applicant defaults with probability p, so:
expected default rate = mean p; expected cost = 10 * (sum of p over the granted) + (sum of 1 - p
over the refused), per 1,000; expected AUC = the AUC with each applicant counted as a defaulter
with weight p and as a repayer with weight 1 - p. The range is where the realised figure falls 95
times in 100 when outcomes are drawn from those probabilities (``DRAWS`` draws).

What it cannot see: a change in how inputs relate to default (concept drift: the same applicants
defaulting more). The probabilities do not move, so neither does the estimate; realised
performance, once outcomes arrive, falls outside the range, and the run says so.
"""

from __future__ import annotations

import numpy as np
from credit_core.contracts.drift import Estimate, EstimatedPerformance
from credit_core.contracts.model_card import HoldoutMetrics
from credit_core.uncertainty import weighted_auc, weighted_cost_per_1000
from scipy.stats import rankdata

DRAWS = 400
_CHUNK = 25  # draws made at once (memory: chunk x 2 x rows floats)


def _range(values: np.ndarray) -> tuple[float | None, float | None]:
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None, None
    low, high = np.quantile(values, [0.025, 0.975])
    return float(low), float(high)


def estimate(
    probability: np.ndarray, refused: np.ndarray, holdout: HoldoutMetrics | None, seed: int = 0
) -> EstimatedPerformance | None:
    """The expected default rate, cost per 1,000 and AUC of these decisions, with their ranges;
    None without rows. Seeded: the same window, the same figures."""
    p = np.asarray(probability, dtype=float)
    refused = np.asarray(refused, dtype=bool)
    n = len(p)
    if n == 0:
        return None
    # each applicant counted as a defaulter with weight p and as a repayer with weight 1 - p
    doubled_y, doubled_p, doubled_refused = (
        np.r_[np.ones(n, bool), np.zeros(n, bool)],
        np.r_[p, p],
        np.r_[refused, refused],
    )
    expected = np.r_[p, 1 - p]
    cost = float(weighted_cost_per_1000(doubled_y, doubled_refused, expected)[0])
    auc = float(weighted_auc(doubled_y, doubled_p, expected)[0])

    ranks = rankdata(p)
    rng = np.random.default_rng(seed)
    rates, costs, aucs = [], [], []
    for first in range(0, DRAWS, _CHUNK):
        defaulted = rng.random((min(_CHUNK, DRAWS - first), n)) < p
        rates.append(defaulted.mean(axis=1))
        costs.append(
            weighted_cost_per_1000(doubled_y, doubled_refused, np.hstack([defaulted, ~defaulted]).astype(float))
        )
        positives = defaulted.sum(axis=1)  # Mann-Whitney on mid-ranks: ties count one half
        pairs = defaulted @ ranks - positives * (positives + 1) / 2
        with np.errstate(divide="ignore", invalid="ignore"):
            aucs.append(pairs / (positives * (n - positives)))
    rate_range, cost_range, auc_range = (_range(np.concatenate(v)) for v in (rates, costs, aucs))
    return EstimatedPerformance(
        rows=n,
        default_rate=Estimate(value=float(p.mean()), low=rate_range[0], high=rate_range[1]),
        cost_per_1000=Estimate(value=cost, low=cost_range[0], high=cost_range[1]),
        auc=Estimate(value=auc, low=auc_range[0], high=auc_range[1]),
        holdout_cost_per_1000=holdout.cost_per_1000 if holdout else None,
        holdout_auc=holdout.auc if holdout else None,
    )
