"""Placeholders and short secrets are refused when a service reads its settings, naming the field."""

from __future__ import annotations

import pytest
from credit_core.secrets import Secret
from credit_core.settings import DatabaseSettings
from pydantic import ValidationError
from pydantic_settings import BaseSettings


class Caller(BaseSettings):
    api_key: Secret = ""


@pytest.mark.parametrize(
    "key, why",
    [("change-me-scoring", "placeholder"), ("CHANGEME0123456789", "placeholder"), ("short-key", "9 characters")],
)
def test_a_placeholder_or_short_key_is_refused(key: str, why: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Caller(api_key=key)
    error = refused.value.errors()[0]
    assert error["loc"] == ("api_key",) and why in error["msg"]


def test_no_key_or_a_real_one_is_accepted() -> None:
    assert Caller().api_key == "" and Caller(api_key="bsk_Xo3v9TqkE2mW7rZp1LcY").api_key


@pytest.mark.parametrize(
    "url, accepted",
    [
        ("sqlite:///data/scoring.db", True),
        ("postgresql+psycopg://postgres@127.0.0.1:5432/db", True),  # no password: trust or certificates
        ("postgresql+psycopg://bank:Q2xq9vT_3kLmN8pRwZ4y@db:5432/bank", True),
        ("postgresql+psycopg://bank:change-me-postgres@db:5432/bank", False),
        ("postgresql+psycopg://bank:postgres@db:5432/bank", False),
    ],
)
def test_a_database_url_with_a_weak_password_is_refused(url: str, accepted: bool) -> None:
    if accepted:
        assert DatabaseSettings(database_url=url).database_url == url
    else:
        with pytest.raises(ValidationError, match="password in this URL is not a secret"):
            DatabaseSettings(database_url=url)
