"""A new application, in a form generated from ``credit_core``'s schema: one input per field with
its label and unit, allowed values as choices, the example application's values as defaults, and
each field checked as it is typed by the same rules the scoring API applies (plus two consistency
rules between fields)."""

from __future__ import annotations

from typing import Any

import streamlit as st
from credit_core.catalogue import YEAR_DAYS
from credit_core.contracts.applications import EXAMPLE_APPLICATION, Application
from credit_core.schema import APPLICATION_TEST, Column, Kind, Unit
from pydantic import ValidationError

from credit_ui.i18n import number, t
from credit_ui.labels import label

# shown first; every other field of the schema is under "more fields"
ESSENTIAL = (
    "SK_ID_CURR", "NAME_CONTRACT_TYPE", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "AMT_INCOME_TOTAL",
    "NAME_INCOME_TYPE", "DAYS_EMPLOYED", "OCCUPATION_TYPE", "ORGANIZATION_TYPE", "DAYS_BIRTH", "CODE_GENDER",
    "NAME_FAMILY_STATUS", "CNT_CHILDREN", "CNT_FAM_MEMBERS", "NAME_EDUCATION_TYPE", "NAME_HOUSING_TYPE",
    "FLAG_OWN_REALTY", "FLAG_OWN_CAR", "EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3",
)  # fmt: skip
COLUMNS = {c.name: c for c in APPLICATION_TEST.columns}
EMPTY = "—"


def _unit_suffix(column: Column, language: str) -> str:
    if column.unit == Unit.DAYS:
        return f" ({t('years_ago', language)})"
    if column.unit == Unit.CURRENCY:
        return f" ({t('currency', language)})"
    if column.unit == Unit.RATIO:
        return " (0–1)"
    return ""


def _input(column: Column, language: str, default: Any) -> Any:
    """One field's widget; returns the value in the schema's own unit (days, not years)."""
    name, text = column.name, label(column.name, language) + _unit_suffix(column, language)
    key = f"form_{name}"
    required = column.required and not column.nullable
    if column.kind in (Kind.CATEGORY, Kind.FLAG):
        choices: list[Any] = list(column.categories) if column.kind is Kind.CATEGORY else [1, 0]  # type: ignore[arg-type]
        options = choices if required else [None, *choices]
        index = options.index(default) if default in options else 0
        yes_no = {1: t("yes", language), 0: t("no", language), None: EMPTY}
        return st.selectbox(
            text, options, index=index, key=key,
            format_func=lambda v: yes_no[v] if column.kind is Kind.FLAG else (EMPTY if v is None else str(v)),
        )  # fmt: skip
    if column.unit == Unit.DAYS:  # typed in years; stored as days before the application (negative)
        years = None if default is None else round(abs(default) / YEAR_DAYS, 1)
        value = st.number_input(text, value=years, step=0.5, format="%.1f", key=key)
        return None if value is None else -round(value * YEAR_DAYS)
    integer = column.kind in (Kind.INT, Kind.ID)
    step: float = 1 if integer else (0.01 if column.unit in (Unit.SCORE, Unit.RATIO) else 100.0)
    value = st.number_input(
        text,
        value=None if default is None else (int(default) if integer else float(default)),
        step=step,
        format="%d" if integer else ("%.2f" if step == 0.01 else "%.0f"),
        key=key,
    )
    return None if value is None else (int(value) if integer else float(value))


def _bound(value: float | None, language: str) -> str:
    decimals = 0 if value is None or float(value).is_integer() else min(4, len(repr(round(value, 4)).split(".")[1]))
    return number(value, language, decimals)


def problems(values: dict[str, Any], language: str) -> dict[str, str]:
    """Field -> what is wrong with it: the scoring API's own validation (``credit_core.contracts.applications``)
    and two consistency rules between fields."""
    found: dict[str, str] = {}
    try:
        Application.model_validate(values)
    except ValidationError as error:
        for entry in error.errors():
            field = str(entry["loc"][0]) if entry["loc"] else "application"
            if entry["type"] == "missing":
                found[field] = t("field_required", language)
            elif "range" in entry["msg"]:
                column = COLUMNS[field]
                low, high = column.min, column.max
                if column.unit == Unit.DAYS and low is not None and high is not None:
                    low, high = round(abs(high) / YEAR_DAYS, 1), round(abs(low) / YEAR_DAYS, 1)
                found[field] = t("field_range", language, low=_bound(low, language), high=_bound(high, language))
            else:
                found[field] = entry["msg"]
    credit, annuity = values.get("AMT_CREDIT"), values.get("AMT_ANNUITY")
    if credit and annuity and annuity > credit:
        found.setdefault("AMT_ANNUITY", t("annuity_above_credit", language))
    children, family = values.get("CNT_CHILDREN"), values.get("CNT_FAM_MEMBERS")
    if children is not None and family is not None and family < children + 1:
        found.setdefault("CNT_FAM_MEMBERS", t("family_too_small", language))
    return found


def application_form(language: str) -> dict[str, Any] | None:
    """The application typed in, once every field is valid and the officer asks for the score."""
    st.caption(t("form_help", language))
    values: dict[str, Any] = {}
    slots = {}
    layout = st.columns(3)
    for i, name in enumerate(ESSENTIAL):
        with layout[i % 3]:
            values[name] = _input(COLUMNS[name], language, EXAMPLE_APPLICATION.get(name))
            slots[name] = st.empty()
    with st.expander(t("more_fields", language)):
        layout = st.columns(3)
        others = [c for c in APPLICATION_TEST.columns if c.name not in ESSENTIAL]
        for i, column in enumerate(others):
            with layout[i % 3]:
                values[column.name] = _input(column, language, EXAMPLE_APPLICATION.get(column.name))
                slots[column.name] = st.empty()
    found = problems(values, language)
    for field, message in found.items():
        slots[field].error(t("field_problem", language, label=label(field, language), message=message), icon="⚠")
    if found:
        st.warning(t("form_fix", language, count=len(found)))
    if st.button(t("score_application", language), key="score_application", disabled=bool(found), type="primary"):
        return {k: v for k, v in values.items() if v is not None}
    return None
