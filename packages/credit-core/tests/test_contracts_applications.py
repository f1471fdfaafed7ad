"""The request models are generated from the credit_core schema."""

from __future__ import annotations

import pytest
from credit_core.contracts.applications import HISTORY_MODELS, Application, ScoreRequest
from credit_core.schema import APPLICATION_TEST, HISTORY_TABLES
from pydantic import ValidationError


def test_one_field_per_raw_column_with_its_label() -> None:
    assert list(Application.model_fields) == APPLICATION_TEST.column_names
    assert Application.model_fields["AMT_INCOME_TOTAL"].description == "Annual income (currency)"
    for name, table in HISTORY_TABLES.items():
        assert list(HISTORY_MODELS[name].model_fields) == table.column_names


def test_required_fields_are_the_schema_ones_and_the_rest_is_optional() -> None:
    required = {name for name, field in Application.model_fields.items() if field.is_required()}
    assert required == {"SK_ID_CURR", "AMT_INCOME_TOTAL", "AMT_CREDIT", "DAYS_BIRTH"}


def test_sentinel_and_missing_codes_are_accepted_as_in_the_files() -> None:
    request = ScoreRequest.model_validate(
        {
            "application": {
                "SK_ID_CURR": 1,
                "AMT_INCOME_TOTAL": 1e5,
                "AMT_CREDIT": 2e5,
                "DAYS_BIRTH": -15000,
                "DAYS_EMPLOYED": 365243,
                "ORGANIZATION_TYPE": "XNA",
            }
        }
    )
    assert request.application.DAYS_EMPLOYED == 365243


@pytest.mark.parametrize(
    ("field", "value"),
    [("DAYS_EMPLOYED", 10), ("CODE_GENDER", "X"), ("CNT_CHILDREN", 2.5), ("EXT_SOURCE_1", 1.5)],
)
def test_out_of_range_or_unknown_values_are_refused(field: str, value: object) -> None:
    application = {"SK_ID_CURR": 1, "AMT_INCOME_TOTAL": 1e5, "AMT_CREDIT": 2e5, "DAYS_BIRTH": -15000, field: value}
    with pytest.raises(ValidationError) as error:
        ScoreRequest.model_validate({"application": application})
    assert error.value.errors()[0]["loc"] == ("application", field)
