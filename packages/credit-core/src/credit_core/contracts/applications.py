"""Request models of the HTTP services, generated from the schema: one field per raw column,
typed, closed category sets, plausible ranges, labels as descriptions; unknown fields refused.

The scoring API and the explainer take the same body (an application and its history rows), so
it is declared here once. No postponed annotations: the generated models are used as types.
"""

from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional, TypeAlias

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model

from credit_core.schema import (
    APPLICATION_TEST,
    DAYS_SENTINEL,
    HISTORY_TABLES,
    MISSING_CODES,
    Column,
    Kind,
    Table,
)

STRICT = ConfigDict(extra="forbid")


def _in_range(column: Column) -> AfterValidator:
    def check(value: float | None) -> float | None:
        if value is None or (column.is_days and value == DAYS_SENTINEL):
            return value
        if (column.min is not None and value < column.min) or (column.max is not None and value > column.max):
            raise ValueError(f"{value} is outside the plausible range [{column.min}, {column.max}]")
        return value

    return AfterValidator(check)


def _annotation(column: Column) -> Any:
    if column.kind is Kind.CATEGORY:
        assert column.categories is not None
        return Literal[(*column.categories, *MISSING_CODES)]  # XNA / XAP accepted: they mean "missing"
    base: type = float if column.kind is Kind.FLOAT else int
    return Annotated[base, _in_range(column)]


def _model(table: Table, name: str) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for column in table.columns:
        annotation = _annotation(column)
        description = column.label + (f" ({column.unit.value})" if column.unit else "")
        if column.required and not column.nullable:
            fields[column.name] = (annotation, Field(description=description))
        else:
            fields[column.name] = (Optional[annotation], Field(default=None, description=description))  # noqa: UP045
    return create_model(name, __config__=STRICT, **fields)


HISTORY_MODELS = {
    name: _model(table, "".join(p.title() for p in name.split("_")) + "Row") for name, table in HISTORY_TABLES.items()
}
if TYPE_CHECKING:  # generated at import; for the type checker they are pydantic models
    Application: TypeAlias = BaseModel
    BureauRow: TypeAlias = BaseModel
    BureauBalanceRow: TypeAlias = BaseModel
    PreviousApplicationRow: TypeAlias = BaseModel
    PosCashRow: TypeAlias = BaseModel
    InstalmentRow: TypeAlias = BaseModel
    CreditCardRow: TypeAlias = BaseModel
else:
    Application = _model(APPLICATION_TEST, "Application")
    BureauRow = HISTORY_MODELS["bureau"]
    BureauBalanceRow = HISTORY_MODELS["bureau_balance"]
    PreviousApplicationRow = HISTORY_MODELS["previous_application"]
    PosCashRow = HISTORY_MODELS["POS_CASH_balance"]
    InstalmentRow = HISTORY_MODELS["installments_payments"]
    CreditCardRow = HISTORY_MODELS["credit_card_balance"]

EXAMPLE_APPLICATION: dict[str, Any] = {
    "SK_ID_CURR": 100001,
    "NAME_CONTRACT_TYPE": "Cash loans",
    "CODE_GENDER": "F",
    "FLAG_OWN_CAR": "N",
    "FLAG_OWN_REALTY": "Y",
    "CNT_CHILDREN": 0,
    "AMT_INCOME_TOTAL": 135000.0,
    "AMT_CREDIT": 568800.0,
    "AMT_ANNUITY": 20560.5,
    "AMT_GOODS_PRICE": 450000.0,
    "NAME_INCOME_TYPE": "Working",
    "NAME_EDUCATION_TYPE": "Higher education",
    "DAYS_BIRTH": -19241,
    "DAYS_EMPLOYED": -2329,
    "EXT_SOURCE_2": 0.79,
    "EXT_SOURCE_3": 0.16,
}


# rows per history table in one request, at most: about ten times the most any applicant has in the
# Home Credit data (bureau 116, monthly bureau statuses ~2,000, previous applications 77, POS
# months ~300, instalments ~370, card months ~190); a longer list is refused with 422 naming it
HISTORY_LIMITS = {
    "bureau": 1_000,
    "bureau_balance": 20_000,
    "previous_application": 1_000,
    "POS_CASH_balance": 5_000,
    "installments_payments": 5_000,
    "credit_card_balance": 5_000,
}


def _history(table: str) -> Any:
    limit = HISTORY_LIMITS[table]
    return Field(default=None, max_length=limit, description=f"The applicant's rows of {table} (at most {limit:,})")


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"application": EXAMPLE_APPLICATION}]})

    application: Application
    bureau: list[BureauRow] | None = _history("bureau")
    bureau_balance: list[BureauBalanceRow] | None = _history("bureau_balance")
    previous_application: list[PreviousApplicationRow] | None = _history("previous_application")
    POS_CASH_balance: list[PosCashRow] | None = _history("POS_CASH_balance")
    installments_payments: list[InstalmentRow] | None = _history("installments_payments")
    credit_card_balance: list[CreditCardRow] | None = _history("credit_card_balance")

    def history(self) -> dict[str, list[dict[str, Any]]]:
        return {
            name: [row.model_dump() for row in rows]
            for name in HISTORY_TABLES
            if (rows := getattr(self, name)) is not None and rows
        }


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    applications: list[ScoreRequest] = Field(min_length=1)
