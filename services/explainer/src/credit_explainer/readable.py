"""Values as a credit officer reads them (years, amounts, percentages), and reason sentences."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from credit_core.catalogue import YEAR_DAYS
from credit_core.schema import Unit

_FORMATS: dict[str, Callable[[float], str]] = {
    Unit.CURRENCY: lambda n: f"{n:,.0f}",
    Unit.DAYS: lambda n: f"{abs(n) / YEAR_DAYS:.1f} years",  # offsets before the application: how long ago
    Unit.DURATION: lambda n: f"{n:.1f} days",
    Unit.YEARS: lambda n: f"{n:.1f} years",
    Unit.MONTHS: lambda n: f"{n:.0f} months",
    Unit.RATIO: lambda n: f"{n * 100:.1f} %",
    Unit.MULTIPLE: lambda n: f"{n:.2f} x",
    Unit.FLAG: lambda n: "yes" if n >= 0.5 else "no",
    Unit.SCORE: lambda n: f"{n:.2f}",
    Unit.HOUR: lambda n: f"{int(n)}:00",
}


def readable(value: Any, unit: str) -> str:
    """One value in its unit: ``-438`` days -> ``1.2 years``, ``0.153`` ratio -> ``15.3 %``."""
    if value is None:
        return "not provided"
    if isinstance(value, str):
        return value
    number = float(value)
    if unit in _FORMATS:
        return _FORMATS[unit](number)
    return f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"


def short_label(label: str) -> str:
    """A label without its parenthetical detail, for sentences."""
    return re.sub(r"\s*\([^)]*\)", "", label).strip()


def reason_sentence(label: str, value: str, typical: str | None, categorical: bool, raises: bool) -> str:
    """``Years in the current job: 1.2 years (median 6.1 years) raised the risk``."""
    effect = "raised the risk" if raises else "lowered the risk"
    if typical is None:
        return f"{short_label(label)}: {value} {effect}"
    comparison = "most common" if categorical else "median"
    return f"{short_label(label)}: {value} ({comparison} {typical}) {effect}"
