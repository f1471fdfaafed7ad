"""``credit-scoring-api new-key``: a key shown once, and the entry that holds only its hash."""

from __future__ import annotations

import hashlib

from credit_core.auth import ApiClient, authorise
from credit_scoring_api.cli import app
from credit_scoring_api.config import Settings
from typer.testing import CliRunner


def test_new_key_prints_the_key_and_the_entry_with_its_hash() -> None:
    done = CliRunner().invoke(app, ["new-key", "--name", "lender-a", "--scope", "score", "--scope", "outcomes:write"])
    assert done.exit_code == 0, done.output
    lines = dict(line.split(":", 1) for line in done.output.splitlines())
    key, digest, entry = lines["key"].strip(), lines["key_sha256"].strip(), lines["entry"].strip()
    client = ApiClient.model_validate_json(entry)
    assert digest == client.key_sha256 == hashlib.sha256(key.encode()).hexdigest() and key not in entry
    assert client.name == "lender-a" and client.scopes == {"score", "outcomes:write"}
    settings = Settings(api_clients=[client])
    assert authorise(settings, key, "outcomes:write") == "lender-a"


def test_new_key_refuses_an_unknown_scope_or_a_bad_name() -> None:
    unknown = CliRunner().invoke(app, ["new-key", "--name", "x", "--scope", "everything"])
    assert unknown.exit_code == 2 and "unknown scope(s) everything" in unknown.output
    spaced = CliRunner().invoke(app, ["new-key", "--name", "two words", "--scope", "score"])
    assert spaced.exit_code == 2 and "--name" in spaced.output
