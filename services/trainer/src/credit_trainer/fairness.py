"""How a model treats groups of applicants on the hold-out, with fairlearn's ``MetricFrame``: by
gender, age band and family status, the approval rate, the default rate among the granted, the
false-refusal rate (good payers refused), the missed-default rate (defaulters granted) and the cost
per 1,000; per attribute the demographic-parity ratio (lowest approval rate / highest) and the
equalized-odds difference. Groups smaller than ``MIN_GROUP`` are shown but left out of the
ratios: four applicants of unknown gender say nothing about a model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import polars as pl
from credit_core.contracts.model_card import FairnessGroup, FairnessSummary
from credit_core.costs import business_cost, per_1000
from credit_core.segments import age_band
from fairlearn.metrics import MetricFrame, demographic_parity_ratio, equalized_odds_difference

MIN_GROUP = 50
ATTRIBUTES = ("gender", "age band", "family status")


def groups(application: pl.DataFrame) -> dict[str, np.ndarray]:
    """Each applicant's group for every attribute, in the order of ``application``."""
    gender = application.get_column("CODE_GENDER").cast(pl.Utf8).fill_null("unknown")
    family = application.get_column("NAME_FAMILY_STATUS").cast(pl.Utf8).fill_null("unknown")
    return {
        "gender": gender.replace({"XNA": "unknown"}).to_numpy().astype(object),
        "age band": age_band(application),
        "family status": family.to_numpy().astype(object),
    }


def _rate(numerator: np.ndarray, denominator: np.ndarray) -> float:
    return float(numerator.sum() / denominator.sum()) if denominator.sum() else float("nan")


def _approval_rate(y: np.ndarray, refused: np.ndarray) -> float:
    return float(1 - np.mean(refused))


def _default_rate_granted(y: np.ndarray, refused: np.ndarray) -> float:
    return _rate((y == 1) & (refused == 0), refused == 0)


def _false_refusal_rate(y: np.ndarray, refused: np.ndarray) -> float:
    return _rate((y == 0) & (refused == 1), y == 0)


def _missed_default_rate(y: np.ndarray, refused: np.ndarray) -> float:
    return _rate((y == 1) & (refused == 0), y == 1)


def _cost_per_1000(y: np.ndarray, refused: np.ndarray) -> float:
    return per_1000(business_cost(y, refused), len(y))


METRICS = {
    "approval_rate": _approval_rate,
    "default_rate_granted": _default_rate_granted,
    "false_refusal_rate": _false_refusal_rate,
    "missed_default_rate": _missed_default_rate,
    "cost_per_1000": _cost_per_1000,
    "applicants": lambda y, refused: len(y),
}


@dataclass(frozen=True)
class FairnessReport:
    table: pd.DataFrame  # attribute, group, applicants and the metrics
    summary: list[FairnessSummary]

    @property
    def groups(self) -> list[FairnessGroup]:
        rows = self.table.astype(object).where(self.table.notna(), None).to_dict(orient="records")
        return [FairnessGroup(**row) for row in rows]


def fairness_report(y_true: np.ndarray, refused: np.ndarray, by: dict[str, np.ndarray]) -> FairnessReport:
    y = np.asarray(y_true).astype(int)
    r = np.asarray(refused).astype(int)
    tables, summary = [], []
    for attribute, values in by.items():
        frame = MetricFrame(metrics=METRICS, y_true=y, y_pred=r, sensitive_features=pd.Series(values, name="group"))
        table = frame.by_group.reset_index()
        table.insert(0, "attribute", attribute)
        tables.append(table)
        large = np.isin(values, table.loc[table["applicants"] >= MIN_GROUP, "group"].to_numpy())
        compared = sorted(set(values[large]))
        if len(compared) < 2:  # nothing to compare
            summary.append(FairnessSummary(attribute=attribute, groups_compared=len(compared)))
            continue
        approval = table.set_index("group").loc[compared, "approval_rate"]
        summary.append(
            FairnessSummary(
                attribute=attribute,
                groups_compared=len(compared),
                # of approvals (granted = 1): the lowest approval rate over the highest
                demographic_parity_ratio=float(
                    demographic_parity_ratio(y[large], 1 - r[large], sensitive_features=values[large])
                ),
                lowest_approval_group=str(approval.idxmin()),
                highest_approval_group=str(approval.idxmax()),
                equalized_odds_difference=float(
                    equalized_odds_difference(y[large], r[large], sensitive_features=values[large])
                ),
            )
        )
    table = pd.concat(tables, ignore_index=True)
    table["applicants"] = table["applicants"].astype(int)
    return FairnessReport(table, summary)
