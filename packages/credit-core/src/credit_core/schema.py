"""The seven raw Home Credit tables, declared once.

Everything that needs to know a raw column (the loader's validation, the synthetic generator,
the feature code, later the API request models and the UI form) reads it from here.

Conventions of the source data kept here:
- ``DAYS_*`` columns are day offsets relative to the application date (negative = in the past);
  365243 is a sentinel for "not applicable" and is turned into a missing value on load.
- ``XNA`` / ``XAP`` category codes mean "not available" / "not applicable"; they are turned
  into missing values on load, so they are not listed among a column's categories.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

DAYS_SENTINEL = 365243
MISSING_CODES = ("XNA", "XAP")


class Kind(StrEnum):
    """Logical type of a raw column."""

    ID = "id"  # integer key
    INT = "int"  # integer count or code
    FLAG = "flag"  # 0/1 integer
    FLOAT = "float"
    CATEGORY = "category"  # text from a (mostly) closed set


class Unit(StrEnum):
    """How a value reads to a person; used for readable labels and formatting."""

    CURRENCY = "currency"
    DAYS = "days"  # relative to the application date, negative = past
    DURATION = "duration"  # a number of days (late, overdue), not a date
    MONTHS = "months"  # relative to the application date, -1 = latest month
    YEARS = "years"
    COUNT = "count"
    SCORE = "score"  # normalised 0..1
    RATIO = "ratio"  # a rate 0..1, read as a percentage
    MULTIPLE = "multiple"  # a ratio read as "x times" (credit / income)
    FLAG = "flag"  # 0 / 1, read as no / yes
    HOUR = "hour"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    label: str = ""
    unit: Unit | None = None
    categories: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    nullable: bool = True
    required: bool = False  # must be present in a file of this table

    @property
    def is_numeric(self) -> bool:
        return self.kind is not Kind.CATEGORY

    @property
    def is_days(self) -> bool:
        return self.name.startswith("DAYS_")


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: str | None = None
    # child column -> (parent table, parent column)
    foreign_keys: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    def without(self, *names: str) -> Table:
        return Table(
            self.name,
            tuple(c for c in self.columns if c.name not in names),
            self.primary_key,
            dict(self.foreign_keys),
        )


MAX_ID = 2**63 - 1  # keys are stored as 64-bit integers


def _id(name: str, label: str, *, nullable: bool = False) -> Column:
    return Column(name, Kind.ID, label, nullable=nullable, required=True, min=0, max=MAX_ID)


def _flag(name: str, label: str, *, nullable: bool = True) -> Column:
    return Column(name, Kind.FLAG, label, min=0, max=1, nullable=nullable)


def _cat(name: str, label: str, categories: tuple[str, ...], *, required: bool = False) -> Column:
    return Column(name, Kind.CATEGORY, label, categories=categories, required=required)


def _money(name: str, label: str, lo: float = 0, hi: float = 2e8, **kw: object) -> Column:
    return Column(name, Kind.FLOAT, label, Unit.CURRENCY, min=lo, max=hi, **kw)  # type: ignore[arg-type]


def _days(name: str, label: str, lo: float = -50_000, hi: float = 50_000, **kw: object) -> Column:
    return Column(name, Kind.INT, label, Unit.DAYS, min=lo, max=hi, **kw)  # type: ignore[arg-type]


def _count(name: str, label: str, hi: float = 1_000, kind: Kind = Kind.INT) -> Column:
    return Column(name, kind, label, Unit.COUNT, min=0, max=hi)


def _score(name: str, label: str) -> Column:
    return Column(name, Kind.FLOAT, label, Unit.SCORE, min=0, max=1)


WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
YES_NO = ("Y", "N")
SUITES = (
    "Unaccompanied",
    "Family",
    "Spouse, partner",
    "Children",
    "Other_A",
    "Other_B",
    "Group of people",
)
INCOME_TYPES = (
    "Working",
    "Commercial associate",
    "Pensioner",
    "State servant",
    "Unemployed",
    "Student",
    "Businessman",
    "Maternity leave",
)
EDUCATION_TYPES = (
    "Secondary / secondary special",
    "Higher education",
    "Incomplete higher",
    "Lower secondary",
    "Academic degree",
)
FAMILY_STATUSES = (
    "Married",
    "Single / not married",
    "Civil marriage",
    "Separated",
    "Widow",
    "Unknown",
)
HOUSING_TYPES = (
    "House / apartment",
    "With parents",
    "Municipal apartment",
    "Rented apartment",
    "Office apartment",
    "Co-op apartment",
)
OCCUPATIONS = (
    "Laborers",
    "Sales staff",
    "Core staff",
    "Managers",
    "Drivers",
    "High skill tech staff",
    "Accountants",
    "Medicine staff",
    "Security staff",
    "Cooking staff",
    "Cleaning staff",
    "Private service staff",
    "Low-skill Laborers",
    "Waiters/barmen staff",
    "Secretaries",
    "Realty agents",
    "HR staff",
    "IT staff",
)
ORGANIZATIONS = (
    "Business Entity Type 3",
    "Self-employed",
    "Other",
    "Medicine",
    "Government",
    "Business Entity Type 2",
    "School",
    "Kindergarten",
    "Trade: type 7",
    "Construction",
    "Business Entity Type 1",
    "Transport: type 4",
    "Trade: type 3",
    "Industry: type 9",
    "Industry: type 3",
    "Security",
    "Housing",
    "Industry: type 11",
    "Military",
    "Bank",
    "Agriculture",
    "Police",
    "Transport: type 2",
    "Postal",
    "Security Ministries",
    "Trade: type 2",
    "Restaurant",
    "Services",
    "University",
    "Industry: type 7",
    "Transport: type 3",
    "Industry: type 1",
    "Hotel",
    "Electricity",
    "Industry: type 4",
    "Trade: type 6",
    "Industry: type 5",
    "Insurance",
    "Telecom",
    "Emergency",
    "Industry: type 2",
    "Advertising",
    "Realtor",
    "Culture",
    "Industry: type 12",
    "Trade: type 1",
    "Mobile",
    "Legal Services",
    "Cleaning",
    "Transport: type 1",
    "Industry: type 6",
    "Industry: type 10",
    "Religion",
    "Industry: type 13",
    "Trade: type 4",
    "Trade: type 5",
    "Industry: type 8",
)

# The building block: 14 measures of the applicant's building, each given as average, mode and
# median over the block; normalised to 0..1 in the source data.
BUILDING_MEASURES = (
    ("APARTMENTS", "apartment size"),
    ("BASEMENTAREA", "basement area"),
    ("YEARS_BEGINEXPLUATATION", "years in use"),
    ("YEARS_BUILD", "building age"),
    ("COMMONAREA", "common area"),
    ("ELEVATORS", "number of lifts"),
    ("ENTRANCES", "number of entrances"),
    ("FLOORSMAX", "highest floor"),
    ("FLOORSMIN", "lowest floor"),
    ("LANDAREA", "land area"),
    ("LIVINGAPARTMENTS", "living apartments"),
    ("LIVINGAREA", "living area"),
    ("NONLIVINGAPARTMENTS", "non-living apartments"),
    ("NONLIVINGAREA", "non-living area"),
)
BUILDING_STATS = (("AVG", "average"), ("MODE", "most common"), ("MEDI", "median"))


def _building_columns() -> list[Column]:
    cols = [
        _score(f"{measure}_{suffix}", f"Building: {label} ({stat})")
        for suffix, stat in BUILDING_STATS
        for measure, label in BUILDING_MEASURES
    ]
    cols += [
        _cat(
            "FONDKAPREMONT_MODE",
            "Building: repair fund account",
            ("reg oper account", "reg oper spec account", "org spec account", "not specified"),
        ),
        _cat(
            "HOUSETYPE_MODE",
            "Building: type",
            ("block of flats", "terraced house", "specific housing"),
        ),
        _score("TOTALAREA_MODE", "Building: total area (most common)"),
        _cat(
            "WALLSMATERIAL_MODE",
            "Building: wall material",
            ("Panel", "Stone, brick", "Block", "Wooden", "Mixed", "Monolithic", "Others"),
        ),
        _cat("EMERGENCYSTATE_MODE", "Building: in emergency state", ("No", "Yes")),
    ]
    return cols


_DOCUMENT_FLAGS = [_flag(f"FLAG_DOCUMENT_{i}", f"Provided document {i}") for i in range(2, 22)]

APPLICATION = Table(
    "application_train",
    (
        _id("SK_ID_CURR", "Applicant number"),
        Column("TARGET", Kind.FLAG, "Defaulted", min=0, max=1, nullable=False, required=True),
        _cat("NAME_CONTRACT_TYPE", "Contract type", ("Cash loans", "Revolving loans"), required=True),
        _cat("CODE_GENDER", "Gender", ("F", "M")),
        _cat("FLAG_OWN_CAR", "Owns a car", YES_NO),
        _cat("FLAG_OWN_REALTY", "Owns a home", YES_NO),
        _count("CNT_CHILDREN", "Number of children", 30),
        _money("AMT_INCOME_TOTAL", "Annual income", 1, nullable=False, required=True),
        _money("AMT_CREDIT", "Credit amount", 1, nullable=False, required=True),
        _money("AMT_ANNUITY", "Loan annuity", required=True),
        _money("AMT_GOODS_PRICE", "Price of the goods financed"),
        _cat("NAME_TYPE_SUITE", "Accompanied by", SUITES),
        _cat("NAME_INCOME_TYPE", "Income type", INCOME_TYPES),
        _cat("NAME_EDUCATION_TYPE", "Education", EDUCATION_TYPES),
        _cat("NAME_FAMILY_STATUS", "Family status", FAMILY_STATUSES),
        _cat("NAME_HOUSING_TYPE", "Housing", HOUSING_TYPES),
        Column("REGION_POPULATION_RELATIVE", Kind.FLOAT, "Region population density", Unit.SCORE, min=0, max=1),
        _days("DAYS_BIRTH", "Age", -40_000, -3_650, nullable=False, required=True),
        _days("DAYS_EMPLOYED", "Time in current job", -30_000, 0),
        _days("DAYS_REGISTRATION", "Time since registration change", -30_000, 0),
        _days("DAYS_ID_PUBLISH", "Time since ID document change", -30_000, 0),
        Column("OWN_CAR_AGE", Kind.FLOAT, "Age of own car", Unit.YEARS, min=0, max=100),
        _flag("FLAG_MOBIL", "Gave a mobile phone"),
        _flag("FLAG_EMP_PHONE", "Gave an employer phone"),
        _flag("FLAG_WORK_PHONE", "Gave a work phone"),
        _flag("FLAG_CONT_MOBILE", "Mobile phone reachable"),
        _flag("FLAG_PHONE", "Gave a home phone"),
        _flag("FLAG_EMAIL", "Gave an e-mail address"),
        _cat("OCCUPATION_TYPE", "Occupation", OCCUPATIONS),
        _count("CNT_FAM_MEMBERS", "Family size", 30, Kind.FLOAT),
        Column("REGION_RATING_CLIENT", Kind.INT, "Region rating", min=1, max=3),
        Column("REGION_RATING_CLIENT_W_CITY", Kind.INT, "Region and city rating", min=1, max=3),
        _cat("WEEKDAY_APPR_PROCESS_START", "Weekday of application", WEEKDAYS),
        Column("HOUR_APPR_PROCESS_START", Kind.INT, "Hour of application", Unit.HOUR, min=0, max=23),
        _flag("REG_REGION_NOT_LIVE_REGION", "Lives outside registered region"),
        _flag("REG_REGION_NOT_WORK_REGION", "Works outside registered region"),
        _flag("LIVE_REGION_NOT_WORK_REGION", "Works outside home region"),
        _flag("REG_CITY_NOT_LIVE_CITY", "Lives outside registered city"),
        _flag("REG_CITY_NOT_WORK_CITY", "Works outside registered city"),
        _flag("LIVE_CITY_NOT_WORK_CITY", "Works outside home city"),
        _cat("ORGANIZATION_TYPE", "Employer sector", ORGANIZATIONS),
        _score("EXT_SOURCE_1", "External score 1"),
        _score("EXT_SOURCE_2", "External score 2"),
        _score("EXT_SOURCE_3", "External score 3"),
        *_building_columns(),
        _count("OBS_30_CNT_SOCIAL_CIRCLE", "Contacts seen 30+ days overdue", 500, Kind.FLOAT),
        _count("DEF_30_CNT_SOCIAL_CIRCLE", "Contacts defaulted 30+ days overdue", 500, Kind.FLOAT),
        _count("OBS_60_CNT_SOCIAL_CIRCLE", "Contacts seen 60+ days overdue", 500, Kind.FLOAT),
        _count("DEF_60_CNT_SOCIAL_CIRCLE", "Contacts defaulted 60+ days overdue", 500, Kind.FLOAT),
        _days("DAYS_LAST_PHONE_CHANGE", "Time since phone change", -30_000, 0),
        *_DOCUMENT_FLAGS,
        _count("AMT_REQ_CREDIT_BUREAU_HOUR", "Bureau enquiries, last hour", 100, Kind.FLOAT),
        _count("AMT_REQ_CREDIT_BUREAU_DAY", "Bureau enquiries, last day", 100, Kind.FLOAT),
        _count("AMT_REQ_CREDIT_BUREAU_WEEK", "Bureau enquiries, last week", 100, Kind.FLOAT),
        _count("AMT_REQ_CREDIT_BUREAU_MON", "Bureau enquiries, last month", 100, Kind.FLOAT),
        _count("AMT_REQ_CREDIT_BUREAU_QRT", "Bureau enquiries, last quarter", 500, Kind.FLOAT),
        _count("AMT_REQ_CREDIT_BUREAU_YEAR", "Bureau enquiries, last year", 500, Kind.FLOAT),
    ),
    primary_key="SK_ID_CURR",
)
APPLICATION_TEST = Table(
    "application_test",
    APPLICATION.without("TARGET").columns,
    primary_key="SK_ID_CURR",
)

BUREAU = Table(
    "bureau",
    (
        _id("SK_ID_CURR", "Applicant number"),
        _id("SK_ID_BUREAU", "Bureau credit number"),
        _cat("CREDIT_ACTIVE", "Credit status", ("Closed", "Active", "Sold", "Bad debt"), required=True),
        _cat("CREDIT_CURRENCY", "Currency", ("currency 1", "currency 2", "currency 3", "currency 4")),
        _days("DAYS_CREDIT", "Credit opened", -3_000, 0, required=True),
        _count("CREDIT_DAY_OVERDUE", "Days overdue now", 3_000),
        _days("DAYS_CREDIT_ENDDATE", "Planned end"),
        _days("DAYS_ENDDATE_FACT", "Actual end", -50_000, 0),
        _money("AMT_CREDIT_MAX_OVERDUE", "Largest overdue amount"),
        _count("CNT_CREDIT_PROLONG", "Times prolonged", 100),
        _money("AMT_CREDIT_SUM", "Credit amount"),
        _money("AMT_CREDIT_SUM_DEBT", "Current debt", -1e8),
        _money("AMT_CREDIT_SUM_LIMIT", "Card limit", -1e8),
        _money("AMT_CREDIT_SUM_OVERDUE", "Amount overdue now"),
        _cat(
            "CREDIT_TYPE",
            "Credit type",
            (
                "Consumer credit",
                "Credit card",
                "Car loan",
                "Mortgage",
                "Microloan",
                "Loan for business development",
                "Another type of loan",
                "Unknown type of loan",
                "Loan for working capital replenishment",
                "Cash loan (non-earmarked)",
                "Real estate loan",
                "Loan for the purchase of equipment",
                "Loan for purchase of shares (margin lending)",
                "Interbank credit",
                "Mobile operator loan",
            ),
        ),
        _days("DAYS_CREDIT_UPDATE", "Last bureau update", -50_000, 400),
        _money("AMT_ANNUITY", "Annuity"),
    ),
    primary_key="SK_ID_BUREAU",
    foreign_keys={"SK_ID_CURR": ("application", "SK_ID_CURR")},
)

BUREAU_BALANCE = Table(
    "bureau_balance",
    (
        _id("SK_ID_BUREAU", "Bureau credit number"),
        Column("MONTHS_BALANCE", Kind.INT, "Month", Unit.MONTHS, min=-120, max=0, nullable=False, required=True),
        # 0 = no days past due, 1..5 = 1-30 .. 120+ days past due, C = closed, X = unknown
        _cat("STATUS", "Monthly status", ("C", "X", "0", "1", "2", "3", "4", "5"), required=True),
    ),
    foreign_keys={"SK_ID_BUREAU": ("bureau", "SK_ID_BUREAU")},
)

PREVIOUS_APPLICATION = Table(
    "previous_application",
    (
        _id("SK_ID_PREV", "Previous application number"),
        _id("SK_ID_CURR", "Applicant number"),
        _cat(
            "NAME_CONTRACT_TYPE",
            "Contract type",
            ("Consumer loans", "Cash loans", "Revolving loans"),
        ),
        _money("AMT_ANNUITY", "Annuity"),
        _money("AMT_APPLICATION", "Amount asked"),
        _money("AMT_CREDIT", "Amount granted"),
        _money("AMT_DOWN_PAYMENT", "Down payment", -1e6),
        _money("AMT_GOODS_PRICE", "Goods price"),
        _cat("WEEKDAY_APPR_PROCESS_START", "Weekday of application", WEEKDAYS),
        Column("HOUR_APPR_PROCESS_START", Kind.INT, "Hour of application", Unit.HOUR, min=0, max=23),
        _cat("FLAG_LAST_APPL_PER_CONTRACT", "Last application for the contract", YES_NO),
        _flag("NFLAG_LAST_APPL_IN_DAY", "Last application of the day"),
        Column("RATE_DOWN_PAYMENT", Kind.FLOAT, "Down payment rate", Unit.RATIO, min=-1, max=1),
        Column("RATE_INTEREST_PRIMARY", Kind.FLOAT, "Interest rate", Unit.RATIO, min=0, max=1),
        Column("RATE_INTEREST_PRIVILEGED", Kind.FLOAT, "Privileged interest rate", Unit.RATIO, min=0, max=1),
        _cat(
            "NAME_CASH_LOAN_PURPOSE",
            "Purpose",
            (
                "Repairs",
                "Other",
                "Urgent needs",
                "Buying a used car",
                "Building a house or an annex",
                "Everyday expenses",
                "Medicine",
                "Payments on other loans",
                "Education",
                "Journey",
                "Purchase of electronic equipment",
                "Buying a new car",
                "Wedding / gift / holiday",
                "Buying a home",
                "Car repairs",
                "Furniture",
                "Buying a holiday home / land",
                "Business development",
                "Gasification / water supply",
                "Buying a garage",
                "Hobby",
                "Money for a third person",
                "Refusal to name the goal",
            ),
        ),
        _cat(
            "NAME_CONTRACT_STATUS",
            "Decision",
            ("Approved", "Refused", "Canceled", "Unused offer"),
            required=True,
        ),
        _days("DAYS_DECISION", "Decided", -3_000, 0, required=True),
        _cat(
            "NAME_PAYMENT_TYPE",
            "Payment method",
            (
                "Cash through the bank",
                "Non-cash from your account",
                "Cashless from the account of the employer",
            ),
        ),
        _cat(
            "CODE_REJECT_REASON",
            "Refusal reason",
            ("HC", "LIMIT", "SCO", "CLIENT", "SCOFR", "VERIF", "SYSTEM"),
        ),
        _cat("NAME_TYPE_SUITE", "Accompanied by", SUITES),
        _cat("NAME_CLIENT_TYPE", "Client type", ("Repeater", "New", "Refreshed")),
        _cat(
            "NAME_GOODS_CATEGORY",
            "Goods category",
            (
                "Mobile",
                "Consumer Electronics",
                "Computers",
                "Audio/Video",
                "Furniture",
                "Photo / Cinema Equipment",
                "Construction Materials",
                "Clothing and Accessories",
                "Auto Accessories",
                "Jewelry",
                "Homewares",
                "Medical Supplies",
                "Vehicles",
                "Sport and Leisure",
                "Gardening",
                "Other",
                "Office Appliances",
                "Tourism",
                "Medicine",
                "Direct Sales",
                "Fitness",
                "Additional Service",
                "Education",
                "Weapon",
                "Insurance",
                "House Construction",
                "Animals",
            ),
        ),
        _cat("NAME_PORTFOLIO", "Portfolio", ("POS", "Cash", "Cards", "Cars")),
        _cat("NAME_PRODUCT_TYPE", "Product type", ("x-sell", "walk-in")),
        _cat(
            "CHANNEL_TYPE",
            "Channel",
            (
                "Credit and cash offices",
                "Country-wide",
                "Stone",
                "Regional / Local",
                "AP+ (Cash loan)",
                "Contact center",
                "Channel of corporate sales",
                "Car dealer",
            ),
        ),
        Column("SELLERPLACE_AREA", Kind.INT, "Seller area", min=-1, max=1e7),
        _cat(
            "NAME_SELLER_INDUSTRY",
            "Seller industry",
            (
                "Consumer electronics",
                "Connectivity",
                "Furniture",
                "Construction",
                "Clothing",
                "Industry",
                "Auto technology",
                "Jewelry",
                "MLM partners",
                "Tourism",
            ),
        ),
        _count("CNT_PAYMENT", "Term in months", 120, Kind.FLOAT),
        _cat("NAME_YIELD_GROUP", "Interest band", ("low_action", "low_normal", "middle", "high")),
        _cat(
            "PRODUCT_COMBINATION",
            "Product",
            (
                "POS household with interest",
                "Cash",
                "POS mobile with interest",
                "Cash X-Sell: middle",
                "Cash X-Sell: low",
                "Card Street",
                "POS industry with interest",
                "POS household without interest",
                "Card X-Sell",
                "Cash Street: high",
                "Cash X-Sell: high",
                "Cash Street: middle",
                "Cash Street: low",
                "POS mobile without interest",
                "POS other with interest",
                "POS industry without interest",
                "POS others without interest",
            ),
        ),
        _days("DAYS_FIRST_DRAWING", "First drawing", -3_000, 3_000),
        _days("DAYS_FIRST_DUE", "First due", -3_000, 3_000),
        _days("DAYS_LAST_DUE_1ST_VERSION", "Last due, first plan", -3_000, 3_000),
        _days("DAYS_LAST_DUE", "Last due", -3_000, 3_000),
        _days("DAYS_TERMINATION", "Termination", -3_000, 3_000),
        Column("NFLAG_INSURED_ON_APPROVAL", Kind.FLOAT, "Insured", min=0, max=1),
    ),
    primary_key="SK_ID_PREV",
    foreign_keys={"SK_ID_CURR": ("application", "SK_ID_CURR")},
)

_PREV_KEYS = (
    _id("SK_ID_PREV", "Previous application number"),
    _id("SK_ID_CURR", "Applicant number"),
)
_PREV_FKS = {
    "SK_ID_PREV": ("previous_application", "SK_ID_PREV"),
    "SK_ID_CURR": ("application", "SK_ID_CURR"),
}
_MONTH = Column("MONTHS_BALANCE", Kind.INT, "Month", Unit.MONTHS, min=-120, max=0, nullable=False, required=True)

POS_CASH_BALANCE = Table(
    "POS_CASH_balance",
    (
        *_PREV_KEYS,
        _MONTH,
        _count("CNT_INSTALMENT", "Term in instalments", 200, Kind.FLOAT),
        _count("CNT_INSTALMENT_FUTURE", "Instalments left", 200, Kind.FLOAT),
        _cat(
            "NAME_CONTRACT_STATUS",
            "Status",
            (
                "Active",
                "Completed",
                "Signed",
                "Demand",
                "Returned to the store",
                "Approved",
                "Amortized debt",
                "Canceled",
            ),
        ),
        _count("SK_DPD", "Days past due", 5_000),
        _count("SK_DPD_DEF", "Days past due (tolerant)", 5_000),
    ),
    foreign_keys=_PREV_FKS,
)

INSTALLMENTS_PAYMENTS = Table(
    "installments_payments",
    (
        *_PREV_KEYS,
        _count("NUM_INSTALMENT_VERSION", "Calendar version", 200, Kind.FLOAT),
        Column("NUM_INSTALMENT_NUMBER", Kind.INT, "Instalment number", Unit.COUNT, min=1, max=500),
        _days("DAYS_INSTALMENT", "Due", -3_000, 0, required=True),
        _days("DAYS_ENTRY_PAYMENT", "Paid", -4_000, 0, required=True),
        _money("AMT_INSTALMENT", "Amount due", required=True),
        _money("AMT_PAYMENT", "Amount paid", required=True),
    ),
    foreign_keys=_PREV_FKS,
)

CREDIT_CARD_BALANCE = Table(
    "credit_card_balance",
    (
        *_PREV_KEYS,
        _MONTH,
        _money("AMT_BALANCE", "Balance", -1e7, required=True),
        _money("AMT_CREDIT_LIMIT_ACTUAL", "Credit limit", required=True),
        _money("AMT_DRAWINGS_ATM_CURRENT", "Cash withdrawals", -1e7),
        _money("AMT_DRAWINGS_CURRENT", "Drawings", -1e7),
        _money("AMT_DRAWINGS_OTHER_CURRENT", "Other drawings", -1e7),
        _money("AMT_DRAWINGS_POS_CURRENT", "Card purchases", -1e7),
        _money("AMT_INST_MIN_REGULARITY", "Minimum payment"),
        _money("AMT_PAYMENT_CURRENT", "Payment"),
        _money("AMT_PAYMENT_TOTAL_CURRENT", "Total payment"),
        _money("AMT_RECEIVABLE_PRINCIPAL", "Principal receivable", -1e7),
        _money("AMT_RECIVABLE", "Receivable", -1e7),
        _money("AMT_TOTAL_RECEIVABLE", "Total receivable", -1e7),
        _count("CNT_DRAWINGS_ATM_CURRENT", "Cash withdrawals count", 1_000, Kind.FLOAT),
        _count("CNT_DRAWINGS_CURRENT", "Drawings count", 1_000),
        _count("CNT_DRAWINGS_OTHER_CURRENT", "Other drawings count", 1_000, Kind.FLOAT),
        _count("CNT_DRAWINGS_POS_CURRENT", "Card purchases count", 1_000, Kind.FLOAT),
        _count("CNT_INSTALMENT_MATURE_CUM", "Instalments paid", 1_000, Kind.FLOAT),
        _cat(
            "NAME_CONTRACT_STATUS",
            "Status",
            ("Active", "Completed", "Signed", "Demand", "Sent proposal", "Refused", "Approved"),
        ),
        _count("SK_DPD", "Days past due", 5_000),
        _count("SK_DPD_DEF", "Days past due (tolerant)", 5_000),
    ),
    foreign_keys=_PREV_FKS,
)

HISTORY_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        BUREAU,
        BUREAU_BALANCE,
        PREVIOUS_APPLICATION,
        POS_CASH_BALANCE,
        INSTALLMENTS_PAYMENTS,
        CREDIT_CARD_BALANCE,
    )
}
TABLES: dict[str, Table] = {
    APPLICATION.name: APPLICATION,
    APPLICATION_TEST.name: APPLICATION_TEST,
    **HISTORY_TABLES,
}

# Full-size row counts of the public data set, used by the generator's `--full-size` preset.
FULL_SIZE_ROWS = {
    "application_train": 307_511,
    "application_test": 48_744,
    "bureau": 1_716_428,
    "bureau_balance": 27_299_925,
    "previous_application": 1_670_214,
    "POS_CASH_balance": 10_001_358,
    "installments_payments": 13_605_401,
    "credit_card_balance": 3_840_312,
}
