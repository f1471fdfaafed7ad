"""Secrets given to a service are refused when they are placeholders or too short to be secret.

``Secret`` is a setting's type for a key or password it sends (empty: none is sent);
``DatabaseUrl`` checks the password of a database URL, when it has one.
Pydantic only: the dashboard uses it too.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote, urlsplit

from pydantic import AfterValidator

MIN_LENGTH = 16
PLACEHOLDERS = ("change-me", "changeme", "change_me", "replace-me", "your-", "<", "xxxx", "example", "password")


def weakness(secret: str) -> str | None:
    """Why ``secret`` is not one (None when it may be)."""
    lowered = secret.lower()
    placeholder = next((p for p in PLACEHOLDERS if p in lowered), None)
    if placeholder is not None:
        return f"it is a placeholder (contains {placeholder!r}): `make env` writes real ones"
    if len(secret) < MIN_LENGTH:
        return f"it has {len(secret)} characters, fewer than {MIN_LENGTH}"
    return None


def _strong(secret: str) -> str:
    why = weakness(secret) if secret else None
    if why:
        raise ValueError(f"not a secret: {why}")
    return secret


def _strong_password(url: str) -> str:
    password = urlsplit(url).password if "://" in url else None
    why = weakness(unquote(password)) if password else None
    if why:
        raise ValueError(f"the password in this URL is not a secret: {why}")
    return url


Secret = Annotated[str, AfterValidator(_strong)]
DatabaseUrl = Annotated[str, AfterValidator(_strong_password)]
