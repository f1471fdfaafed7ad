"""Feature engineering: raw Home Credit tables -> one row per ``SK_ID_CURR``.

:func:`build_features` serves a 300 k-applicant batch (lazy frames, e.g. from
:func:`loader.scan_tables`) as well as small eager frames, and returns the same kind.
:func:`applicant_features` is the request path for one applicant: the same feature declarations,
evaluated on plain floats where no frame is needed. Every engineered column is declared once below
with a description, the raw fields it comes from and a reader-facing group; the feature catalogue
is generated from these declarations, so names and documentation cannot drift apart.

Rules: a division by zero gives a missing value, never inf; counts over an absent history are 0
and a ``*_NO_HISTORY`` flag says the table had no row for the applicant; the output keeps the
order of the application rows.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from math import isnan
from typing import Any, TypeVar

import polars as pl

from credit_core.schema import APPLICATION, BUILDING_MEASURES, BUILDING_STATS, Kind, Unit

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)
KEY = "SK_ID_CURR"
YEAR_DAYS = 365.25
NAN = float("nan")


@dataclass(frozen=True)
class Feature:
    """One engineered column: what it means, where it comes from, and how it is computed.

    Row-level features (application, cross-table) have a ``formula`` written against a small
    backend API (column access, arithmetic, ``ratio``, horizontal ``mean``/``min``/...), which
    compiles to a polars expression for batches and evaluates on plain floats for one request.
    History features have a polars ``aggregation`` over the applicant's rows of ``table``.
    """

    name: str
    description: str
    group: str  # how a credit officer would call the topic, used to group explanations
    fields: tuple[str, ...]  # raw fields it is built from
    table: str = "application"
    formula: Callable[[Any], Any] | None = None
    aggregation: pl.Expr | None = None

    @property
    def expr(self) -> pl.Expr:
        expr = self.formula(POLARS) if self.formula is not None else self.aggregation
        assert expr is not None, self.name
        return expr.cast(pl.Float64).alias(self.name)


class _PolarsBackend:
    """Formulas -> polars expressions (missing = null)."""

    def __getitem__(self, name: str) -> pl.Expr:
        return pl.col(name).cast(pl.Float64)

    @staticmethod
    def ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
        return pl.when(denominator != 0).then(numerator / denominator)

    @staticmethod
    def missing(value: pl.Expr) -> pl.Expr:
        return value.is_null()

    @staticmethod
    def count(values: list[pl.Expr]) -> pl.Expr:
        return pl.sum_horizontal(v.is_not_null() for v in values)

    @staticmethod
    def total(values: list[pl.Expr]) -> pl.Expr:
        return pl.sum_horizontal(values)

    @staticmethod
    def mean(values: list[pl.Expr]) -> pl.Expr:
        return pl.mean_horizontal(values)

    @staticmethod
    def min(values: list[pl.Expr]) -> pl.Expr:
        return pl.min_horizontal(values)

    @staticmethod
    def max(values: list[pl.Expr]) -> pl.Expr:
        return pl.max_horizontal(values)

    @staticmethod
    def std(values: list[pl.Expr]) -> pl.Expr:
        return pl.concat_list(values).list.drop_nulls().list.std(ddof=1)


class _RowBackend:
    """Formulas -> floats for one applicant (missing = NaN), for the request path."""

    def __init__(self, values: Mapping[str, Any]):
        self.values = values

    def __getitem__(self, name: str) -> float:
        value = self.values.get(name)
        return NAN if value is None else float(value)

    @staticmethod
    def ratio(numerator: float, denominator: float) -> float:
        return NAN if denominator == 0 or isnan(denominator) else numerator / denominator

    @staticmethod
    def missing(value: float) -> float:
        return float(isnan(value))

    @staticmethod
    def count(values: list[float]) -> float:
        return float(len(_present(values)))

    @staticmethod
    def total(values: list[float]) -> float:
        return float(sum(_present(values)))

    @staticmethod
    def mean(values: list[float]) -> float:
        present = _present(values)
        return sum(present) / len(present) if present else NAN

    @staticmethod
    def min(values: list[float]) -> float:
        return min(_present(values), default=NAN)

    @staticmethod
    def max(values: list[float]) -> float:
        return max(_present(values), default=NAN)

    @staticmethod
    def std(values: list[float]) -> float:
        present = _present(values)
        return statistics.stdev(present) if len(present) >= 2 else NAN


def _present(values: list[float]) -> list[float]:
    return [v for v in values if not isnan(v)]


POLARS = _PolarsBackend()


def _row(
    name: str, formula: Callable[[Any], Any], description: str, group: str, *fields: str, table: str = "application"
) -> Feature:
    return Feature(name, description, group, fields, table, formula=formula)


def _f(name: str, aggregation: pl.Expr, description: str, group: str, *fields: str, table: str) -> Feature:
    return Feature(name, description, group, fields, table, aggregation=aggregation)


def ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator, missing where the denominator is 0 or missing."""
    return POLARS.ratio(numerator, denominator)


# ---------------------------------------------------------------------------------------------
# Application
_EXT = ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3")
_DOCS = tuple(f"FLAG_DOCUMENT_{i}" for i in range(2, 22))
_CONTACTS = ("FLAG_MOBIL", "FLAG_EMP_PHONE", "FLAG_WORK_PHONE", "FLAG_CONT_MOBILE", "FLAG_PHONE", "FLAG_EMAIL")
_ADDRESS = (
    "REG_REGION_NOT_LIVE_REGION",
    "REG_REGION_NOT_WORK_REGION",
    "LIVE_REGION_NOT_WORK_REGION",
    "REG_CITY_NOT_LIVE_CITY",
    "REG_CITY_NOT_WORK_CITY",
    "LIVE_CITY_NOT_WORK_CITY",
)
_ENQUIRIES = tuple(f"AMT_REQ_CREDIT_BUREAU_{p}" for p in ("HOUR", "DAY", "WEEK", "MON", "QRT", "YEAR"))


def _each(x: Any, names: tuple[str, ...]) -> list[Any]:
    return [x[n] for n in names]


APPLICATION_FEATURES: tuple[Feature, ...] = (
    _row(
        "CREDIT_INCOME_RATIO",
        lambda x: x.ratio(x["AMT_CREDIT"], x["AMT_INCOME_TOTAL"]),
        "Credit amount / annual income",
        "Affordability",
        "AMT_CREDIT",
        "AMT_INCOME_TOTAL",
    ),
    _row(
        "ANNUITY_INCOME_RATIO",
        lambda x: x.ratio(x["AMT_ANNUITY"], x["AMT_INCOME_TOTAL"]),
        "Loan annuity / annual income",
        "Affordability",
        "AMT_ANNUITY",
        "AMT_INCOME_TOTAL",
    ),
    _row(
        "ANNUITY_CREDIT_RATIO",
        lambda x: x.ratio(x["AMT_ANNUITY"], x["AMT_CREDIT"]),
        "Loan annuity / credit amount (payment rate)",
        "Loan terms",
        "AMT_ANNUITY",
        "AMT_CREDIT",
    ),
    _row(
        "CREDIT_TERM",
        lambda x: x.ratio(x["AMT_CREDIT"], x["AMT_ANNUITY"]),
        "Credit amount / annuity (about the term in payments)",
        "Loan terms",
        "AMT_CREDIT",
        "AMT_ANNUITY",
    ),
    _row(
        "CREDIT_GOODS_RATIO",
        lambda x: x.ratio(x["AMT_CREDIT"], x["AMT_GOODS_PRICE"]),
        "Credit amount / price of the goods",
        "Loan terms",
        "AMT_CREDIT",
        "AMT_GOODS_PRICE",
    ),
    _row(
        "INCOME_PER_FAMILY_MEMBER",
        lambda x: x.ratio(x["AMT_INCOME_TOTAL"], x["CNT_FAM_MEMBERS"]),
        "Annual income per family member",
        "Affordability",
        "AMT_INCOME_TOTAL",
        "CNT_FAM_MEMBERS",
    ),
    _row(
        "EMPLOYED_AGE_RATIO",
        lambda x: x.ratio(x["DAYS_EMPLOYED"], x["DAYS_BIRTH"]),
        "Share of life in the current job",
        "Employment",
        "DAYS_EMPLOYED",
        "DAYS_BIRTH",
    ),
    _row("AGE_YEARS", lambda x: -x["DAYS_BIRTH"] / YEAR_DAYS, "Age in years", "Age", "DAYS_BIRTH"),
    _row(
        "EMPLOYMENT_YEARS",
        lambda x: -x["DAYS_EMPLOYED"] / YEAR_DAYS,
        "Years in the current job (missing if none)",
        "Employment",
        "DAYS_EMPLOYED",
    ),
    _row(
        "NO_EMPLOYMENT",
        lambda x: x.missing(x["DAYS_EMPLOYED"]),
        "No current job recorded (pensioner, unemployed)",
        "Employment",
        "DAYS_EMPLOYED",
    ),
    _row(
        "REGISTRATION_YEARS",
        lambda x: -x["DAYS_REGISTRATION"] / YEAR_DAYS,
        "Years since the registration changed",
        "Stability",
        "DAYS_REGISTRATION",
    ),
    _row(
        "ID_PUBLISH_YEARS",
        lambda x: -x["DAYS_ID_PUBLISH"] / YEAR_DAYS,
        "Years since the ID document changed",
        "Stability",
        "DAYS_ID_PUBLISH",
    ),
    _row(
        "PHONE_CHANGE_YEARS",
        lambda x: -x["DAYS_LAST_PHONE_CHANGE"] / YEAR_DAYS,
        "Years since the phone changed",
        "Stability",
        "DAYS_LAST_PHONE_CHANGE",
    ),
    _row(
        "EXT_SOURCE_MEAN",
        lambda x: x.mean(_each(x, _EXT)),
        "Mean of the available external scores",
        "External scores",
        *_EXT,
    ),
    _row("EXT_SOURCE_MIN", lambda x: x.min(_each(x, _EXT)), "Lowest external score", "External scores", *_EXT),
    _row("EXT_SOURCE_MAX", lambda x: x.max(_each(x, _EXT)), "Highest external score", "External scores", *_EXT),
    _row(
        "EXT_SOURCE_PROD",
        lambda x: x[_EXT[0]] * x[_EXT[1]] * x[_EXT[2]],
        "Product of the three external scores",
        "External scores",
        *_EXT,
    ),
    _row(
        "EXT_SOURCE_STD",
        lambda x: x.std(_each(x, _EXT)),
        "Spread of the available external scores",
        "External scores",
        *_EXT,
    ),
    _row(
        "EXT_SOURCE_COUNT",
        lambda x: x.count(_each(x, _EXT)),
        "Number of external scores available",
        "External scores",
        *_EXT,
    ),
    _row("DOCUMENT_COUNT", lambda x: x.total(_each(x, _DOCS)), "Number of documents provided", "Documents", *_DOCS),
    _row(
        "CONTACT_COUNT",
        lambda x: x.total(_each(x, _CONTACTS)),
        "Number of contact channels given",
        "Contact details",
        *_CONTACTS,
    ),
    _row(
        "ADDRESS_MISMATCH_COUNT",
        lambda x: x.total(_each(x, _ADDRESS)),
        "Home, registered and work addresses that differ",
        "Stability",
        *_ADDRESS,
    ),
    _row(
        "BUREAU_ENQUIRIES_TOTAL",
        lambda x: x.total(_each(x, _ENQUIRIES)),
        "Credit bureau enquiries over the last year, all windows",
        "Bureau enquiries",
        *_ENQUIRIES,
    ),
    _row(
        "SOCIAL_CIRCLE_DEFAULT_RATIO",
        lambda x: x.ratio(x["DEF_30_CNT_SOCIAL_CIRCLE"], x["OBS_30_CNT_SOCIAL_CIRCLE"]),
        "Share of the applicant's known contacts who defaulted",
        "Social circle",
        "DEF_30_CNT_SOCIAL_CIRCLE",
        "OBS_30_CNT_SOCIAL_CIRCLE",
    ),
)

# Raw application fields kept as model inputs: everything but the key and the label; the 14x3
# building statistics keep only their averages (mode and median repeat them).
_BUILDING_REPEATS = {f"{m}_{s}" for m, _ in BUILDING_MEASURES for s, _ in BUILDING_STATS if s != "AVG"}
RAW_FEATURES: tuple[str, ...] = tuple(
    c.name for c in APPLICATION.columns if c.name not in ("SK_ID_CURR", "TARGET") and c.name not in _BUILDING_REPEATS
)
CATEGORICAL_FEATURES: tuple[str, ...] = tuple(c for c in RAW_FEATURES if APPLICATION.column(c).kind is Kind.CATEGORY)

# ---------------------------------------------------------------------------------------------
# Bureau (+ bureau_balance)
_b_active = pl.col("CREDIT_ACTIVE") == "Active"
_bb_known = pl.col("STATUS").is_in(["0", "1", "2", "3", "4", "5"])
_bb_late = pl.col("STATUS").is_in(["1", "2", "3", "4", "5"])

BUREAU_BALANCE_PER_CREDIT = (
    pl.len().alias("_bb_months"),
    _bb_known.sum().alias("_bb_known"),
    _bb_late.sum().alias("_bb_late"),
    (pl.col("STATUS") == "X").sum().alias("_bb_x"),
    (pl.col("STATUS") == "C").sum().alias("_bb_c"),
    pl.when(_bb_known).then(pl.col("STATUS").cast(pl.Int32, strict=False)).max().alias("_bb_worst"),
)
_B = "bureau"
BUREAU_FEATURES: tuple[Feature, ...] = (
    _f("BUREAU_COUNT", pl.len(), "Credits reported by the bureau", "Bureau credits", "SK_ID_BUREAU", table=_B),
    _f("BUREAU_ACTIVE_COUNT", _b_active.sum(), "Active bureau credits", "Bureau credits", "CREDIT_ACTIVE", table=_B),
    _f(
        "BUREAU_CLOSED_COUNT",
        (pl.col("CREDIT_ACTIVE") == "Closed").sum(),
        "Closed bureau credits",
        "Bureau credits",
        "CREDIT_ACTIVE",
        table=_B,
    ),
    _f(
        "BUREAU_ACTIVE_SHARE",
        _b_active.mean(),
        "Share of bureau credits still active",
        "Bureau credits",
        "CREDIT_ACTIVE",
        table=_B,
    ),
    _f(
        "BUREAU_BAD_DEBT_COUNT",
        pl.col("CREDIT_ACTIVE").is_in(["Bad debt", "Sold"]).sum(),
        "Bureau credits sold or written off",
        "Bureau arrears",
        "CREDIT_ACTIVE",
        table=_B,
    ),
    _f(
        "BUREAU_CARD_COUNT",
        (pl.col("CREDIT_TYPE") == "Credit card").sum(),
        "Credit cards at other lenders",
        "Bureau credits",
        "CREDIT_TYPE",
        table=_B,
    ),
    _f(
        "BUREAU_MICROLOAN_COUNT",
        (pl.col("CREDIT_TYPE") == "Microloan").sum(),
        "Microloans at other lenders",
        "Bureau credits",
        "CREDIT_TYPE",
        table=_B,
    ),
    _f(
        "BUREAU_DAYS_CREDIT_MIN",
        pl.col("DAYS_CREDIT").min(),
        "Days since the oldest bureau credit opened (negative)",
        "Credit history length",
        "DAYS_CREDIT",
        table=_B,
    ),
    _f(
        "BUREAU_DAYS_CREDIT_MAX",
        pl.col("DAYS_CREDIT").max(),
        "Days since the newest bureau credit opened (negative)",
        "Credit history length",
        "DAYS_CREDIT",
        table=_B,
    ),
    _f(
        "BUREAU_DAYS_CREDIT_MEAN",
        pl.col("DAYS_CREDIT").mean(),
        "Mean opening day of bureau credits (negative)",
        "Credit history length",
        "DAYS_CREDIT",
        table=_B,
    ),
    _f(
        "BUREAU_ACTIVE_CREDIT_SUM",
        pl.col("AMT_CREDIT_SUM").filter(_b_active).sum(),
        "Amount of the active bureau credits",
        "Bureau debt",
        "AMT_CREDIT_SUM",
        "CREDIT_ACTIVE",
        table=_B,
    ),
    _f(
        "BUREAU_ACTIVE_DEBT_SUM",
        pl.col("AMT_CREDIT_SUM_DEBT").filter(_b_active).sum(),
        "Debt outstanding on active bureau credits",
        "Bureau debt",
        "AMT_CREDIT_SUM_DEBT",
        "CREDIT_ACTIVE",
        table=_B,
    ),
    _f(
        "BUREAU_ACTIVE_DEBT_CREDIT_RATIO",
        ratio(pl.col("AMT_CREDIT_SUM_DEBT").filter(_b_active).sum(), pl.col("AMT_CREDIT_SUM").filter(_b_active).sum()),
        "Debt / amount of the active bureau credits",
        "Bureau debt",
        "AMT_CREDIT_SUM_DEBT",
        "AMT_CREDIT_SUM",
        table=_B,
    ),
    _f(
        "BUREAU_OVERDUE_SUM",
        pl.col("AMT_CREDIT_SUM_OVERDUE").sum(),
        "Amount overdue now at other lenders",
        "Bureau arrears",
        "AMT_CREDIT_SUM_OVERDUE",
        table=_B,
    ),
    _f(
        "BUREAU_OVERDUE_COUNT",
        (pl.col("CREDIT_DAY_OVERDUE") > 0).sum(),
        "Bureau credits overdue now",
        "Bureau arrears",
        "CREDIT_DAY_OVERDUE",
        table=_B,
    ),
    _f(
        "BUREAU_DAYS_OVERDUE_MAX",
        pl.col("CREDIT_DAY_OVERDUE").max(),
        "Longest current overdue at other lenders, days",
        "Bureau arrears",
        "CREDIT_DAY_OVERDUE",
        table=_B,
    ),
    _f(
        "BUREAU_MAX_OVERDUE_AMOUNT",
        pl.col("AMT_CREDIT_MAX_OVERDUE").max(),
        "Largest amount ever overdue at other lenders",
        "Bureau arrears",
        "AMT_CREDIT_MAX_OVERDUE",
        table=_B,
    ),
    _f(
        "BUREAU_PROLONG_SUM",
        pl.col("CNT_CREDIT_PROLONG").sum(),
        "Times bureau credits were prolonged",
        "Bureau arrears",
        "CNT_CREDIT_PROLONG",
        table=_B,
    ),
    _f(
        "BUREAU_STATUS_MONTHS",
        pl.col("_bb_months").sum(),
        "Monthly bureau statuses reported",
        "Bureau arrears",
        "MONTHS_BALANCE",
        table=_B,
    ),
    _f(
        "BUREAU_STATUS_DPD_SHARE",
        ratio(pl.col("_bb_late").sum(), pl.col("_bb_known").sum()),
        "Share of known monthly statuses with days past due",
        "Bureau arrears",
        "STATUS",
        table=_B,
    ),
    _f(
        "BUREAU_STATUS_OK_SHARE",
        ratio((pl.col("_bb_known") - pl.col("_bb_late")).sum(), pl.col("_bb_months").sum()),
        "Share of monthly statuses paid on time",
        "Bureau arrears",
        "STATUS",
        table=_B,
    ),
    _f(
        "BUREAU_STATUS_UNKNOWN_SHARE",
        ratio(pl.col("_bb_x").sum(), pl.col("_bb_months").sum()),
        "Share of monthly statuses unknown (X)",
        "Bureau arrears",
        "STATUS",
        table=_B,
    ),
    _f(
        "BUREAU_STATUS_CLOSED_SHARE",
        ratio(pl.col("_bb_c").sum(), pl.col("_bb_months").sum()),
        "Share of monthly statuses closed (C)",
        "Bureau arrears",
        "STATUS",
        table=_B,
    ),
    _f(
        "BUREAU_STATUS_WORST",
        pl.col("_bb_worst").max(),
        "Worst monthly status, 0 = on time .. 5 = 120+ days past due",
        "Bureau arrears",
        "STATUS",
        table=_B,
    ),
)

# ---------------------------------------------------------------------------------------------
# Previous applications
_P = "previous_application"
_approved = pl.col("NAME_CONTRACT_STATUS") == "Approved"
_refused = pl.col("NAME_CONTRACT_STATUS") == "Refused"
PREVIOUS_FEATURES: tuple[Feature, ...] = (
    _f("PREV_COUNT", pl.len(), "Previous applications here", "Previous applications", "SK_ID_PREV", table=_P),
    _f(
        "PREV_APPROVED_COUNT",
        _approved.sum(),
        "Previous applications approved",
        "Previous applications",
        "NAME_CONTRACT_STATUS",
        table=_P,
    ),
    _f(
        "PREV_REFUSED_COUNT",
        _refused.sum(),
        "Previous applications refused",
        "Previous refusals",
        "NAME_CONTRACT_STATUS",
        table=_P,
    ),
    _f(
        "PREV_CANCELED_COUNT",
        (pl.col("NAME_CONTRACT_STATUS") == "Canceled").sum(),
        "Previous applications cancelled",
        "Previous applications",
        "NAME_CONTRACT_STATUS",
        table=_P,
    ),
    _f(
        "PREV_APPROVED_SHARE",
        _approved.mean(),
        "Share of previous applications approved",
        "Previous applications",
        "NAME_CONTRACT_STATUS",
        table=_P,
    ),
    _f(
        "PREV_REFUSED_SHARE",
        _refused.mean(),
        "Share of previous applications refused",
        "Previous refusals",
        "NAME_CONTRACT_STATUS",
        table=_P,
    ),
    _f(
        "PREV_REFUSED_LAST_YEAR",
        (_refused & (pl.col("DAYS_DECISION") > -365)).sum(),
        "Applications refused in the last 12 months",
        "Previous refusals",
        "NAME_CONTRACT_STATUS",
        "DAYS_DECISION",
        table=_P,
    ),
    _f(
        "PREV_DAYS_DECISION_MAX",
        pl.col("DAYS_DECISION").max(),
        "Days since the latest previous decision (negative)",
        "Previous applications",
        "DAYS_DECISION",
        table=_P,
    ),
    _f(
        "PREV_AMT_APPLICATION_MEAN",
        pl.col("AMT_APPLICATION").mean(),
        "Mean amount asked before",
        "Previous applications",
        "AMT_APPLICATION",
        table=_P,
    ),
    _f(
        "PREV_APPROVED_CREDIT_MEAN",
        pl.col("AMT_CREDIT").filter(_approved).mean(),
        "Mean amount granted on approved applications",
        "Previous applications",
        "AMT_CREDIT",
        table=_P,
    ),
    _f(
        "PREV_GRANTED_ASKED_RATIO",
        ratio(pl.col("AMT_CREDIT").filter(_approved).sum(), pl.col("AMT_APPLICATION").filter(_approved).sum()),
        "Amount granted / amount asked on approved applications",
        "Previous applications",
        "AMT_CREDIT",
        "AMT_APPLICATION",
        table=_P,
    ),
    _f(
        "PREV_REFUSED_ASKED_MEAN",
        pl.col("AMT_APPLICATION").filter(_refused).mean(),
        "Mean amount asked on refused applications",
        "Previous refusals",
        "AMT_APPLICATION",
        table=_P,
    ),
    _f(
        "PREV_ANNUITY_MEAN",
        pl.col("AMT_ANNUITY").mean(),
        "Mean annuity of previous applications",
        "Previous applications",
        "AMT_ANNUITY",
        table=_P,
    ),
    _f(
        "PREV_TERM_MEAN",
        pl.col("CNT_PAYMENT").mean(),
        "Mean term of previous applications, months",
        "Previous applications",
        "CNT_PAYMENT",
        table=_P,
    ),
    _f(
        "PREV_DOWN_PAYMENT_RATE_MEAN",
        pl.col("RATE_DOWN_PAYMENT").mean(),
        "Mean down payment rate",
        "Previous applications",
        "RATE_DOWN_PAYMENT",
        table=_P,
    ),
    _f(
        "PREV_RUNNING_COUNT",
        (_approved & pl.col("DAYS_LAST_DUE").is_null() & pl.col("DAYS_FIRST_DUE").is_not_null()).sum(),
        "Approved loans here still running",
        "Previous applications",
        "DAYS_LAST_DUE",
        table=_P,
    ),
)

# ---------------------------------------------------------------------------------------------
# Instalments
_I = "installments_payments"
_days_late = (pl.col("DAYS_ENTRY_PAYMENT") - pl.col("DAYS_INSTALMENT")).clip(lower_bound=0)
_days_early = (pl.col("DAYS_INSTALMENT") - pl.col("DAYS_ENTRY_PAYMENT")).clip(lower_bound=0)
_PAY_FIELDS = ("DAYS_INSTALMENT", "DAYS_ENTRY_PAYMENT")
INSTALMENT_FEATURES: tuple[Feature, ...] = (
    _f("INST_COUNT", pl.len(), "Instalment payments recorded", "Payment history", "NUM_INSTALMENT_NUMBER", table=_I),
    _f(
        "INST_DAYS_LATE_MEAN",
        _days_late.mean(),
        "Mean days an instalment was paid late",
        "Payment history",
        *_PAY_FIELDS,
        table=_I,
    ),
    _f(
        "INST_DAYS_LATE_MAX",
        _days_late.max(),
        "Most days an instalment was paid late",
        "Payment history",
        *_PAY_FIELDS,
        table=_I,
    ),
    _f(
        "INST_LATE_SHARE",
        (_days_late > 0).mean(),
        "Share of instalments paid late",
        "Payment history",
        *_PAY_FIELDS,
        table=_I,
    ),
    _f(
        "INST_LATE_30_COUNT",
        (_days_late > 30).sum(),
        "Instalments paid more than 30 days late",
        "Payment history",
        *_PAY_FIELDS,
        table=_I,
    ),
    _f(
        "INST_LATE_SHARE_LAST_YEAR",
        (_days_late > 0).filter(pl.col("DAYS_INSTALMENT") > -365).mean(),
        "Share of the last 12 months' instalments paid late",
        "Payment history",
        *_PAY_FIELDS,
        table=_I,
    ),
    _f(
        "INST_DAYS_EARLY_MEAN",
        _days_early.mean(),
        "Mean days an instalment was paid early",
        "Payment history",
        *_PAY_FIELDS,
        table=_I,
    ),
    _f(
        "INST_PAID_OWED_RATIO",
        ratio(pl.col("AMT_PAYMENT").sum(), pl.col("AMT_INSTALMENT").sum()),
        "Amount paid / amount due over all instalments",
        "Payment history",
        "AMT_PAYMENT",
        "AMT_INSTALMENT",
        table=_I,
    ),
    _f(
        "INST_UNDERPAID_SUM",
        (pl.col("AMT_INSTALMENT") - pl.col("AMT_PAYMENT")).clip(lower_bound=0).sum(),
        "Total shortfall on instalments",
        "Payment history",
        "AMT_PAYMENT",
        "AMT_INSTALMENT",
        table=_I,
    ),
)

# ---------------------------------------------------------------------------------------------
# POS / cash loans, monthly
_S = "POS_CASH_balance"
POS_FEATURES: tuple[Feature, ...] = (
    _f("POS_MONTHS", pl.len(), "Monthly records of POS and cash loans", "Loans here", "MONTHS_BALANCE", table=_S),
    _f(
        "POS_LOANS",
        pl.col("SK_ID_PREV").n_unique(),
        "POS and cash loans with monthly records",
        "Loans here",
        "SK_ID_PREV",
        table=_S,
    ),
    _f(
        "POS_DPD_MAX",
        pl.col("SK_DPD").max(),
        "Most days past due on a POS or cash loan",
        "Payment history",
        "SK_DPD",
        table=_S,
    ),
    _f(
        "POS_DPD_MEAN",
        pl.col("SK_DPD").mean(),
        "Mean days past due on POS and cash loans",
        "Payment history",
        "SK_DPD",
        table=_S,
    ),
    _f(
        "POS_DPD_DEF_MAX",
        pl.col("SK_DPD_DEF").max(),
        "Most days past due, small debts ignored",
        "Payment history",
        "SK_DPD_DEF",
        table=_S,
    ),
    _f(
        "POS_LATE_MONTHS_SHARE",
        (pl.col("SK_DPD") > 0).mean(),
        "Share of months with days past due",
        "Payment history",
        "SK_DPD",
        table=_S,
    ),
    _f(
        "POS_REMAINING_SHARE_MEAN",
        ratio(POLARS["CNT_INSTALMENT_FUTURE"], POLARS["CNT_INSTALMENT"]).mean(),
        "Mean share of instalments still to pay",
        "Loans here",
        "CNT_INSTALMENT_FUTURE",
        "CNT_INSTALMENT",
        table=_S,
    ),
)

# ---------------------------------------------------------------------------------------------
# Credit cards, monthly
_C = "credit_card_balance"
_utilisation = ratio(POLARS["AMT_BALANCE"], POLARS["AMT_CREDIT_LIMIT_ACTUAL"])
CARD_FEATURES: tuple[Feature, ...] = (
    _f("CC_MONTHS", pl.len(), "Monthly records of credit cards here", "Credit cards", "MONTHS_BALANCE", table=_C),
    _f(
        "CC_LIMIT_MEAN",
        pl.col("AMT_CREDIT_LIMIT_ACTUAL").mean(),
        "Mean card limit",
        "Credit cards",
        "AMT_CREDIT_LIMIT_ACTUAL",
        table=_C,
    ),
    _f("CC_BALANCE_MEAN", pl.col("AMT_BALANCE").mean(), "Mean card balance", "Credit cards", "AMT_BALANCE", table=_C),
    _f(
        "CC_UTILISATION_MEAN",
        _utilisation.mean(),
        "Mean card balance / limit",
        "Card utilisation",
        "AMT_BALANCE",
        "AMT_CREDIT_LIMIT_ACTUAL",
        table=_C,
    ),
    _f(
        "CC_UTILISATION_MAX",
        _utilisation.max(),
        "Highest card balance / limit",
        "Card utilisation",
        "AMT_BALANCE",
        "AMT_CREDIT_LIMIT_ACTUAL",
        table=_C,
    ),
    _f(
        "CC_UTILISATION_LAST",
        _utilisation.sort_by(pl.col("MONTHS_BALANCE")).last(),
        "Card balance / limit in the latest month",
        "Card utilisation",
        "AMT_BALANCE",
        "AMT_CREDIT_LIMIT_ACTUAL",
        table=_C,
    ),
    _f(
        "CC_DRAWINGS_MEAN",
        pl.col("AMT_DRAWINGS_CURRENT").mean(),
        "Mean monthly card drawings",
        "Credit cards",
        "AMT_DRAWINGS_CURRENT",
        table=_C,
    ),
    _f(
        "CC_ATM_SHARE",
        ratio(pl.col("AMT_DRAWINGS_ATM_CURRENT").sum(), pl.col("AMT_DRAWINGS_CURRENT").sum()),
        "Share of card drawings taken as cash",
        "Credit cards",
        "AMT_DRAWINGS_ATM_CURRENT",
        "AMT_DRAWINGS_CURRENT",
        table=_C,
    ),
    _f(
        "CC_PAYMENT_MIN_RATIO",
        ratio(pl.col("AMT_PAYMENT_TOTAL_CURRENT").sum(), pl.col("AMT_INST_MIN_REGULARITY").sum()),
        "Card payments / minimum payments due",
        "Credit cards",
        "AMT_PAYMENT_TOTAL_CURRENT",
        "AMT_INST_MIN_REGULARITY",
        table=_C,
    ),
    _f("CC_DPD_MAX", pl.col("SK_DPD").max(), "Most days past due on a card", "Payment history", "SK_DPD", table=_C),
    _f(
        "CC_LATE_MONTHS_SHARE",
        (pl.col("SK_DPD") > 0).mean(),
        "Share of card months with days past due",
        "Payment history",
        "SK_DPD",
        table=_C,
    ),
)

# Cross-table features, computed once the history aggregates are there.
CROSS_FEATURES: tuple[Feature, ...] = (
    _row(
        "BUREAU_DEBT_INCOME_RATIO",
        lambda x: x.ratio(x["BUREAU_ACTIVE_DEBT_SUM"], x["AMT_INCOME_TOTAL"]),
        "Debt at other lenders / annual income",
        "Bureau debt",
        "AMT_CREDIT_SUM_DEBT",
        "AMT_INCOME_TOTAL",
        table=_B,
    ),
    _row(
        "PREV_ANNUITY_INCOME_RATIO",
        lambda x: x.ratio(x["PREV_ANNUITY_MEAN"], x["AMT_INCOME_TOTAL"]),
        "Mean previous annuity / annual income",
        "Affordability",
        "AMT_ANNUITY",
        "AMT_INCOME_TOTAL",
        table=_P,
    ),
)

HISTORY_FEATURES: dict[str, tuple[Feature, ...]] = {
    "bureau": BUREAU_FEATURES,
    "previous_application": PREVIOUS_FEATURES,
    "installments_payments": INSTALMENT_FEATURES,
    "POS_CASH_balance": POS_FEATURES,
    "credit_card_balance": CARD_FEATURES,
}
_NO_HISTORY = {
    "bureau": "BUREAU_NO_HISTORY",
    "previous_application": "PREV_NO_HISTORY",
    "installments_payments": "INST_NO_HISTORY",
    "POS_CASH_balance": "POS_NO_HISTORY",
    "credit_card_balance": "CC_NO_HISTORY",
}
# counts and sums (named *_COUNT, *_MONTHS, *_LOANS, *_SUM) are 0, not missing, without history
_ZERO_WHEN_ABSENT = {
    f.name for fs in HISTORY_FEATURES.values() for f in fs if f.name.endswith(("_COUNT", "_MONTHS", "_LOANS", "_SUM"))
}
_AGGREGATIONS = {table: [f.expr for f in features] for table, features in HISTORY_FEATURES.items()}


def feature_columns() -> list[str]:
    """Model input columns, in output order (the key excluded)."""
    names = list(RAW_FEATURES) + [f.name for f in APPLICATION_FEATURES]
    for table, features in HISTORY_FEATURES.items():
        names += [f.name for f in features] + [_NO_HISTORY[table]]
    return names + [f.name for f in CROSS_FEATURES]


NUMERIC_FEATURES: tuple[str, ...] = tuple(c for c in feature_columns() if c not in CATEGORICAL_FEATURES)

_MULTIPLES = {"CREDIT_INCOME_RATIO", "BUREAU_DEBT_INCOME_RATIO", "CC_PAYMENT_MIN_RATIO"}


def feature_unit(name: str) -> Unit | None:
    """How a model input reads to a person (None: a category). Raw fields take their schema
    unit; engineered features follow their naming convention."""
    if name in RAW_FEATURES:
        column = APPLICATION.column(name)
        return Unit.FLAG if column.kind is Kind.FLAG else column.unit
    rules: tuple[tuple[bool, Unit], ...] = (
        (name in _MULTIPLES, Unit.MULTIPLE),
        (name.endswith("_YEARS"), Unit.YEARS),
        (name.endswith("NO_HISTORY") or name == "NO_EMPLOYMENT", Unit.FLAG),
        (name.startswith("EXT_SOURCE") and name != "EXT_SOURCE_COUNT", Unit.SCORE),
        (any(part in name for part in ("SHARE", "RATIO", "UTILISATION", "RATE")), Unit.RATIO),
        ("DAYS_CREDIT" in name or "DAYS_DECISION" in name, Unit.DAYS),
        ("DAYS_" in name or "_DPD" in name, Unit.DURATION),
        (
            name.endswith(("_COUNT", "_LOANS", "_MONTHS", "_TOTAL", "_LAST_YEAR", "_WORST", "TERM", "TERM_MEAN")),
            Unit.COUNT,
        ),
        (name.endswith("PROLONG_SUM"), Unit.COUNT),
    )
    return next((unit for matches, unit in rules if matches), Unit.CURRENCY)


def feature_catalogue() -> list[dict[str, str]]:
    """Every output column with its description, group, source table, raw fields and unit."""
    rows = [
        {
            "name": c,
            "description": APPLICATION.column(c).label,
            "group": "Application field",
            "table": "application",
            "fields": c,
            "kind": "categorical" if c in CATEGORICAL_FEATURES else "numeric",
        }
        for c in RAW_FEATURES
    ]
    engineered = [*APPLICATION_FEATURES, *(f for fs in HISTORY_FEATURES.values() for f in fs), *CROSS_FEATURES]
    rows += [
        {
            "name": f.name,
            "description": f.description,
            "group": f.group,
            "table": f.table,
            "fields": ", ".join(f.fields),
            "kind": "numeric",
        }
        for f in engineered
    ]
    rows += [
        {
            "name": flag,
            "description": f"1 if the applicant has no row in {table}",
            "group": "History available",
            "table": table,
            "fields": "SK_ID_CURR",
            "kind": "numeric",
        }
        for table, flag in _NO_HISTORY.items()
    ]
    for row in rows:
        unit = feature_unit(row["name"])
        row["unit"] = "" if unit is None else unit.value
    order = {name: i for i, name in enumerate(feature_columns())}
    return sorted(rows, key=lambda r: order[r["name"]])


def _aggregate(frame: Frame, features: Sequence[Feature]) -> Frame:
    return frame.group_by(KEY).agg([f.expr for f in features])


def _bureau_with_balance(bureau: Frame, balance: Frame | None) -> Frame:
    if balance is None:
        empty = [pl.lit(None, dtype=pl.Int64).alias(e.meta.output_name()) for e in BUREAU_BALANCE_PER_CREDIT]
        return bureau.with_columns(empty)
    per_credit = balance.group_by("SK_ID_BUREAU").agg(BUREAU_BALANCE_PER_CREDIT)
    return bureau.join(per_credit, on="SK_ID_BUREAU", how="left")


def build_features(application: Frame, history: Mapping[str, Frame | None] | None = None) -> Frame:
    """Raw tables -> one row per applicant of ``application``, in the same order.

    ``application`` is a cleaned application table (train or test layout; TARGET is ignored);
    ``history`` maps history table names to their cleaned frames; absent tables count as no
    history. Eager frames in, eager frame out; lazy in, lazy out.
    """
    history = dict(history or {})
    out = application.select(KEY, *RAW_FEATURES, *(f.expr for f in APPLICATION_FEATURES))
    for table, features in HISTORY_FEATURES.items():
        frame = history.get(table)
        names = [f.name for f in features]
        if frame is None:
            out = out.with_columns(
                *(pl.lit(0.0 if n in _ZERO_WHEN_ABSENT else None, dtype=pl.Float64).alias(n) for n in names),
                pl.lit(1.0).alias(_NO_HISTORY[table]),
            )
            continue
        if table == "bureau":
            frame = _bureau_with_balance(frame, history.get("bureau_balance"))
        aggregated = _aggregate(frame, features).with_columns(pl.lit(0.0).alias(_NO_HISTORY[table]))
        out = out.join(aggregated, on=KEY, how="left", maintain_order="left").with_columns(
            *(pl.col(n).fill_null(0.0) for n in names if n in _ZERO_WHEN_ABSENT),
            pl.col(_NO_HISTORY[table]).fill_null(1.0),
        )
    return out.with_columns(f.expr for f in CROSS_FEATURES).select(KEY, *feature_columns())


def _absent(table: str) -> dict[str, float]:
    values = {f.name: 0.0 if f.name in _ZERO_WHEN_ABSENT else NAN for f in HISTORY_FEATURES[table]}
    return values | {_NO_HISTORY[table]: 1.0}


def applicant_features(
    application: Mapping[str, Any], history: Mapping[str, pl.DataFrame | None] | None = None
) -> dict[str, Any]:
    """One applicant's features, equal to their row of :func:`build_features`; the request path.

    ``application`` is one cleaned record (see :func:`credit_core.loader.clean_record`);
    ``history`` holds that applicant's rows only. Application and cross-table formulas run on
    plain floats (no frame is built when there is no history); history aggregates use the same
    polars expressions as the batch. Missing values are ``None``; keys follow ``feature_columns()``.
    """
    values = _application_values(application)
    history = history or {}
    for table, features in HISTORY_FEATURES.items():
        frame = history.get(table)
        if frame is None or frame.height == 0:
            values |= _absent(table)
            continue
        if table == "bureau":
            frame = _bureau_with_balance(frame, history.get("bureau_balance"))
        aggregates = frame.select(_AGGREGATIONS[table]).row(0)
        values |= dict(zip((f.name for f in features), aggregates, strict=True))
        values[_NO_HISTORY[table]] = 0.0
    return _with_cross_features(values)


def with_application(features: Mapping[str, Any], application: Mapping[str, Any]) -> dict[str, Any]:
    """The features of the same applicant after their application changed (another amount, a
    longer term, ...): application and cross-table features recomputed, history aggregates kept.
    Equal to :func:`applicant_features` on the changed record, without re-aggregating history."""
    return _with_cross_features(dict(features) | _application_values(application))


def _application_values(application: Mapping[str, Any]) -> dict[str, Any]:
    row = _RowBackend(application)
    values: dict[str, Any] = {name: application.get(name) for name in RAW_FEATURES}
    for feature in APPLICATION_FEATURES:
        values[feature.name] = feature.formula(row)  # type: ignore[misc]
    return values


def _with_cross_features(values: dict[str, Any]) -> dict[str, Any]:
    cross = _RowBackend(values)
    for feature in CROSS_FEATURES:
        values[feature.name] = feature.formula(cross)  # type: ignore[misc]
    return {k: None if isinstance(v, float) and isnan(v) else v for k, v in values.items()}
