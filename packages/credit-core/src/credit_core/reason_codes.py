"""The reason-code catalogue (``reason_codes.json``, versioned): every model feature under one code,
with its text in English and French and whether it may be given to an applicant. Protected or
meaningless attributes (sex, family situation, age, hour of application, region, the social
circle) are under codes that are never given. Pure Python (the dashboard reads it);
:mod:`credit_core.reasons` chooses the codes of a refusal.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from credit_core.catalogue import feature_catalogue

Language = Literal["en", "fr"]
MAX_REASONS = 4


class ReasonCode(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[A-Z][0-9]{2}$")
    applicant_facing: bool = Field(description="False: never given as a principal reason")
    why_not: str | None = Field(default=None, description="Why a code is not applicant-facing")
    en: str
    fr: str
    groups: tuple[str, ...] = ()
    features: tuple[str, ...] = ()

    def text(self, language: str = "en") -> str:
        return self.fr if language == "fr" else self.en


class ReasonCatalogue(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    about: str
    codes: tuple[ReasonCode, ...]

    def get(self, code: str) -> ReasonCode:
        return next(c for c in self.codes if c.code == code)

    def code_of(self) -> dict[str, str]:
        """Model feature -> its code (a feature named by a code wins over its group's code).

        Raises ValueError when a feature has no code, or two, or a code names an unknown
        feature or group."""
        catalogue = feature_catalogue()
        groups = {f["group"] for f in catalogue}
        names = {f["name"] for f in catalogue}
        by_name: dict[str, str] = {}
        by_group: dict[str, str] = {}
        for code in self.codes:
            for target, given, known in ((by_name, code.features, names), (by_group, code.groups, groups)):
                for item in given:
                    if item not in known:
                        raise ValueError(f"reason code {code.code}: no feature or group {item!r}")
                    if item in target:
                        raise ValueError(f"{item!r} is under reason codes {target[item]} and {code.code}")
                    target[item] = code.code
        missing = [f["name"] for f in catalogue if f["name"] not in by_name and f["group"] not in by_group]
        if missing:
            raise ValueError(f"features without a reason code: {', '.join(missing)}")
        return {f["name"]: by_name.get(f["name"], by_group.get(f["group"], "")) for f in catalogue}


@cache
def reason_catalogue() -> ReasonCatalogue:
    """The shipped catalogue, checked: every model feature under exactly one code."""
    text = resources.files("credit_core").joinpath("reason_codes.json").read_text(encoding="utf-8")
    catalogue = ReasonCatalogue.model_validate(json.loads(text))
    catalogue.code_of()
    return catalogue
