"""Values read as a credit officer reads them; reasons grouped as the catalogue says."""

from __future__ import annotations

import pytest
from credit_core.catalogue import CATEGORICAL_FEATURES, feature_catalogue, feature_columns
from credit_explainer.explainer import reason_groups
from credit_explainer.readable import readable, reason_sentence


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (-438, "days", "1.2 years"),
        (-15_000, "days", "41.1 years"),
        (12.25, "duration", "12.2 days"),
        (0.1534, "ratio", "15.3 %"),
        (3.456, "multiple", "3.46 x"),
        (1.0, "flag", "yes"),
        (0.0, "flag", "no"),
        (135_000.0, "currency", "135,000"),
        (0.512, "score", "0.51"),
        (9, "hour", "9:00"),
        (3.0, "count", "3"),
        (None, "currency", "not provided"),
        ("Working", "", "Working"),
    ],
)
def test_values_in_their_units(value: object, unit: str, text: str) -> None:
    assert readable(value, unit) == text


def test_reason_sentences() -> None:
    assert (
        reason_sentence("Years in the current job (missing if none)", "1.2 years", "6.1 years", False, True)
        == "Years in the current job: 1.2 years (median 6.1 years) raised the risk"
    )
    assert reason_sentence("Income type", "Pensioner", "Working", True, False) == (
        "Income type: Pensioner (most common Working) lowered the risk"
    )
    assert reason_sentence("Age", "30.0 years", None, False, True) == "Age: 30.0 years raised the risk"


def test_every_feature_has_a_reason_group_and_a_unit() -> None:
    groups = reason_groups()
    assert set(groups) == set(feature_columns())
    # raw fields join the topic of the features built from them when there is only one
    assert groups["EXT_SOURCE_2"] == "External scores"
    assert groups["DAYS_EMPLOYED"] == "Employment"
    assert groups["INST_DAYS_LATE_MEAN"] == "Payment history"
    assert groups["AMT_CREDIT"] == "Credit amount"  # used by affordability and loan-term features alike
    units = {row["name"]: row["unit"] for row in feature_catalogue()}
    assert units["AMT_CREDIT"] == "currency" and units["CREDIT_INCOME_RATIO"] == "multiple"
    assert units["INST_LATE_SHARE"] == "ratio" and units["POS_DPD_MAX"] == "duration"
    without = {name for name, unit in units.items() if not unit}
    assert without == set(CATEGORICAL_FEATURES) | {"REGION_RATING_CLIENT", "REGION_RATING_CLIENT_W_CITY"}  # 1..3
