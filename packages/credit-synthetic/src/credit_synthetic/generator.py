"""Synthetic Home Credit data: the seven raw tables plus ``application_test``, at any scale.

The files have exactly the real column layout (see :mod:`credit_core.schema`), are key-linked,
and reproduce the real marginals (calibrated against the public samples: ranges, skew, missing
rates, category levels and frequencies), the 365243 sentinel and the ``XNA``/``XAP`` codes.

The default signal follows a small latent model per applicant:
- ``u``: creditworthiness seen by the external scores (EXT_SOURCE_*, noisy);
- demographic effects (age, employment, education, region, contract terms, ...);
- ``h``: payment behaviour, seen *only* through the history tables (bureau overdue debt and
  delinquency months, instalment lateness and underpayment, refused previous applications,
  card utilisation and days past due).
``TARGET ~ Bernoulli(sigmoid(b0 + u + demographics + h))`` with about 8 % positives, so a model on
application columns reaches an AUC in the low-to-mid 0.7s and history features add a clear lift.

Generation runs in chunks of applicants, each with its own random stream derived from the seed,
so one seed always gives the same files, and memory stays flat at any size.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import numpy as np
import polars as pl
from credit_core.loader import polars_schema
from credit_core.schema import (
    APPLICATION,
    APPLICATION_TEST,
    BUILDING_MEASURES,
    BUILDING_STATS,
    BUREAU,
    BUREAU_BALANCE,
    CREDIT_CARD_BALANCE,
    DAYS_SENTINEL,
    EDUCATION_TYPES,
    FAMILY_STATUSES,
    HOUSING_TYPES,
    INCOME_TYPES,
    INSTALLMENTS_PAYMENTS,
    OCCUPATIONS,
    ORGANIZATIONS,
    POS_CASH_BALANCE,
    PREVIOUS_APPLICATION,
    SUITES,
    WEEKDAYS,
    Table,
)

CHUNK_APPLICANTS = 20_000
FIRST_SK_ID_CURR = 100_002
FIRST_SK_ID_BUREAU = 5_000_000
FIRST_SK_ID_PREV = 1_000_000
Format = Literal["csv", "parquet"]
Progress = Callable[[str], None]

# Observed level frequencies (rounded) in the public sample, for the categories drawn directly.
_SUITE_P = (0.812, 0.132, 0.037, 0.0095, 0.0021, 0.0055, 0.001)
_EDUCATION_P = (0.713, 0.241, 0.032, 0.012, 0.0013)
_FAMILY_P = (0.643, 0.146, 0.094, 0.063, 0.054, 0.00001)
_HOUSING_P = (0.885, 0.046, 0.039, 0.016, 0.0077, 0.0053)
_OCCUPATION_P = (
    0.2475, 0.1563, 0.1363, 0.0954, 0.0903, 0.052, 0.0471, 0.0427, 0.0318,
    0.0297, 0.0216, 0.0142, 0.0135, 0.0051, 0.0079, 0.0035, 0.003, 0.0021,
)  # fmt: skip
_WEEKDAY_P = (0.163, 0.17, 0.167, 0.169, 0.164, 0.114, 0.053)
# default-rate log-odds shift per occupation (manual labour riskier, office and skilled work safer)
_OCCUPATION_RISK = (
    0.25, 0.15, -0.1, -0.2, 0.25, -0.15, -0.3, -0.05, 0.15,
    0.15, 0.1, -0.05, 0.5, 0.15, -0.1, 0.05, -0.2, -0.2,
)  # fmt: skip
_EDUCATION_RISK = (0.15, -0.35, 0.0, 0.35, -0.6)


def _org_probabilities() -> np.ndarray:
    # roughly Zipf-shaped like the real sector mix: business entities and self-employed first
    ranks = np.arange(1, len(ORGANIZATIONS) + 1)
    p = 1.0 / ranks**1.25
    return np.asarray(p / p.sum())


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


def _pick(rng: np.random.Generator, n: int, probs: tuple[float, ...] | np.ndarray) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    return np.asarray(rng.choice(len(p), size=n, p=p / p.sum()))


def _levels(table: Table, column: str, *codes: str) -> tuple[str, ...]:
    """A column's category levels from the schema, then the missing codes the generator writes."""
    categories = table.column(column).categories
    assert categories is not None, column
    return (*categories, *codes)


def _draw(rng: np.random.Generator, n: int, levels: tuple[str, ...], shares: dict[str, float]) -> np.ndarray:
    """Codes into ``levels`` drawn with the given shares; levels not named are never drawn."""
    assert set(shares) <= set(levels), set(shares) - set(levels)
    return _pick(rng, n, np.array([shares.get(level, 0.0) for level in levels]))


def _text(codes: np.ndarray, levels: tuple[str, ...] | list[str], missing: np.ndarray | None = None) -> pl.Series:
    """Category codes to a text column; ``missing`` marks rows left empty."""
    series = pl.Series(list(levels), dtype=pl.String).gather(pl.Series(codes.astype(np.uint32)))
    if missing is not None:
        series = pl.select(pl.when(pl.Series(missing)).then(None).otherwise(series)).to_series()
    return series


def _masked(values: np.ndarray, missing: np.ndarray) -> np.ndarray:
    out = values.astype(float)
    out[missing] = np.nan
    return out


def _segments(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For children laid out parent by parent: each child's parent index and rank within it."""
    parent = np.repeat(np.arange(len(counts)), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return parent, np.arange(len(parent)) - starts


def _owners(
    rng: np.random.Generator, applicants: int, share_with_rows: float, mean_extra_rows: float, dispersion: float
) -> np.ndarray:
    """Owning applicant of each child row: a share of applicants has 1 + NegBin(mean, dispersion) rows."""
    has = rng.random(applicants) < share_with_rows
    extra = rng.negative_binomial(dispersion, dispersion / (dispersion + mean_extra_rows), applicants)
    return _segments(np.where(has, 1 + extra, 0))[0]


def _annuity(principal: np.ndarray, monthly_rate: np.ndarray, months: np.ndarray) -> np.ndarray:
    months = np.maximum(months, 1)
    return np.asarray(principal * monthly_rate / (1 - (1 + monthly_rate) ** (-months)))


def _frame(columns: dict[str, object], table: Table) -> pl.DataFrame:
    """Assemble a table in its exact column order and dtypes; NaN becomes a missing value."""
    schema = polars_schema(table)
    series = []
    for name in table.column_names:
        values = columns[name]
        s = values if isinstance(values, pl.Series) else pl.Series(values, nan_to_null=True)  # type: ignore[arg-type]
        if s.dtype.is_float() and schema[name] != pl.Float64:
            s = s.round(0)
        series.append(s.cast(schema[name]).alias(name))
    return pl.DataFrame(series)


@dataclass(frozen=True)
class Applicants:
    """One chunk's applicants: the application frame and the latent values history depends on."""

    frame: pl.DataFrame
    h: np.ndarray  # payment behaviour risk, shown by the history tables only
    income: np.ndarray


def _applications(rng: np.random.Generator, ids: np.ndarray) -> Applicants:
    n = len(ids)
    cols: dict[str, object] = {"SK_ID_CURR": ids}
    u = rng.standard_normal(n)
    h = 0.35 * u + np.sqrt(1 - 0.35**2) * rng.standard_normal(n)

    male = rng.random(n) < 0.342
    gender = np.where(male, 1, 0)
    gender[rng.random(n) < 2e-5] = 2
    cols["CODE_GENDER"] = _text(gender, ("F", "M", "XNA"))
    age = np.clip(rng.normal(43.5, 11.8, n), 20.5, 69.0)
    cols["DAYS_BIRTH"] = -np.round(age * 365.25)

    pension_p = 0.02 + 0.93 * _sigmoid((age - 55.8) / 2.0)
    pensioner = rng.random(n) < pension_p
    income_type = np.where(pensioner, 2, _pick(rng, n, (0.63, 0.28, 0, 0.08, 0.0004, 0.0002, 0.0001, 0.0001)))
    income_type[pensioner & (rng.random(n) < 0.002)] = 4  # a few unemployed without job data
    no_job = np.isin(income_type, (2, 4))
    cols["NAME_INCOME_TYPE"] = _text(income_type, INCOME_TYPES)
    education = _pick(rng, n, _EDUCATION_P)
    cols["NAME_EDUCATION_TYPE"] = _text(education, EDUCATION_TYPES)
    family = _pick(rng, n, _FAMILY_P)
    widow_shift = (age > 60) & (rng.random(n) < 0.12)
    family[widow_shift] = 4
    cols["NAME_FAMILY_STATUS"] = _text(family, FAMILY_STATUSES)
    couple = np.isin(family, (0, 2))
    children = np.where(
        (age > 22) & (age < 55), rng.choice(6, n, p=(0.62, 0.25, 0.11, 0.015, 0.004, 0.001)), rng.binomial(1, 0.05, n)
    )
    cols["CNT_CHILDREN"] = children
    cols["CNT_FAM_MEMBERS"] = (children + np.where(couple, 2, 1)).astype(float)
    cols["NAME_HOUSING_TYPE"] = _text(
        np.where((age < 30) & (rng.random(n) < 0.18), 1, _pick(rng, n, _HOUSING_P)), HOUSING_TYPES
    )
    cols["NAME_TYPE_SUITE"] = _text(_pick(rng, n, _SUITE_P), SUITES, rng.random(n) < 0.0042)

    years_employed = np.minimum(rng.gamma(1.1, 6.0, n), np.maximum(age - 18.5, 0.1))
    cols["DAYS_EMPLOYED"] = np.where(no_job, DAYS_SENTINEL, -np.round(years_employed * 365.25))
    org = _pick(rng, n, _org_probabilities())
    cols["ORGANIZATION_TYPE"] = _text(np.where(no_job, len(ORGANIZATIONS), org), (*ORGANIZATIONS, "XNA"))
    occupation = _pick(rng, n, _OCCUPATION_P)
    cols["OCCUPATION_TYPE"] = _text(occupation, OCCUPATIONS, no_job | (rng.random(n) < 0.16))

    # Regions: 80 of them, bigger ones better rated; people live where people are.
    region_rng = np.random.default_rng(20_180_517)  # the same map for every seed
    region_pop = np.round(np.exp(region_rng.normal(-4.2, 0.75, 80)).clip(0.0003, 0.0725), 6)
    region_share = np.sqrt(region_pop) / np.sqrt(region_pop).sum()  # share of applicants per region
    # ratings by size: the biggest regions, holding ~11 % of applicants, rate 1; the smallest ~15 % rate 3
    by_size = np.argsort(-region_pop)
    share_before = np.empty(80)
    share_before[by_size] = np.cumsum(region_share[by_size]) - region_share[by_size]
    region_rating = np.where(share_before < 0.11, 1, np.where(share_before < 0.85, 2, 3))
    region = rng.choice(80, n, p=region_share)
    rating = region_rating[region]
    cols["REGION_POPULATION_RELATIVE"] = region_pop[region]
    cols["REGION_RATING_CLIENT"] = rating
    cols["REGION_RATING_CLIENT_W_CITY"] = np.where(
        rng.random(n) < 0.06, np.clip(rating + rng.choice((-1, 1), n), 1, 3), rating
    )

    log_income = (
        np.log(147_000)
        + 0.5 * rng.standard_normal(n)
        + 0.18 * male
        + 0.25 * (education == 1)
        - 0.3 * pensioner
        - 0.15 * (rating == 3)
    )
    income = np.clip(np.round(np.exp(log_income) / 2_250) * 2_250, 25_650, 1.2e7)
    cols["AMT_INCOME_TOTAL"] = income

    revolving = rng.random(n) < 0.095
    cols["NAME_CONTRACT_TYPE"] = _text(revolving.astype(int), ("Cash loans", "Revolving loans"))
    goods = np.exp(np.log(income) + 0.95 + 0.6 * rng.standard_normal(n))
    goods = np.clip(np.round(goods / 4_500) * 4_500, 40_500, 4.05e6)
    insurance = np.where(rng.random(n) < 0.35, 0.0, rng.uniform(0.05, 0.3, n))
    card_limit = rng.choice((135_000, 180_000, 225_000, 270_000, 450_000, 67_500, 90_000), n)
    credit = np.where(revolving, card_limit, np.round(goods * (1 + insurance), 1))
    cols["AMT_CREDIT"] = credit
    cols["AMT_GOODS_PRICE"] = _masked(np.where(revolving, card_limit, goods), revolving & (rng.random(n) < 0.01))
    term = rng.choice((10, 12, 18, 24, 30, 36, 48, 60), n, p=(0.05, 0.2, 0.15, 0.2, 0.1, 0.15, 0.1, 0.05))
    rate = rng.uniform(0.008, 0.025, n)
    annuity = np.where(revolving, 0.05 * credit, _annuity(credit, rate, term))
    cols["AMT_ANNUITY"] = _masked(np.round(annuity * 2) / 2, rng.random(n) < 4e-5)

    own_car = rng.random(n) < 0.30 + 0.15 * male
    cols["FLAG_OWN_CAR"] = _text(own_car.astype(int), ("N", "Y"))
    car_age = np.where(rng.random(n) < 0.02, rng.choice((64, 65), n), np.round(rng.gamma(1.6, 7.5, n)))
    cols["OWN_CAR_AGE"] = _masked(np.clip(car_age, 0, 91), ~own_car)
    cols["FLAG_OWN_REALTY"] = _text((rng.random(n) < 0.30).astype(int), ("Y", "N"))
    cols["DAYS_REGISTRATION"] = -np.round(rng.uniform(0, 1, n) ** 1.2 * np.minimum(age - 16, 57) * 365.25)
    cols["DAYS_ID_PUBLISH"] = -np.round(rng.uniform(0, 1, n) * np.minimum((age - 14) * 365.25, 6_300))
    cols["FLAG_MOBIL"] = np.ones(n, dtype=int)
    cols["FLAG_EMP_PHONE"] = (~no_job).astype(int)
    cols["FLAG_WORK_PHONE"] = ((~no_job) & (rng.random(n) < 0.24)).astype(int)
    cols["FLAG_CONT_MOBILE"] = (rng.random(n) < 0.998).astype(int)
    cols["FLAG_PHONE"] = (rng.random(n) < 0.28).astype(int)
    cols["FLAG_EMAIL"] = (rng.random(n) < 0.057).astype(int)
    cols["WEEKDAY_APPR_PROCESS_START"] = _text(_pick(rng, n, _WEEKDAY_P), WEEKDAYS)
    cols["HOUR_APPR_PROCESS_START"] = np.clip(np.round(rng.normal(12, 3.3, n)), 0, 23)
    far_work = (~no_job) & (rng.random(n) < 0.24)
    cols["REG_REGION_NOT_LIVE_REGION"] = (rng.random(n) < 0.015).astype(int)
    cols["REG_REGION_NOT_WORK_REGION"] = (far_work & (rng.random(n) < 0.21)).astype(int)
    cols["LIVE_REGION_NOT_WORK_REGION"] = (far_work & (rng.random(n) < 0.17)).astype(int)
    cols["REG_CITY_NOT_LIVE_CITY"] = (rng.random(n) < 0.078).astype(int)
    cols["REG_CITY_NOT_WORK_CITY"] = far_work.astype(int)
    cols["LIVE_CITY_NOT_WORK_CITY"] = (far_work & (rng.random(n) < 0.75)).astype(int)

    # --- default signal seen in the application -------------------------------------------
    employed_years = np.where(no_job, np.nan, years_employed)
    demographics = (
        -0.028 * (age - 43.5)
        + 0.3 * male
        + np.asarray(_EDUCATION_RISK)[education]
        + np.where(no_job, -0.1, -0.045 * (np.minimum(employed_years, 20) - 6))
        + 0.22 * (rating - 2)
        + 0.9 * (np.asarray(_OCCUPATION_RISK)[occupation] * (~no_job))
        - 0.2 * own_car
        + 0.25 * (income_type == 0)
        - 0.3 * (income_type == 3)
        - 0.5 * revolving
        + 0.8 * np.clip(annuity / income * 12 - 0.2, -0.2, 0.6)
        + 0.6 * np.clip(credit / np.maximum(goods, 1) - 1.1, -0.2, 0.3)
    )

    def ext_source(loading: float, noise: float, missing_rate: float) -> np.ndarray:
        z = -(loading * u + 0.45 * demographics) + noise * rng.standard_normal(n)
        z = z / np.sqrt(loading**2 + 0.2 + noise**2)
        score = _sigmoid(1.7 * z) ** 0.8
        return _masked(np.round(np.clip(score, 1e-4, 0.96), 6), rng.random(n) < missing_rate)

    cols["EXT_SOURCE_1"] = ext_source(0.65, 0.95, 0.563)
    cols["EXT_SOURCE_2"] = ext_source(0.75, 0.9, 0.002)
    cols["EXT_SOURCE_3"] = ext_source(0.85, 0.85, 0.198)

    # social circle: risky people know more defaulters
    observed = np.round(rng.negative_binomial(0.45, 0.25, n) * 1.0)
    defaulted_30 = rng.binomial(observed.astype(int), np.clip(0.07 + 0.04 * h, 0.01, 0.5))
    circle_missing = rng.random(n) < 0.0033
    cols["OBS_30_CNT_SOCIAL_CIRCLE"] = _masked(observed, circle_missing)
    cols["DEF_30_CNT_SOCIAL_CIRCLE"] = _masked(defaulted_30, circle_missing)
    cols["OBS_60_CNT_SOCIAL_CIRCLE"] = _masked(np.maximum(observed - rng.binomial(1, 0.02, n), 0), circle_missing)
    cols["DEF_60_CNT_SOCIAL_CIRCLE"] = _masked(rng.binomial(defaulted_30, 0.7), circle_missing)
    phone_change = np.where(rng.random(n) < 0.12, 0, -np.round(rng.gamma(1.3, 760, n)))
    cols["DAYS_LAST_PHONE_CHANGE"] = np.clip(phone_change, -4_300, 0)

    doc_rates = {3: 0.71, 5: 0.015, 6: 0.088, 8: 0.081, 9: 0.0039, 11: 0.0039, 13: 0.0035, 14: 0.0029}
    doc_rates |= {15: 0.0012, 16: 0.0099, 18: 0.0081, 2: 4e-5, 4: 8e-5, 7: 2e-4, 10: 2e-5, 12: 1e-5}
    doc_rates |= {17: 2.7e-4, 19: 6e-4, 20: 5e-4, 21: 3.4e-4}
    for i in range(2, 22):
        cols[f"FLAG_DOCUMENT_{i}"] = (rng.random(n) < doc_rates[i]).astype(int)
    enquiries_missing = rng.random(n) < 0.135
    for name, lam in (("HOUR", 0.0065), ("DAY", 0.007), ("WEEK", 0.035), ("MON", 0.27), ("QRT", 0.27), ("YEAR", 1.3)):
        counts = rng.poisson(lam * np.exp(0.15 * h), n)
        cols[f"AMT_REQ_CREDIT_BUREAU_{name}"] = _masked(counts, enquiries_missing)

    _buildings(rng, n, cols)

    logit = -3.83 + 0.85 * u + demographics + 0.8 * h
    cols["TARGET"] = (rng.random(n) < _sigmoid(logit)).astype(int)
    return Applicants(_frame(cols, APPLICATION), h, income)


def _buildings(rng: np.random.Generator, n: int, cols: dict[str, object]) -> None:
    """The 47 building columns: about half the applicants have block data, most columns jointly."""
    has_block = rng.random(n) < 0.53
    size = rng.beta(1.1, 9.0, n)
    missing_extra = {
        "APARTMENTS": 0.05,
        "BASEMENTAREA": 0.2,
        "YEARS_BEGINEXPLUATATION": 0.02,
        "YEARS_BUILD": 0.35,
        "COMMONAREA": 0.42,
        "ELEVATORS": 0.1,
        "ENTRANCES": 0.05,
        "FLOORSMAX": 0.03,
        "FLOORSMIN": 0.38,
        "LANDAREA": 0.22,
        "LIVINGAPARTMENTS": 0.39,
        "LIVINGAREA": 0.05,
        "NONLIVINGAPARTMENTS": 0.41,
        "NONLIVINGAREA": 0.13,
    }
    for measure, _ in BUILDING_MEASURES:
        missing = ~has_block | (rng.random(n) < missing_extra[measure])
        if measure == "YEARS_BEGINEXPLUATATION":
            base = np.clip(1 - rng.gamma(1.2, 0.017, n), 0, 1)
        elif measure == "YEARS_BUILD":
            base = np.clip(rng.normal(0.75, 0.11, n), 0, 1)
        elif measure in ("FLOORSMAX", "FLOORSMIN"):  # storeys / 24, mostly 5-storey blocks
            base = rng.choice((1, 2, 4, 6, 8, 10, 12, 16), n, p=(0.06, 0.08, 0.45, 0.06, 0.2, 0.05, 0.05, 0.05)) / 24
        elif measure == "ELEVATORS":
            base = np.where(rng.random(n) < 0.55, 0.0, np.clip(size * 2 + rng.normal(0.05, 0.05, n), 0, 1))
        elif measure == "ENTRANCES":
            base = np.clip(size * 1.6 + rng.normal(0, 0.05, n), 0, 1)
        elif measure == "COMMONAREA":
            base = np.clip(np.exp(rng.normal(np.log(0.019), 1.5, n)), 0, 1)
        elif measure.startswith("NONLIVING"):
            base = np.where(rng.random(n) < 0.45, 0.0, rng.beta(0.8, 25, n))
        else:
            base = np.clip(size * rng.uniform(0.7, 1.3, n), 0, 1)
        for suffix, _ in BUILDING_STATS:
            jitter = 1.0 if suffix == "AVG" else rng.normal(1, 0.03, n)
            cols[f"{measure}_{suffix}"] = _masked(np.round(np.clip(base * jitter, 0, 1), 4), missing)
    mode_missing = ~has_block | (rng.random(n) < 0.38)
    cols["FONDKAPREMONT_MODE"] = _text(
        _pick(rng, n, (0.77, 0.12, 0.06, 0.05)),
        _levels(APPLICATION, "FONDKAPREMONT_MODE"),
        mode_missing,
    )
    cols["HOUSETYPE_MODE"] = _text(
        _pick(rng, n, (0.985, 0.008, 0.007)),
        _levels(APPLICATION, "HOUSETYPE_MODE"),
        ~has_block | (rng.random(n) < 0.03),
    )
    cols["TOTALAREA_MODE"] = _masked(np.round(np.clip(size * 0.95, 0, 1), 4), ~has_block | (rng.random(n) < 0.01))
    cols["WALLSMATERIAL_MODE"] = _text(
        _pick(rng, n, (0.437, 0.419, 0.069, 0.035, 0.017, 0.012, 0.011)),
        _levels(APPLICATION, "WALLSMATERIAL_MODE"),
        ~has_block | (rng.random(n) < 0.05),
    )
    cols["EMERGENCYSTATE_MODE"] = _text((rng.random(n) < 0.016).astype(int), ("No", "Yes"), ~has_block)


def _bureau(
    rng: np.random.Generator, ids: np.ndarray, h: np.ndarray, first_id: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    owner = _owners(rng, len(ids), share_with_rows=0.86, mean_extra_rows=4.6, dispersion=1.3)
    n = len(owner)
    hh = h[owner]
    cols: dict[str, object] = {"SK_ID_CURR": ids[owner], "SK_ID_BUREAU": first_id + np.arange(n)}
    days_credit = -np.round(2_922 * rng.random(n) ** 1.5)
    credit_type = _pick(rng, n, (0.73, 0.234, 0.0165, 0.0107, 0.0072, 0.0011, 0.0006, 0.0009, 0.0003, 0.00002))
    credit_type[rng.random(n) < 0.02 * _sigmoid(2 * hh)] = 4  # microloans among risky borrowers
    card = credit_type == 1
    cols["CREDIT_TYPE"] = _text(credit_type, _levels(BUREAU, "CREDIT_TYPE"))
    duration = np.where(
        card, rng.choice((1_095, 1_826, 10_000, 30_000), n), rng.choice((90, 180, 365, 545, 730, 1_095), n)
    ) + rng.integers(-20, 20, n)
    duration = np.where(credit_type == 3, 7_300, duration)
    end_planned = days_credit + duration
    closed = (end_planned < 0) | (rng.random(n) < 0.2)
    status = np.where(closed, 0, 1)
    status[rng.random(n) < 0.0045] = 2
    status[(status == 1) & (rng.random(n) < 0.0005 * np.exp(1.5 * hh))] = 3
    cols["CREDIT_ACTIVE"] = _text(status, _levels(BUREAU, "CREDIT_ACTIVE"))
    cols["CREDIT_CURRENCY"] = _text(_pick(rng, n, (0.9992, 0.0006, 0.0001, 0.0001)), _levels(BUREAU, "CREDIT_CURRENCY"))
    cols["DAYS_CREDIT"] = days_credit
    active = status == 1
    overdue_now = active & (rng.random(n) < _sigmoid(-5.6 + 1.5 * hh))
    overdue_days = np.where(overdue_now, np.minimum(rng.geometric(0.04, n), 2_800), 0)
    cols["CREDIT_DAY_OVERDUE"] = overdue_days
    cols["DAYS_CREDIT_ENDDATE"] = _masked(end_planned, rng.random(n) < 0.06)
    fact_end = np.minimum(
        np.where(end_planned < 0, end_planned + rng.integers(-200, 40, n), -rng.integers(0, 900, n)), 0
    )
    fact_end = np.maximum(fact_end, days_credit)
    cols["DAYS_ENDDATE_FACT"] = _masked(fact_end, ~closed)
    amount = np.round(np.exp(rng.normal(np.log(125_000), 1.15, n)), 2)
    amount = np.where(card & (rng.random(n) < 0.25), 0.0, amount)
    cols["AMT_CREDIT_SUM"] = amount
    remaining = np.clip(end_planned / np.maximum(duration, 1), 0, 1)
    debt = np.where(active, np.round(amount * np.where(card, rng.random(n), remaining), 2), 0.0)
    cols["AMT_CREDIT_SUM_DEBT"] = _masked(debt, rng.random(n) < 0.15)
    cols["AMT_CREDIT_SUM_LIMIT"] = _masked(
        np.where(card & active, np.maximum(amount - debt, 0), 0.0), rng.random(n) < 0.345
    )
    overdue_amount = np.where(overdue_now, np.round(np.minimum(debt, amount) * rng.uniform(0.01, 0.3, n), 2), 0.0)
    cols["AMT_CREDIT_SUM_OVERDUE"] = overdue_amount
    ever_late = rng.random(n) < _sigmoid(-2.6 + 1.1 * hh)
    max_overdue = np.where(ever_late, np.round(np.exp(rng.normal(8.5, 1.5, n)), 2), 0.0)
    cols["AMT_CREDIT_MAX_OVERDUE"] = _masked(
        np.maximum(max_overdue, overdue_amount), (rng.random(n) < 0.65) & ~overdue_now
    )
    cols["CNT_CREDIT_PROLONG"] = np.where(rng.random(n) < 0.005, rng.integers(1, 4, n), 0)
    cols["DAYS_CREDIT_UPDATE"] = np.where(
        active, -rng.integers(0, 40, n), np.minimum(fact_end + rng.integers(0, 30, n), 0)
    )
    cols["AMT_ANNUITY"] = _masked(
        np.where(rng.random(n) < 0.6, 0.0, np.round(amount / np.maximum(duration / 30, 1), 2)), rng.random(n) < 0.65
    )
    bureau = _frame(cols, BUREAU)

    # bureau_balance: about a third of the bureau credits report monthly statuses
    reported = rng.random(n) < 0.41
    months = np.where(reported, np.minimum(np.floor(-days_credit / 30.44), 96).astype(int) + 1, 0)
    parent, rank = _segments(months)
    month = -rank
    closed_month = np.floor(fact_end / 30.44)[parent]
    unknown_record = (rng.random(n) < 0.14)[parent]
    late = rng.random(len(parent)) < _sigmoid(-4.4 + 1.4 * hh[parent])
    level = np.where(late, np.minimum(rng.geometric(0.65, len(parent)), 5), 0)
    code = np.where(unknown_record | (rng.random(len(parent)) < 0.03), 1, 2 + level)  # X or 0..5
    code = np.where(closed[parent] & (month > closed_month), 0, code)  # C after closure
    balance = _frame(
        {
            "SK_ID_BUREAU": first_id + parent,
            "MONTHS_BALANCE": month,
            "STATUS": _text(code, _levels(BUREAU_BALANCE, "STATUS")),
        },
        BUREAU_BALANCE,
    )
    return bureau, balance


_CONSUMER_GOODS = (
    "Mobile", "Consumer Electronics", "Computers", "Audio/Video", "Furniture", "Construction Materials",
    "Photo / Cinema Equipment", "Clothing and Accessories", "Auto Accessories", "Homewares", "Jewelry", "Other",
)  # fmt: skip
_CONSUMER_GOODS_P = (0.3, 0.18, 0.14, 0.14, 0.075, 0.037, 0.031, 0.028, 0.01, 0.007, 0.005, 0.027)
# shares among the cash loans whose purpose is stated (about 6 %)
_PURPOSE_SHARES = {
    "Repairs": 0.33,
    "Other": 0.19,
    "Urgent needs": 0.15,
    "Everyday expenses": 0.045,
    "Education": 0.04,
    "Buying a used car": 0.033,
    "Medicine": 0.03,
    "Payments on other loans": 0.03,
    "Building a house or an annex": 0.028,
    "Journey": 0.028,
    "Purchase of electronic equipment": 0.016,
    "Buying a new car": 0.016,
    "Buying a holiday home / land": 0.016,
    "Car repairs": 0.012,
    "Wedding / gift / holiday": 0.012,
    "Furniture": 0.01,
    "Buying a home": 0.008,
    "Business development": 0.005,
    "Buying a garage": 0.003,
    "Hobby": 0.002,
    "Gasification / water supply": 0.002,
    "Money for a third person": 0.001,
    "Refusal to name the goal": 0.001,
}


def _previous(
    rng: np.random.Generator, ids: np.ndarray, h: np.ndarray, income: np.ndarray, first_id: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    owner = _owners(rng, len(ids), share_with_rows=0.95, mean_extra_rows=3.95, dispersion=1.1)
    n = len(owner)
    hh = h[owner]
    prev_ids = first_id + np.arange(n)
    cols: dict[str, object] = {"SK_ID_PREV": prev_ids, "SK_ID_CURR": ids[owner]}
    kind = _pick(rng, n, (0.44, 0.447, 0.113))  # consumer, cash, revolving
    consumer, cash, revolving = kind == 0, kind == 1, kind == 2
    cols["NAME_CONTRACT_TYPE"] = _text(kind, _levels(PREVIOUS_APPLICATION, "NAME_CONTRACT_TYPE"))
    refused = rng.random(n) < _sigmoid(-1.95 + 0.75 * hh + 0.5 * cash)
    canceled = ~refused & (rng.random(n) < np.where(cash, 0.33, np.where(revolving, 0.17, 0.02)))
    unused = ~refused & ~canceled & consumer & (rng.random(n) < 0.036)
    approved = ~(refused | canceled | unused)
    status = np.select([approved, refused, canceled], [0, 1, 2], 3)
    cols["NAME_CONTRACT_STATUS"] = _text(status, _levels(PREVIOUS_APPLICATION, "NAME_CONTRACT_STATUS"))
    # loans that ran are older on average than the applications that did not
    decision = -np.round(2_920 * rng.random(n) ** np.where(approved, 1.5, 2.6)) - 1
    cols["DAYS_DECISION"] = decision

    inc = income[owner]
    asked = np.where(
        consumer,
        np.exp(rng.normal(np.log(60_000), 0.9, n)),
        np.where(
            cash,
            np.exp(np.log(inc) + 0.45 + 0.7 * rng.standard_normal(n)),
            rng.choice((45_000, 90_000, 135_000, 180_000, 225_000, 270_000), n),
        ),
    )
    asked = np.round(np.clip(asked, 2_000, 4e6) / 450) * 450
    zero_ask = (canceled & cash & (rng.random(n) < 0.8)) | (revolving & (rng.random(n) < 0.5))
    asked = np.where(zero_ask, 0.0, asked)
    cols["AMT_APPLICATION"] = asked
    granted = np.where(
        approved | unused, asked * np.where(cash, rng.uniform(1.0, 1.25, n), rng.uniform(0.9, 1.1, n)), asked
    )
    cols["AMT_CREDIT"] = np.round(granted, 2)
    down_rate = np.where(rng.random(n) < 0.5, 0.0, rng.beta(1.2, 6, n))
    cols["AMT_DOWN_PAYMENT"] = _masked(np.round(asked * down_rate, 2), ~consumer)
    cols["RATE_DOWN_PAYMENT"] = _masked(np.round(down_rate, 6), ~consumer)
    cols["AMT_GOODS_PRICE"] = _masked(asked, zero_ask)
    term = np.where(
        consumer,
        rng.choice((4, 6, 8, 10, 12, 18, 24), n, p=(0.08, 0.25, 0.08, 0.2, 0.25, 0.07, 0.07)),
        np.where(
            cash, rng.choice((6, 12, 18, 24, 30, 36, 48, 60), n, p=(0.05, 0.3, 0.12, 0.25, 0.05, 0.15, 0.05, 0.03)), 0
        ),
    )
    no_terms = zero_ask | revolving
    cols["CNT_PAYMENT"] = _masked(term.astype(float), zero_ask)
    annuity = np.where(revolving, 0.05 * granted, _annuity(granted, rng.uniform(0.005, 0.03, n), term))
    cols["AMT_ANNUITY"] = _masked(np.round(annuity, 3), zero_ask)
    cols["WEEKDAY_APPR_PROCESS_START"] = _text(
        _pick(rng, n, (0.148, 0.146, 0.152, 0.148, 0.158, 0.144, 0.103)), WEEKDAYS
    )
    cols["HOUR_APPR_PROCESS_START"] = np.clip(np.round(rng.normal(12.5, 3.3, n)), 0, 23)
    cols["FLAG_LAST_APPL_PER_CONTRACT"] = _text((rng.random(n) < 0.005).astype(int), ("Y", "N"))
    cols["NFLAG_LAST_APPL_IN_DAY"] = (rng.random(n) < 0.997).astype(int)
    rate_known = rng.random(n) < 0.004
    cols["RATE_INTEREST_PRIMARY"] = _masked(np.round(np.clip(rng.normal(0.185, 0.03, n), 0.03, 1), 6), ~rate_known)
    cols["RATE_INTEREST_PRIVILEGED"] = _masked(np.round(np.clip(rng.normal(0.8, 0.08, n), 0.37, 1), 6), ~rate_known)
    purposes = _levels(PREVIOUS_APPLICATION, "NAME_CASH_LOAN_PURPOSE", "XAP", "XNA")
    stated = np.where(rng.random(n) < 0.06, _draw(rng, n, purposes, _PURPOSE_SHARES), purposes.index("XNA"))
    cols["NAME_CASH_LOAN_PURPOSE"] = _text(np.where(cash, stated, purposes.index("XAP")), purposes)
    cols["NAME_PAYMENT_TYPE"] = _text(
        np.where(approved | (rng.random(n) < 0.05), _pick(rng, n, (0.985, 0.013, 0.002)), 3),
        _levels(PREVIOUS_APPLICATION, "NAME_PAYMENT_TYPE", "XNA"),
    )
    reasons = _levels(PREVIOUS_APPLICATION, "CODE_REJECT_REASON", "XAP")
    shares = {"HC": 0.6, "LIMIT": 0.19, "SCO": 0.13, "SCOFR": 0.045, "VERIF": 0.03, "SYSTEM": 0.005}
    reason = np.where(refused, _draw(rng, n, reasons, shares), reasons.index("XAP"))
    cols["CODE_REJECT_REASON"] = _text(np.where(unused, reasons.index("CLIENT"), reason), reasons)
    cols["NAME_TYPE_SUITE"] = _text(
        _pick(rng, n, (0.6, 0.25, 0.079, 0.039, 0.01, 0.022, 0.003)), SUITES, rng.random(n) < 0.49
    )
    cols["NAME_CLIENT_TYPE"] = _text(
        _pick(rng, n, (0.737, 0.18, 0.082, 0.001)), _levels(PREVIOUS_APPLICATION, "NAME_CLIENT_TYPE", "XNA")
    )
    goods_cat = np.where(consumer, _pick(rng, n, _CONSUMER_GOODS_P), len(_CONSUMER_GOODS))
    cols["NAME_GOODS_CATEGORY"] = _text(goods_cat, (*_CONSUMER_GOODS, "XNA"))
    portfolio = np.where(consumer, 0, np.where(cash, np.where(zero_ask, 4, 1), np.where(zero_ask, 4, 2)))
    cols["NAME_PORTFOLIO"] = _text(portfolio, _levels(PREVIOUS_APPLICATION, "NAME_PORTFOLIO", "XNA"))
    product = np.where(cash & ~zero_ask, _pick(rng, n, (0.72, 0.28)), 2)
    cols["NAME_PRODUCT_TYPE"] = _text(product, _levels(PREVIOUS_APPLICATION, "NAME_PRODUCT_TYPE", "XNA"))
    channels = _levels(PREVIOUS_APPLICATION, "CHANNEL_TYPE")
    shop = {"Country-wide": 0.6, "Stone": 0.28, "Regional / Local": 0.117, "Car dealer": 0.003}
    office = {
        "Credit and cash offices": 0.8,
        "AP+ (Cash loan)": 0.13,
        "Contact center": 0.06,
        "Channel of corporate sales": 0.01,
    }
    channel = np.where(consumer, _draw(rng, n, channels, shop), _draw(rng, n, channels, office))
    cols["CHANNEL_TYPE"] = _text(channel, channels)
    office_area = np.where(rng.random(n) < 0.6, -1, rng.integers(0, 20, n))
    cols["SELLERPLACE_AREA"] = np.where(consumer, np.round(np.exp(rng.normal(4.5, 1.6, n))), office_area).clip(-1, 4e6)
    industries = _levels(PREVIOUS_APPLICATION, "NAME_SELLER_INDUSTRY", "XNA")
    industry_shares = (0.51, 0.33, 0.07, 0.035, 0.025, 0.02, 0.006, 0.002, 0.002, 0.0002)  # schema order
    cols["NAME_SELLER_INDUSTRY"] = _text(
        np.where(consumer, _pick(rng, n, industry_shares), industries.index("XNA")), industries
    )
    cols["NAME_YIELD_GROUP"] = _text(
        np.where(zero_ask | revolving, 4, _pick(rng, n, (0.08, 0.27, 0.34, 0.31))),
        _levels(PREVIOUS_APPLICATION, "NAME_YIELD_GROUP", "XNA"),
    )
    products = _levels(PREVIOUS_APPLICATION, "PRODUCT_COMBINATION")
    pos_products = {
        "POS household with interest": 0.39,
        "POS mobile with interest": 0.3,
        "POS industry with interest": 0.14,
        "POS household without interest": 0.12,
        "POS other with interest": 0.025,
        "POS mobile without interest": 0.014,
        "POS industry without interest": 0.008,
        "POS others without interest": 0.003,
    }
    cash_products = {
        "Cash": 0.31,
        "Cash X-Sell: middle": 0.17,
        "Cash X-Sell: low": 0.16,
        "Cash X-Sell: high": 0.075,
        "Cash Street: high": 0.085,
        "Cash Street: middle": 0.045,
        "Cash Street: low": 0.045,
    }
    card_products = {"Card Street": 0.59, "Card X-Sell": 0.41}
    combination = np.where(
        consumer,
        _draw(rng, n, products, pos_products),
        np.where(cash, _draw(rng, n, products, cash_products), _draw(rng, n, products, card_products)),
    )
    cols["PRODUCT_COMBINATION"] = _text(combination, products)
    first_due = np.where(revolving, DAYS_SENTINEL, decision + rng.integers(20, 45, n))
    last_due_plan = np.where(revolving, DAYS_SENTINEL, first_due + 30 * np.maximum(term - 1, 0))
    finished = ~revolving & (last_due_plan < 0)
    early_close = finished & (rng.random(n) < 0.3)
    last_due = np.where(
        finished, np.where(early_close, np.round((first_due + last_due_plan) / 2), last_due_plan), DAYS_SENTINEL
    )
    termination = np.where(finished, np.minimum(last_due + rng.integers(0, 10, n), 0), DAYS_SENTINEL)
    mask = ~approved
    cols["DAYS_FIRST_DRAWING"] = _masked(np.where(revolving, decision + rng.integers(2, 30, n), DAYS_SENTINEL), mask)
    cols["DAYS_FIRST_DUE"] = _masked(first_due, mask)
    cols["DAYS_LAST_DUE_1ST_VERSION"] = _masked(last_due_plan, mask)
    cols["DAYS_LAST_DUE"] = _masked(last_due, mask)
    cols["DAYS_TERMINATION"] = _masked(termination, mask)
    cols["NFLAG_INSURED_ON_APPROVAL"] = _masked((rng.random(n) < 0.33).astype(float), mask)
    previous = _frame(cols, PREVIOUS_APPLICATION)

    # ---- loans that ran: POS/cash loans (monthly POS + instalments) and cards ----
    loan_behaviour = hh + 0.5 * rng.standard_normal(n)
    paying = approved & ~revolving & ~no_terms
    elapsed = np.floor(-first_due / 30.44).astype(int) + 1
    paid_count = np.where(paying, np.clip(np.minimum(term, elapsed), 0, 96), 0)
    parent, k = _segments(paid_count)
    lb = loan_behaviour[parent]
    m = len(parent)
    due_day = first_due[parent] + 30 * k
    due_day = np.minimum(due_day, -1)
    late = rng.random(m) < _sigmoid(-3.1 + 1.25 * lb)
    delay = np.where(late, rng.geometric(0.08, m), -rng.integers(0, 25, m))
    entry = np.minimum(due_day + delay, -1)
    due_amount = np.round(annuity[parent], 3)
    short = rng.random(m) < _sigmoid(-4.6 + 1.2 * lb)
    paid = np.where(short, np.round(due_amount * rng.uniform(0.0, 0.9, m), 3), due_amount)
    # some instalments are paid in two parts: a second row for the same instalment
    split = rng.random(m) < 0.16
    rows = np.concatenate([np.arange(m), np.flatnonzero(split)])
    part = np.concatenate([np.where(split, 0.6, 1.0), np.full(split.sum(), 0.4)])
    order = np.lexsort((rows, parent[rows]))
    rows, part = rows[order], part[order]
    installments = _frame(
        {
            "SK_ID_PREV": prev_ids[parent][rows],
            "SK_ID_CURR": ids[owner][parent][rows],
            "NUM_INSTALMENT_VERSION": np.where(k[rows] == 0, 1.0, np.where(rng.random(len(rows)) < 0.1, 2.0, 1.0)),
            "NUM_INSTALMENT_NUMBER": k[rows] + 1,
            "DAYS_INSTALMENT": due_day[rows],
            "DAYS_ENTRY_PAYMENT": np.where(part < 1, entry[rows] - rng.integers(0, 5, len(rows)), entry[rows]),
            "AMT_INSTALMENT": due_amount[rows],
            "AMT_PAYMENT": np.round(paid[rows] * part, 3),
        },
        INSTALLMENTS_PAYMENTS,
    )

    # not every running loan reports monthly POS records (as in the real data)
    reports_monthly = paying & (rng.random(n) < 0.86)
    pos_months = np.where(reports_monthly, np.clip(np.minimum(term, np.floor(-decision / 30.44).astype(int)), 1, 96), 0)
    parent, k = _segments(pos_months)
    m = len(parent)
    start = np.floor(decision / 30.44)[parent]
    month = np.minimum(start + k, -1)
    term_p = term[parent].astype(float)
    future = np.clip(term_p - k, 0, None)
    dpd_loan = (rng.random(len(prev_ids)) < _sigmoid(-3.2 + 1.3 * loan_behaviour))[parent]
    dpd = np.where(dpd_loan & (rng.random(m) < 0.3), rng.geometric(0.05, m), 0)
    pos_status = np.where(future == 0, 1, 0)
    pos_status = np.where((k == 0) & (rng.random(m) < 0.1), 2, pos_status)
    pos = _frame(
        {
            "SK_ID_PREV": prev_ids[parent],
            "SK_ID_CURR": ids[owner][parent],
            "MONTHS_BALANCE": month,
            "CNT_INSTALMENT": _masked(term_p, rng.random(m) < 0.003),
            "CNT_INSTALMENT_FUTURE": _masked(future, rng.random(m) < 0.003),
            "NAME_CONTRACT_STATUS": _text(pos_status, _levels(POS_CASH_BALANCE, "NAME_CONTRACT_STATUS")),
            "SK_DPD": dpd,
            "SK_DPD_DEF": np.where(rng.random(m) < 0.2, dpd, 0),
        },
        POS_CASH_BALANCE,
    )

    card = approved & revolving & (rng.random(n) < 0.76)  # some cards never report monthly
    card_months = np.where(card, np.clip(np.floor(-decision / 30.44).astype(int), 1, 96), 0)
    parent, k = _segments(card_months)
    m = len(parent)
    limit = rng.choice((45_000, 90_000, 135_000, 180_000, 225_000, 270_000, 450_000), len(prev_ids))[parent].astype(
        float
    )
    use = _sigmoid(-1.2 + 1.2 * loan_behaviour[parent] + 0.8 * rng.standard_normal(m))
    idle = rng.random(m) < 0.35
    balance = np.where(idle, 0.0, np.round(limit * use * 1.05, 3))
    no_drawing = idle | (rng.random(m) < 0.65)
    drawings = np.where(no_drawing, 0.0, np.round(limit * rng.beta(0.6, 6, m), 2))
    atm_share = rng.random(m)
    min_payment = np.round(balance * 0.05, 2)
    payment = np.where(balance > 0, np.round(min_payment * rng.uniform(1, 6, m), 2), 0.0)
    card_dpd = np.where(rng.random(m) < _sigmoid(-4.6 + 1.3 * loan_behaviour[parent]), rng.geometric(0.1, m), 0)
    detail_missing = rng.random(m) < 0.2
    atm_count = np.where(drawings > 0, rng.integers(0, 4, m), 0)
    pos_count = np.where(drawings > 0, rng.integers(0, 8, m), 0)
    credit_card = _frame(
        {
            "SK_ID_PREV": prev_ids[parent],
            "SK_ID_CURR": ids[owner][parent],
            "MONTHS_BALANCE": -card_months[parent] + k,
            "AMT_BALANCE": balance,
            "AMT_CREDIT_LIMIT_ACTUAL": limit,
            "AMT_DRAWINGS_ATM_CURRENT": _masked(np.round(drawings * atm_share, 2), detail_missing),
            "AMT_DRAWINGS_CURRENT": drawings,
            "AMT_DRAWINGS_OTHER_CURRENT": _masked(np.zeros(m), detail_missing),
            "AMT_DRAWINGS_POS_CURRENT": _masked(np.round(drawings * (1 - atm_share), 2), detail_missing),
            "AMT_INST_MIN_REGULARITY": _masked(min_payment, rng.random(m) < 0.075),
            "AMT_PAYMENT_CURRENT": _masked(payment, detail_missing),
            "AMT_PAYMENT_TOTAL_CURRENT": payment,
            "AMT_RECEIVABLE_PRINCIPAL": np.round(balance * 0.96, 3),
            "AMT_RECIVABLE": balance,
            "AMT_TOTAL_RECEIVABLE": balance,
            "CNT_DRAWINGS_ATM_CURRENT": _masked(atm_count.astype(float), detail_missing),
            "CNT_DRAWINGS_CURRENT": atm_count + pos_count,
            "CNT_DRAWINGS_OTHER_CURRENT": _masked(np.zeros(m), detail_missing),
            "CNT_DRAWINGS_POS_CURRENT": _masked(pos_count.astype(float), detail_missing),
            "CNT_INSTALMENT_MATURE_CUM": _masked(k.astype(float), rng.random(m) < 0.075),
            "NAME_CONTRACT_STATUS": _text(
                np.where(rng.random(m) < 0.035, 1, 0), _levels(CREDIT_CARD_BALANCE, "NAME_CONTRACT_STATUS")
            ),
            "SK_DPD": card_dpd,
            "SK_DPD_DEF": np.where(card_dpd > 30, card_dpd // 10, 0),
        },
        CREDIT_CARD_BALANCE,
    )
    return previous, pos, installments, credit_card


class _Writer:
    """Appends chunks to one file per table (CSV or Parquet) without holding them all."""

    def __init__(self, folder: Path, fmt: Format):
        self.folder, self.fmt = folder, fmt
        self.csv_files: dict[str, BinaryIO] = {}
        self.parquet_files: dict[str, Any] = {}  # pyarrow ParquetWriter
        self.rows: dict[str, int] = {}

    def write(self, name: str, frame: pl.DataFrame) -> None:
        self.rows[name] = self.rows.get(name, 0) + frame.height
        path = self.folder / f"{name}.{self.fmt}"
        if self.fmt == "csv":
            first = name not in self.csv_files
            if first:
                self.csv_files[name] = path.open("wb")
            frame.write_csv(self.csv_files[name], include_header=first)
            return
        import pyarrow.parquet as pq

        table = frame.to_arrow()
        if name not in self.parquet_files:
            self.parquet_files[name] = pq.ParquetWriter(path, table.schema, compression="zstd")
        self.parquet_files[name].write_table(table)

    def close(self) -> None:
        for handle in [*self.csv_files.values(), *self.parquet_files.values()]:
            handle.close()


def generate(
    out: str | Path,
    applicants: int,
    test_applicants: int = 0,
    *,
    seed: int = 0,
    fmt: Format = "csv",
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write the synthetic tables to ``out``; returns the row count of each table."""
    if applicants < 1 or test_applicants < 0:
        raise ValueError("need at least one training applicant and a non-negative test count")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    total = applicants + test_applicants
    is_test = np.zeros(total, dtype=bool)
    is_test[np.random.default_rng([seed, 0]).choice(total, test_applicants, replace=False)] = True
    writer = _Writer(folder, fmt)
    next_bureau, next_prev = FIRST_SK_ID_BUREAU, FIRST_SK_ID_PREV
    started = time.perf_counter()
    try:
        for chunk, first in enumerate(range(0, total, CHUNK_APPLICANTS)):
            rng = np.random.default_rng([seed, chunk + 1])
            ids = np.arange(first, min(first + CHUNK_APPLICANTS, total), dtype=np.int64) + FIRST_SK_ID_CURR
            people = _applications(rng, ids)
            test_rows = pl.Series(is_test[ids - FIRST_SK_ID_CURR])
            writer.write(APPLICATION.name, people.frame.filter(~test_rows))
            if test_applicants:
                writer.write(APPLICATION_TEST.name, people.frame.filter(test_rows).drop("TARGET"))
            bureau, balance = _bureau(rng, ids, people.h, next_bureau)
            next_bureau += bureau.height
            previous, pos, installments, cards = _previous(rng, ids, people.h, people.income, next_prev)
            next_prev += previous.height
            for name, frame in (
                ("bureau", bureau),
                ("bureau_balance", balance),
                ("previous_application", previous),
                ("POS_CASH_balance", pos),
                ("installments_payments", installments),
                ("credit_card_balance", cards),
            ):
                writer.write(name, frame)
            if progress:
                done = ids[-1] - FIRST_SK_ID_CURR + 1
                progress(
                    f"{done:,}/{total:,} applicants ({done / total:.0%}), "
                    f"{sum(writer.rows.values()):,} rows, {time.perf_counter() - started:.0f} s"
                )
    finally:
        writer.close()
    return dict(writer.rows)
