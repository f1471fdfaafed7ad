"""API clients: keys kept as hashes, looked up in constant time, scopes; settings that would let
two clients be confused are refused."""

from __future__ import annotations

import hashlib

import pytest
from credit_core.auth import KEY_PREFIX, SCOPES, ApiClient, authorise, client_named_by, new_key
from credit_core.settings import ServiceSettings
from fastapi import HTTPException
from pydantic import ValidationError


def _settings(*clients: ApiClient, disabled: bool = False) -> ServiceSettings:
    return ServiceSettings(api_clients=list(clients), auth_disabled=disabled)


def test_a_key_is_known_by_its_hash_only() -> None:
    key = new_key()
    client = ApiClient.with_key("lender-a", key, ["score"])
    assert key.startswith(KEY_PREFIX) and len(key) > 40 and key not in client.model_dump_json()
    assert client.key_sha256 == hashlib.sha256(key.encode()).hexdigest()
    other = ApiClient.with_key("lender-b", new_key(), ["score", "outcomes:write"])
    settings = _settings(client, other)
    assert client_named_by(settings, key) == client
    assert client_named_by(settings, key + "x") is None and client_named_by(settings, None) is None
    assert new_key() != new_key()


def test_401_without_a_known_key_403_without_the_scope() -> None:
    settings = _settings(ApiClient.with_key("dashboard", "k1", ["score", "explain"]))
    assert authorise(settings, "k1", "score") == "dashboard"
    assert authorise(settings, "k1", None) == "dashboard"  # any scope: a known client
    with pytest.raises(HTTPException) as refused:
        authorise(settings, "k1", "admin")
    assert refused.value.status_code == 403 and "'dashboard' lacks the 'admin' scope" in refused.value.detail
    for key in (None, "", "k2"):
        with pytest.raises(HTTPException) as refused:
            authorise(settings, key, "score")
        assert refused.value.status_code == 401
    assert authorise(_settings(disabled=True), None, "admin") is None


@pytest.mark.parametrize(
    "entry, field",
    [
        ({"name": "a b", "key_sha256": "0" * 64, "scopes": ["score"]}, "name"),
        ({"name": "a", "key_sha256": "not-a-hash", "scopes": ["score"]}, "key_sha256"),
        ({"name": "a", "key_sha256": "0" * 64, "scopes": []}, "scopes"),
        ({"name": "a", "key_sha256": "0" * 64, "scopes": ["everything"]}, "scopes"),
        ({"name": "a", "key_sha256": "0" * 64, "scopes": ["score"], "key": "plain"}, "key"),
    ],
)
def test_a_malformed_client_is_refused_naming_the_field(entry: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ApiClient.model_validate(entry)
    assert refused.value.errors()[0]["loc"][0] == field


def test_two_clients_with_one_name_or_one_key_are_refused() -> None:
    a = ApiClient.with_key("a", "k", ["score"])
    with pytest.raises(ValidationError, match="same name"):
        _settings(a, ApiClient.with_key("a", "other", ["score"]))
    with pytest.raises(ValidationError, match="same key_sha256"):
        _settings(a, ApiClient.with_key("b", "k", SCOPES))


def test_clients_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = ApiClient.with_key("ui", "k", ["explain", "score"])
    monkeypatch.setenv("API_CLIENTS", f"[{entry.model_dump_json()}]")
    assert ServiceSettings().api_clients == [entry]
    assert '"scopes":["explain","score"]' in entry.model_dump_json()
