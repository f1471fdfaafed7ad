"""The explanation of one model version, built once when the version is loaded.

Per applicant: exact SHAP contributions in log-odds (``credit_core.explain``), summed into
*reasons*: engineered features under their topic ("Payment history"), raw application fields
under the topic of the features built from them when there is exactly one (EXT_SOURCE_2 ->
"External scores"), otherwise on their own (AMT_CREDIT). Each reason names its leading feature
with the applicant's value and the population median of the model's reference sample.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from math import exp
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import polars as pl
from credit_core.catalogue import APPLICATION_FEATURES, CATEGORICAL_FEATURES, feature_catalogue, feature_columns
from credit_core.contracts.explanations import Explanation, FeatureContribution, GlobalFeature, Reason
from credit_core.explain import ShapExplainer, global_importance
from credit_core.model_store import LoadedModel
from credit_core.registry import IMPORTANCE_FILE, REFERENCE_FILE

from credit_explainer.readable import readable, reason_sentence

log = logging.getLogger(__name__)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + exp(-x))


def reason_groups() -> dict[str, str]:
    """Model feature -> the reason it is reported under."""
    catalogue = feature_catalogue()
    users: dict[str, set[str]] = defaultdict(set)
    for feature in APPLICATION_FEATURES:
        for raw in feature.fields:
            users[raw].add(feature.group)
    groups = {}
    for row in catalogue:
        if row["group"] != "Application field":
            groups[row["name"]] = row["group"]
        elif len(users[row["name"]]) == 1:
            groups[row["name"]] = next(iter(users[row["name"]]))
        else:
            groups[row["name"]] = row["description"]
    return groups


def _typical_values(reference: pl.DataFrame | None) -> dict[str, Any]:
    """Median of each numeric feature, most common level of each category, over the reference."""
    if reference is None:
        return {}
    typical: dict[str, Any] = {}
    for column in feature_columns():
        if column not in reference.columns:
            continue
        series = reference.get_column(column).drop_nulls()
        if series.is_empty():
            continue
        typical[column] = (
            series.mode().sort()[0] if column in CATEGORICAL_FEATURES else float(cast(float, series.median()))
        )
    return typical


@dataclass
class VersionExplainer:
    model: LoadedModel
    shap: ShapExplainer
    typical: dict[str, Any]
    catalogue: dict[str, dict[str, str]]
    groups: dict[str, str]
    reference: pl.DataFrame | None
    importance_path: Path | None
    _importance: pd.DataFrame | None = None
    _importance_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, model: LoadedModel) -> VersionExplainer:
        reference_path = model.artifacts / REFERENCE_FILE
        reference = pl.read_parquet(reference_path) if reference_path.exists() else None
        if reference is None:
            log.warning("version %s has no reference sample: no medians, importance from gain only", model.version)
        importance_path = model.artifacts / IMPORTANCE_FILE
        return cls(
            model=model,
            shap=ShapExplainer.build(model.compiled, reference),
            typical=_typical_values(reference),
            catalogue={row["name"]: row for row in feature_catalogue()},
            groups=reason_groups(),
            reference=reference,
            importance_path=importance_path if importance_path.exists() else None,
        )

    def _feature(self, name: str, shap_value: float, log_odds: float, values: dict[str, Any]) -> FeatureContribution:
        entry = self.catalogue[name]
        typical = self.typical.get(name)
        value = values.get(name)
        value_text = (
            readable(value, entry["unit"]) if value is not None or entry["table"] == "application" else "no history"
        )
        typical_text = None if typical is None else readable(typical, entry["unit"])
        return FeatureContribution(
            feature=name,
            label=entry["description"],
            group=self.groups[name],
            unit=entry["unit"],
            value=value,
            value_text=value_text,
            median=typical,
            median_text=typical_text,
            shap=shap_value,
            effect=_sigmoid(log_odds) - _sigmoid(log_odds - shap_value),
            reason=reason_sentence(
                entry["description"], value_text, typical_text, name in CATEGORICAL_FEATURES, shap_value > 0
            ),
        )

    def explain(self, applicant_id: int, features: dict[str, Any], top: int) -> Explanation:
        """Reasons towards default and towards repayment, ``top`` of each; the remainder of the
        contributions is reported as ``other`` so that base + reasons + other = log-odds."""
        attribution = self.shap.explain(features)
        by_group: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for name, value in attribution.values.items():
            if value != 0.0:
                by_group[self.groups[name]].append((name, value))
        totals = {group: sum(v for _, v in members) for group, members in by_group.items()}
        up = sorted((g for g, t in totals.items() if t > 0), key=lambda g: -totals[g])[:top]
        down = sorted((g for g, t in totals.items() if t < 0), key=lambda g: totals[g])[:top]
        model = self.model
        return Explanation(
            applicant_id=applicant_id,
            probability=attribution.probability,
            decision=model.compiled.decision(attribution.probability),
            threshold=model.threshold,
            model_name=model.name,
            model_version=model.version,
            base_value=attribution.base,
            base_probability=_sigmoid(attribution.base),
            log_odds=attribution.log_odds,
            towards_default=[self._reason(g, by_group[g], totals[g], attribution.log_odds, features) for g in up],
            towards_repayment=[self._reason(g, by_group[g], totals[g], attribution.log_odds, features) for g in down],
            other=attribution.log_odds - attribution.base - sum(totals[g] for g in up + down),
        )

    def _reason(
        self, group: str, members: list[tuple[str, float]], total: float, log_odds: float, values: dict[str, Any]
    ) -> Reason:
        """One reason: its features by |SHAP|, led by the largest one pulling the same way."""
        members = sorted(members, key=lambda m: abs(m[1]), reverse=True)
        lead = next(m for m in members if (m[1] > 0) == (total > 0))
        detail = self._feature(lead[0], total, log_odds, values)
        alone = len(members) == 1 and self.catalogue[lead[0]]["description"] == group
        return Reason(
            **(dict(detail) | {"group": group, "reason": detail.reason if alone else f"{group} - {detail.reason}"}),
            features=[self._feature(name, value, log_odds, values) for name, value in members],
        )

    def importance(self) -> pd.DataFrame:
        """Global importance, computed once: the training artifact, or SHAP on the reference."""
        with self._importance_lock:
            if self._importance is None:
                if self.importance_path is not None:
                    table = pd.read_csv(self.importance_path)
                    source = "training artifact"
                elif self.reference is not None:
                    table = global_importance(self.model.compiled, self.reference)
                    source = "reference sample"
                else:
                    raise LookupError(f"version {self.model.version} has neither importance nor a reference sample")
                table["source"] = source
                table["group"] = table["feature"].map(self.groups)
                self._importance = table
            return self._importance


def importance_rows(table: pd.DataFrame, top: int) -> list[GlobalFeature]:
    columns = ["feature", "label", "group", "table", "mean_abs_shap", "gain"]
    head = table.head(top)[columns].replace({np.nan: None})
    return [GlobalFeature(**row) for row in head.to_dict(orient="records")]
