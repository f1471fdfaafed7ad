"""The feature catalogue: every model input declared once, with what it means, the raw fields it
comes from, a reader-facing group and how it is computed. Pure Python: no polars here, so that
the dashboard and any client can read names, labels, groups and units without the data stack.

Row-level features (application, cross-table) have a ``formula`` written against a small
backend API (column access, arithmetic, ``ratio``, horizontal ``mean``/``min``/...); history
features have an ``aggregation``, a function of the polars module (``lambda pl: ...``) over the
applicant's rows of ``table``. :mod:`credit_core.features` compiles both: polars expressions for
batches, plain floats for one request. The catalogue (:func:`feature_catalogue`) is generated from
these declarations, so names and documentation cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from credit_core.schema import APPLICATION, BUILDING_MEASURES, BUILDING_STATS, Kind, Unit

KEY = "SK_ID_CURR"
YEAR_DAYS = 365.25


@dataclass(frozen=True)
class Feature:
    """One engineered column: what it means, where it comes from, and how it is computed."""

    name: str
    description: str
    group: str  # how a credit officer would call the topic, used to group explanations
    fields: tuple[str, ...]  # raw fields it is built from
    table: str = "application"
    formula: Callable[[Any], Any] | None = None  # row backend -> value
    aggregation: Callable[[Any], Any] | None = None  # polars module -> aggregation expression


def _row(
    name: str, formula: Callable[[Any], Any], description: str, group: str, *fields: str, table: str = "application"
) -> Feature:
    return Feature(name, description, group, fields, table, formula=formula)


def _f(name: str, aggregation: Callable[[Any], Any], description: str, group: str, *fields: str, table: str) -> Feature:
    return Feature(name, description, group, fields, table, aggregation=aggregation)


def _ratio(pl: Any, numerator: Any, denominator: Any) -> Any:
    """numerator / denominator, missing where the denominator is 0 or missing (polars)."""
    return pl.when(denominator != 0).then(numerator / denominator)


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
def _b_active(pl: Any) -> Any:
    return pl.col("CREDIT_ACTIVE") == "Active"


def _bb_known(pl: Any) -> Any:
    return pl.col("STATUS").is_in(["0", "1", "2", "3", "4", "5"])


def _bb_late(pl: Any) -> Any:
    return pl.col("STATUS").is_in(["1", "2", "3", "4", "5"])


def bureau_balance_per_credit(pl: Any) -> tuple[Any, ...]:
    """Per bureau credit, from its monthly statuses: what the bureau features aggregate."""
    return (
        pl.len().alias("_bb_months"),
        _bb_known(pl).sum().alias("_bb_known"),
        _bb_late(pl).sum().alias("_bb_late"),
        (pl.col("STATUS") == "X").sum().alias("_bb_x"),
        (pl.col("STATUS") == "C").sum().alias("_bb_c"),
        pl.when(_bb_known(pl)).then(pl.col("STATUS").cast(pl.Int32, strict=False)).max().alias("_bb_worst"),
    )


_B = "bureau"
BUREAU_FEATURES: tuple[Feature, ...] = (
    _f(
        "BUREAU_COUNT",
        lambda pl: pl.len(),
        "Credits reported by the bureau",
        "Bureau credits",
        "SK_ID_BUREAU",
        table=_B,
    ),
    _f(
        "BUREAU_ACTIVE_COUNT",
        lambda pl: _b_active(pl).sum(),
        "Active bureau credits",
        "Bureau credits",
        "CREDIT_ACTIVE",
        table=_B,
    ),
    _f(
        "BUREAU_CLOSED_COUNT",
        lambda pl: (pl.col("CREDIT_ACTIVE") == "Closed").sum(),
        "Closed bureau credits",
        "Bureau credits",
        "CREDIT_ACTIVE",
        table=_B,
    ),
    _f(
        "BUREAU_ACTIVE_SHARE",
        lambda pl: _b_active(pl).mean(),
        "Share of bureau credits still active",
        "Bureau credits",
        "CREDIT_ACTIVE",
        table=_B,
    ),
    _f(
        "BUREAU_BAD_DEBT_COUNT",
        lambda pl: pl.col("CREDIT_ACTIVE").is_in(["Bad debt", "Sold"]).sum(),
        "Bureau credits sold or written off",
        "Bureau arrears",
        "CREDIT_ACTIVE",
        table=_B,
    ),
    _f(
        "BUREAU_CARD_COUNT",
        lambda pl: (pl.col("CREDIT_TYPE") == "Credit card").sum(),
        "Credit cards at other lenders",
        "Bureau credits",
        "CREDIT_TYPE",
        table=_B,
    ),
    _f(
        "BUREAU_MICROLOAN_COUNT",
        lambda pl: (pl.col("CREDIT_TYPE") == "Microloan").sum(),
        "Microloans at other lenders",
        "Bureau credits",
        "CREDIT_TYPE",
        table=_B,
    ),
    _f(
        "BUREAU_DAYS_CREDIT_MIN",
        lambda pl: pl.col("DAYS_CREDIT").min(),
        "Days since the oldest bureau credit opened (negative)",
        "Credit history length",
        "DAYS_CREDIT",
        table=_B,
    ),
    _f(
        "BUREAU_DAYS_CREDIT_MAX",
        lambda pl: pl.col("DAYS_CREDIT").max(),
        "Days since the newest bureau credit opened (negative)",
        "Credit history length",
        "DAYS_CREDIT",
        table=_B,
    ),
    _f(
        "BUREAU_DAYS_CREDIT_MEAN",
        lambda pl: pl.col("DAYS_CREDIT").mean(),
        "Mean opening day of bureau credits (negative)",
        "Credit history length",
        "DAYS_CREDIT",
        table=_B,
    ),
    _f(
        "BUREAU_ACTIVE_CREDIT_SUM",
        lambda pl: pl.col("AMT_CREDIT_SUM").filter(_b_active(pl)).sum(),
        "Amount of the active bureau credits",
        "Bureau debt",
        "AMT_CREDIT_SUM",
        "CREDIT_ACTIVE",
        table=_B,
    ),
    _f(
        "BUREAU_ACTIVE_DEBT_SUM",
        lambda pl: pl.col("AMT_CREDIT_SUM_DEBT").filter(_b_active(pl)).sum(),
        "Debt outstanding on active bureau credits",
        "Bureau debt",
        "AMT_CREDIT_SUM_DEBT",
        "CREDIT_ACTIVE",
        table=_B,
    ),
    _f(
        "BUREAU_ACTIVE_DEBT_CREDIT_RATIO",
        lambda pl: _ratio(
            pl,
            pl.col("AMT_CREDIT_SUM_DEBT").filter(_b_active(pl)).sum(),
            pl.col("AMT_CREDIT_SUM").filter(_b_active(pl)).sum(),
        ),
        "Debt / amount of the active bureau credits",
        "Bureau debt",
        "AMT_CREDIT_SUM_DEBT",
        "AMT_CREDIT_SUM",
        table=_B,
    ),
    _f(
        "BUREAU_OVERDUE_SUM",
        lambda pl: pl.col("AMT_CREDIT_SUM_OVERDUE").sum(),
        "Amount overdue now at other lenders",
        "Bureau arrears",
        "AMT_CREDIT_SUM_OVERDUE",
        table=_B,
    ),
    _f(
        "BUREAU_OVERDUE_COUNT",
        lambda pl: (pl.col("CREDIT_DAY_OVERDUE") > 0).sum(),
        "Bureau credits overdue now",
        "Bureau arrears",
        "CREDIT_DAY_OVERDUE",
        table=_B,
    ),
    _f(
        "BUREAU_DAYS_OVERDUE_MAX",
        lambda pl: pl.col("CREDIT_DAY_OVERDUE").max(),
        "Longest current overdue at other lenders, days",
        "Bureau arrears",
        "CREDIT_DAY_OVERDUE",
        table=_B,
    ),
    _f(
        "BUREAU_MAX_OVERDUE_AMOUNT",
        lambda pl: pl.col("AMT_CREDIT_MAX_OVERDUE").max(),
        "Largest amount ever overdue at other lenders",
        "Bureau arrears",
        "AMT_CREDIT_MAX_OVERDUE",
        table=_B,
    ),
    _f(
        "BUREAU_PROLONG_SUM",
        lambda pl: pl.col("CNT_CREDIT_PROLONG").sum(),
        "Times bureau credits were prolonged",
        "Bureau arrears",
        "CNT_CREDIT_PROLONG",
        table=_B,
    ),
    _f(
        "BUREAU_STATUS_MONTHS",
        lambda pl: pl.col("_bb_months").sum(),
        "Monthly bureau statuses reported",
        "Bureau arrears",
        "MONTHS_BALANCE",
        table=_B,
    ),
    _f(
        "BUREAU_STATUS_DPD_SHARE",
        lambda pl: _ratio(pl, pl.col("_bb_late").sum(), pl.col("_bb_known").sum()),
        "Share of known monthly statuses with days past due",
        "Bureau arrears",
        "STATUS",
        table=_B,
    ),
    _f(
        "BUREAU_STATUS_OK_SHARE",
        lambda pl: _ratio(pl, (pl.col("_bb_known") - pl.col("_bb_late")).sum(), pl.col("_bb_months").sum()),
        "Share of monthly statuses paid on time",
        "Bureau arrears",
        "STATUS",
        table=_B,
    ),
    _f(
        "BUREAU_STATUS_UNKNOWN_SHARE",
        lambda pl: _ratio(pl, pl.col("_bb_x").sum(), pl.col("_bb_months").sum()),
        "Share of monthly statuses unknown (X)",
        "Bureau arrears",
        "STATUS",
        table=_B,
    ),
    _f(
        "BUREAU_STATUS_CLOSED_SHARE",
        lambda pl: _ratio(pl, pl.col("_bb_c").sum(), pl.col("_bb_months").sum()),
        "Share of monthly statuses closed (C)",
        "Bureau arrears",
        "STATUS",
        table=_B,
    ),
    _f(
        "BUREAU_STATUS_WORST",
        lambda pl: pl.col("_bb_worst").max(),
        "Worst monthly status, 0 = on time .. 5 = 120+ days past due",
        "Bureau arrears",
        "STATUS",
        table=_B,
    ),
)

# ---------------------------------------------------------------------------------------------
# Previous applications
_P = "previous_application"


def _approved(pl: Any) -> Any:
    return pl.col("NAME_CONTRACT_STATUS") == "Approved"


def _refused(pl: Any) -> Any:
    return pl.col("NAME_CONTRACT_STATUS") == "Refused"


PREVIOUS_FEATURES: tuple[Feature, ...] = (
    _f(
        "PREV_COUNT", lambda pl: pl.len(), "Previous applications here", "Previous applications", "SK_ID_PREV", table=_P
    ),
    _f(
        "PREV_APPROVED_COUNT",
        lambda pl: _approved(pl).sum(),
        "Previous applications approved",
        "Previous applications",
        "NAME_CONTRACT_STATUS",
        table=_P,
    ),
    _f(
        "PREV_REFUSED_COUNT",
        lambda pl: _refused(pl).sum(),
        "Previous applications refused",
        "Previous refusals",
        "NAME_CONTRACT_STATUS",
        table=_P,
    ),
    _f(
        "PREV_CANCELED_COUNT",
        lambda pl: (pl.col("NAME_CONTRACT_STATUS") == "Canceled").sum(),
        "Previous applications cancelled",
        "Previous applications",
        "NAME_CONTRACT_STATUS",
        table=_P,
    ),
    _f(
        "PREV_APPROVED_SHARE",
        lambda pl: _approved(pl).mean(),
        "Share of previous applications approved",
        "Previous applications",
        "NAME_CONTRACT_STATUS",
        table=_P,
    ),
    _f(
        "PREV_REFUSED_SHARE",
        lambda pl: _refused(pl).mean(),
        "Share of previous applications refused",
        "Previous refusals",
        "NAME_CONTRACT_STATUS",
        table=_P,
    ),
    _f(
        "PREV_REFUSED_LAST_YEAR",
        lambda pl: (_refused(pl) & (pl.col("DAYS_DECISION") > -365)).sum(),
        "Applications refused in the last 12 months",
        "Previous refusals",
        "NAME_CONTRACT_STATUS",
        "DAYS_DECISION",
        table=_P,
    ),
    _f(
        "PREV_DAYS_DECISION_MAX",
        lambda pl: pl.col("DAYS_DECISION").max(),
        "Days since the latest previous decision (negative)",
        "Previous applications",
        "DAYS_DECISION",
        table=_P,
    ),
    _f(
        "PREV_AMT_APPLICATION_MEAN",
        lambda pl: pl.col("AMT_APPLICATION").mean(),
        "Mean amount asked before",
        "Previous applications",
        "AMT_APPLICATION",
        table=_P,
    ),
    _f(
        "PREV_APPROVED_CREDIT_MEAN",
        lambda pl: pl.col("AMT_CREDIT").filter(_approved(pl)).mean(),
        "Mean amount granted on approved applications",
        "Previous applications",
        "AMT_CREDIT",
        table=_P,
    ),
    _f(
        "PREV_GRANTED_ASKED_RATIO",
        lambda pl: _ratio(
            pl, pl.col("AMT_CREDIT").filter(_approved(pl)).sum(), pl.col("AMT_APPLICATION").filter(_approved(pl)).sum()
        ),
        "Amount granted / amount asked on approved applications",
        "Previous applications",
        "AMT_CREDIT",
        "AMT_APPLICATION",
        table=_P,
    ),
    _f(
        "PREV_REFUSED_ASKED_MEAN",
        lambda pl: pl.col("AMT_APPLICATION").filter(_refused(pl)).mean(),
        "Mean amount asked on refused applications",
        "Previous refusals",
        "AMT_APPLICATION",
        table=_P,
    ),
    _f(
        "PREV_ANNUITY_MEAN",
        lambda pl: pl.col("AMT_ANNUITY").mean(),
        "Mean annuity of previous applications",
        "Previous applications",
        "AMT_ANNUITY",
        table=_P,
    ),
    _f(
        "PREV_TERM_MEAN",
        lambda pl: pl.col("CNT_PAYMENT").mean(),
        "Mean term of previous applications, months",
        "Previous applications",
        "CNT_PAYMENT",
        table=_P,
    ),
    _f(
        "PREV_DOWN_PAYMENT_RATE_MEAN",
        lambda pl: pl.col("RATE_DOWN_PAYMENT").mean(),
        "Mean down payment rate",
        "Previous applications",
        "RATE_DOWN_PAYMENT",
        table=_P,
    ),
    _f(
        "PREV_RUNNING_COUNT",
        lambda pl: (_approved(pl) & pl.col("DAYS_LAST_DUE").is_null() & pl.col("DAYS_FIRST_DUE").is_not_null()).sum(),
        "Approved loans here still running",
        "Previous applications",
        "DAYS_LAST_DUE",
        table=_P,
    ),
)

# ---------------------------------------------------------------------------------------------
# Instalments
_I = "installments_payments"


def _days_late(pl: Any) -> Any:
    return (pl.col("DAYS_ENTRY_PAYMENT") - pl.col("DAYS_INSTALMENT")).clip(lower_bound=0)


def _days_early(pl: Any) -> Any:
    return (pl.col("DAYS_INSTALMENT") - pl.col("DAYS_ENTRY_PAYMENT")).clip(lower_bound=0)


_PAY_FIELDS = ("DAYS_INSTALMENT", "DAYS_ENTRY_PAYMENT")
INSTALMENT_FEATURES: tuple[Feature, ...] = (
    _f(
        "INST_COUNT",
        lambda pl: pl.len(),
        "Instalment payments recorded",
        "Payment history",
        "NUM_INSTALMENT_NUMBER",
        table=_I,
    ),
    _f(
        "INST_DAYS_LATE_MEAN",
        lambda pl: _days_late(pl).mean(),
        "Mean days an instalment was paid late",
        "Payment history",
        *_PAY_FIELDS,
        table=_I,
    ),
    _f(
        "INST_DAYS_LATE_MAX",
        lambda pl: _days_late(pl).max(),
        "Most days an instalment was paid late",
        "Payment history",
        *_PAY_FIELDS,
        table=_I,
    ),
    _f(
        "INST_LATE_SHARE",
        lambda pl: (_days_late(pl) > 0).mean(),
        "Share of instalments paid late",
        "Payment history",
        *_PAY_FIELDS,
        table=_I,
    ),
    _f(
        "INST_LATE_30_COUNT",
        lambda pl: (_days_late(pl) > 30).sum(),
        "Instalments paid more than 30 days late",
        "Payment history",
        *_PAY_FIELDS,
        table=_I,
    ),
    _f(
        "INST_LATE_SHARE_LAST_YEAR",
        lambda pl: (_days_late(pl) > 0).filter(pl.col("DAYS_INSTALMENT") > -365).mean(),
        "Share of the last 12 months' instalments paid late",
        "Payment history",
        *_PAY_FIELDS,
        table=_I,
    ),
    _f(
        "INST_DAYS_EARLY_MEAN",
        lambda pl: _days_early(pl).mean(),
        "Mean days an instalment was paid early",
        "Payment history",
        *_PAY_FIELDS,
        table=_I,
    ),
    _f(
        "INST_PAID_OWED_RATIO",
        lambda pl: _ratio(pl, pl.col("AMT_PAYMENT").sum(), pl.col("AMT_INSTALMENT").sum()),
        "Amount paid / amount due over all instalments",
        "Payment history",
        "AMT_PAYMENT",
        "AMT_INSTALMENT",
        table=_I,
    ),
    _f(
        "INST_UNDERPAID_SUM",
        lambda pl: (pl.col("AMT_INSTALMENT") - pl.col("AMT_PAYMENT")).clip(lower_bound=0).sum(),
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
    _f(
        "POS_MONTHS",
        lambda pl: pl.len(),
        "Monthly records of POS and cash loans",
        "Loans here",
        "MONTHS_BALANCE",
        table=_S,
    ),
    _f(
        "POS_LOANS",
        lambda pl: pl.col("SK_ID_PREV").n_unique(),
        "POS and cash loans with monthly records",
        "Loans here",
        "SK_ID_PREV",
        table=_S,
    ),
    _f(
        "POS_DPD_MAX",
        lambda pl: pl.col("SK_DPD").max(),
        "Most days past due on a POS or cash loan",
        "Payment history",
        "SK_DPD",
        table=_S,
    ),
    _f(
        "POS_DPD_MEAN",
        lambda pl: pl.col("SK_DPD").mean(),
        "Mean days past due on POS and cash loans",
        "Payment history",
        "SK_DPD",
        table=_S,
    ),
    _f(
        "POS_DPD_DEF_MAX",
        lambda pl: pl.col("SK_DPD_DEF").max(),
        "Most days past due, small debts ignored",
        "Payment history",
        "SK_DPD_DEF",
        table=_S,
    ),
    _f(
        "POS_LATE_MONTHS_SHARE",
        lambda pl: (pl.col("SK_DPD") > 0).mean(),
        "Share of months with days past due",
        "Payment history",
        "SK_DPD",
        table=_S,
    ),
    _f(
        "POS_REMAINING_SHARE_MEAN",
        lambda pl: _ratio(
            pl, pl.col("CNT_INSTALMENT_FUTURE").cast(pl.Float64), pl.col("CNT_INSTALMENT").cast(pl.Float64)
        ).mean(),
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


def _utilisation(pl: Any) -> Any:
    return _ratio(pl, pl.col("AMT_BALANCE").cast(pl.Float64), pl.col("AMT_CREDIT_LIMIT_ACTUAL").cast(pl.Float64))


CARD_FEATURES: tuple[Feature, ...] = (
    _f(
        "CC_MONTHS",
        lambda pl: pl.len(),
        "Monthly records of credit cards here",
        "Credit cards",
        "MONTHS_BALANCE",
        table=_C,
    ),
    _f(
        "CC_LIMIT_MEAN",
        lambda pl: pl.col("AMT_CREDIT_LIMIT_ACTUAL").mean(),
        "Mean card limit",
        "Credit cards",
        "AMT_CREDIT_LIMIT_ACTUAL",
        table=_C,
    ),
    _f(
        "CC_BALANCE_MEAN",
        lambda pl: pl.col("AMT_BALANCE").mean(),
        "Mean card balance",
        "Credit cards",
        "AMT_BALANCE",
        table=_C,
    ),
    _f(
        "CC_UTILISATION_MEAN",
        lambda pl: _utilisation(pl).mean(),
        "Mean card balance / limit",
        "Card utilisation",
        "AMT_BALANCE",
        "AMT_CREDIT_LIMIT_ACTUAL",
        table=_C,
    ),
    _f(
        "CC_UTILISATION_MAX",
        lambda pl: _utilisation(pl).max(),
        "Highest card balance / limit",
        "Card utilisation",
        "AMT_BALANCE",
        "AMT_CREDIT_LIMIT_ACTUAL",
        table=_C,
    ),
    _f(
        "CC_UTILISATION_LAST",
        lambda pl: _utilisation(pl).sort_by(pl.col("MONTHS_BALANCE")).last(),
        "Card balance / limit in the latest month",
        "Card utilisation",
        "AMT_BALANCE",
        "AMT_CREDIT_LIMIT_ACTUAL",
        table=_C,
    ),
    _f(
        "CC_DRAWINGS_MEAN",
        lambda pl: pl.col("AMT_DRAWINGS_CURRENT").mean(),
        "Mean monthly card drawings",
        "Credit cards",
        "AMT_DRAWINGS_CURRENT",
        table=_C,
    ),
    _f(
        "CC_ATM_SHARE",
        lambda pl: _ratio(pl, pl.col("AMT_DRAWINGS_ATM_CURRENT").sum(), pl.col("AMT_DRAWINGS_CURRENT").sum()),
        "Share of card drawings taken as cash",
        "Credit cards",
        "AMT_DRAWINGS_ATM_CURRENT",
        "AMT_DRAWINGS_CURRENT",
        table=_C,
    ),
    _f(
        "CC_PAYMENT_MIN_RATIO",
        lambda pl: _ratio(pl, pl.col("AMT_PAYMENT_TOTAL_CURRENT").sum(), pl.col("AMT_INST_MIN_REGULARITY").sum()),
        "Card payments / minimum payments due",
        "Credit cards",
        "AMT_PAYMENT_TOTAL_CURRENT",
        "AMT_INST_MIN_REGULARITY",
        table=_C,
    ),
    _f(
        "CC_DPD_MAX",
        lambda pl: pl.col("SK_DPD").max(),
        "Most days past due on a card",
        "Payment history",
        "SK_DPD",
        table=_C,
    ),
    _f(
        "CC_LATE_MONTHS_SHARE",
        lambda pl: (pl.col("SK_DPD") > 0).mean(),
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
NO_HISTORY = {
    "bureau": "BUREAU_NO_HISTORY",
    "previous_application": "PREV_NO_HISTORY",
    "installments_payments": "INST_NO_HISTORY",
    "POS_CASH_balance": "POS_NO_HISTORY",
    "credit_card_balance": "CC_NO_HISTORY",
}
# counts and sums (named *_COUNT, *_MONTHS, *_LOANS, *_SUM) are 0, not missing, without history
ZERO_WHEN_ABSENT = {
    f.name for fs in HISTORY_FEATURES.values() for f in fs if f.name.endswith(("_COUNT", "_MONTHS", "_LOANS", "_SUM"))
}


def feature_columns() -> list[str]:
    """Model input columns, in output order (the key excluded)."""
    names = list(RAW_FEATURES) + [f.name for f in APPLICATION_FEATURES]
    for table, features in HISTORY_FEATURES.items():
        names += [f.name for f in features] + [NO_HISTORY[table]]
    return names + [f.name for f in CROSS_FEATURES]


NUMERIC_FEATURES: tuple[str, ...] = tuple(c for c in feature_columns() if c not in CATEGORICAL_FEATURES)

# The direction in which a feature may move the risk of default, where credit practice is sure of
# it (a model-risk reviewer would refuse a model in which more arrears lowered the risk). The
# constrained candidates (``*+monotone``) are trained with these as monotone constraints; features
# not listed are left free. 1: the risk may only rise with the feature; -1: it may only fall.
_UP = (
    # arrears and days past due, at other lenders and here
    "BUREAU_OVERDUE_SUM",
    "BUREAU_OVERDUE_COUNT",
    "BUREAU_DAYS_OVERDUE_MAX",
    "BUREAU_MAX_OVERDUE_AMOUNT",
    "BUREAU_BAD_DEBT_COUNT",
    "BUREAU_STATUS_DPD_SHARE",
    "BUREAU_STATUS_WORST",
    "INST_DAYS_LATE_MEAN",
    "INST_DAYS_LATE_MAX",
    "INST_LATE_SHARE",
    "INST_LATE_30_COUNT",
    "INST_LATE_SHARE_LAST_YEAR",
    "INST_UNDERPAID_SUM",
    "POS_DPD_MAX",
    "POS_DPD_MEAN",
    "POS_DPD_DEF_MAX",
    "POS_LATE_MONTHS_SHARE",
    "CC_DPD_MAX",
    "CC_LATE_MONTHS_SHARE",
    # refused applications
    "PREV_REFUSED_COUNT",
    "PREV_REFUSED_SHARE",
    "PREV_REFUSED_LAST_YEAR",
    # what the loan costs the applicant out of income
    "ANNUITY_INCOME_RATIO",
)
_DOWN = (*_EXT, "EXT_SOURCE_MEAN", "EXT_SOURCE_MIN", "EXT_SOURCE_MAX", "EXT_SOURCE_PROD")
RISK_DIRECTIONS: dict[str, int] = {**dict.fromkeys(_UP, 1), **dict.fromkeys(_DOWN, -1)}


def monotone_constraints(excluded: frozenset[str] = frozenset()) -> list[int]:
    """One direction per numeric model input, in column order (0: free), ``excluded`` inputs left
    out; the numeric block comes first in every model row (:func:`credit_core.pipeline.preprocessing`)."""
    return [RISK_DIRECTIONS.get(name, 0) for name in NUMERIC_FEATURES if name not in excluded]


def features_using(attributes: tuple[str, ...] | list[str]) -> frozenset[str]:
    """Every model input built from any of the raw application fields ``attributes``, the fields
    themselves included: what a model trained without them must leave out (e.g. ``DAYS_BIRTH``
    takes ``AGE_YEARS`` and ``EMPLOYED_AGE_RATIO`` with it). Raises ``ValueError`` for a name that
    is not a raw field of the model."""
    unknown = sorted(set(attributes) - set(RAW_FEATURES))
    if unknown:
        raise ValueError(f"not application fields the model takes: {', '.join(unknown)}")
    wanted = set(attributes)
    return frozenset(
        row["name"] for row in feature_catalogue() if wanted & {f.strip() for f in row["fields"].split(",")}
    )


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
        for table, flag in NO_HISTORY.items()
    ]
    for row in rows:
        unit = feature_unit(row["name"])
        row["unit"] = "" if unit is None else unit.value
        row["risk_direction"] = {1: "up", -1: "down"}.get(RISK_DIRECTIONS.get(row["name"], 0), "")
    order = {name: i for i, name in enumerate(feature_columns())}
    return sorted(rows, key=lambda r: order[r["name"]])
