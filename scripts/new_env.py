"""``make env``: write ``.env`` for ``docker compose`` from ``.env.example``, every secret generated.

Passwords for Postgres, MinIO and MLflow's users (and its CSRF secret); an API key for each client, given to the client (``UI_*_API_KEY``,
``EXPLAINER_SCORING_API_KEY``, ``LENDER_API_KEY``, ``OPS_API_KEY``), and the services' lists of
clients (``*_API_CLIENTS``), which hold only the keys' SHA-256; the dashboard's users ``officer``,
``risk`` and ``ops`` (``UI_USERS``: scrypt hashes; their passwords ``DASHBOARD_*_PASSWORD``). An existing ``.env`` is kept
unless ``--force``. Other clients: ``credit-scoring-api new-key``.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import sys
from pathlib import Path

from credit_core.auth import ApiClient, new_key
from credit_ui.users import demo_users

ROOT = Path(__file__).resolve().parents[1]
# the clients of each service: (name, the variable its key is given in, its scopes there)
CLIENTS = {
    "SCORING": [
        ("ui", "UI_SCORING_API_KEY", ["score", "applicants:read", "model:read"]),
        ("explainer", "EXPLAINER_SCORING_API_KEY", ["applicants:read", "decisions:read"]),
        ("lender", "LENDER_API_KEY", ["score", "decisions:read", "outcomes:write"]),
        ("ops", "OPS_API_KEY", ["decisions:read", "model:read", "admin"]),
    ],
    "EXPLAINER": [
        ("ui", "UI_EXPLAINER_API_KEY", ["explain", "model:read"]),
        ("ops", "OPS_API_KEY", ["model:read", "admin"]),
    ],
    "MONITOR": [
        ("ui", "UI_MONITOR_API_KEY", ["drift:read"]),
        ("ops", "OPS_API_KEY", ["drift:read", "drift:run"]),
    ],
}
PASSWORDS = (
    "POSTGRES_PASSWORD",
    "MINIO_ROOT_PASSWORD",
    "MLFLOW_ADMIN_PASSWORD",
    "MLFLOW_SECRET_KEY",
    "MLFLOW_TRAINER_PASSWORD",
    "MLFLOW_SERVICES_PASSWORD",
)


def generated() -> dict[str, str]:
    """Every secret of the compose stack, new."""
    values = {name: secrets.token_urlsafe(24) for name in PASSWORDS}
    for service, clients in CLIENTS.items():
        entries = []
        for client, variable, scopes in clients:
            values.setdefault(variable, new_key())  # one key per client, whichever services it calls
            entries.append(ApiClient.with_key(client, values[variable], scopes).model_dump(mode="json"))
        values[f"{service}_API_CLIENTS"] = json.dumps(entries, separators=(",", ":"))
    users, passwords = demo_users()  # the dashboard's: one per role
    values["UI_USERS"] = users.model_dump_json()
    values |= {f"DASHBOARD_{role.upper()}_PASSWORD": password for role, password in passwords.items()}
    return values


def env_text(example: str, values: dict[str, str]) -> str:
    """``example`` with the value of each variable of ``values`` replaced (single-quoted: JSON is
    read as written by compose, python-dotenv and the shell)."""
    missing = [name for name in values if not re.search(rf"^{name}=", example, re.M)]
    if missing:
        raise ValueError(f".env.example has no line for {', '.join(missing)}")
    for name, value in values.items():
        line = f"{name}='{value}'"
        example = re.sub(rf"^{name}=.*$", lambda _, line=line: line, example, flags=re.M)  # type: ignore[misc]
    return example


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=ROOT / ".env")
    parser.add_argument("--force", action="store_true", help="replace an existing file (its secrets are lost)")
    args = parser.parse_args()
    if args.output.exists() and not args.force:
        sys.exit(f"{args.output} exists: kept (--force replaces it, and every secret in it)")
    text = env_text((ROOT / ".env.example").read_text(), generated())
    args.output.touch(mode=0o600)
    args.output.write_text(text)
    args.output.chmod(0o600)
    print(f"wrote {args.output} (mode 600): new passwords, API keys and the services' clients")


if __name__ == "__main__":
    main()
