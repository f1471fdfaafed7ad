"""``make env``: write ``.env`` for ``docker compose`` from ``.env.example``, every secret generated.

Passwords for Postgres (its owner, the scoring API's, the monitor's and MLflow's logins), MinIO and MLflow's users (and its CSRF secret); an API key for each client, given to the client (``UI_*_API_KEY``,
``EXPLAINER_SCORING_API_KEY``, ``LENDER_API_KEY``, ``OPS_API_KEY``), and the services' lists of
clients (``*_API_CLIENTS``), which hold only the keys' SHA-256; the dashboard's users ``officer``,
``risk`` and ``ops`` (``UI_USERS``: scrypt hashes; their passwords ``DASHBOARD_*_PASSWORD``). An existing ``.env`` is kept
unless ``--force``. Other clients: ``credit-scoring-api new-key``.

``--key-vault <vault>`` (Azure, docs/deploy-azure.md): the services' secrets go to that Key Vault
under the names the Bicep reads (``KEY_VAULT``), through the Azure CLI and never on its command
line; the output file keeps the rest (the clients' lists and the lender's and ops' keys).
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from credit_core.auth import ApiClient, new_key
from credit_ui.users import demo_users

ROOT = Path(__file__).resolve().parents[1]
# the clients of each service: (name, the variable its key is given in, its scopes there)
CLIENTS = {
    "SCORING": [
        (
            "ui",
            "UI_SCORING_API_KEY",
            ["score", "applicants:read", "model:read", "decisions:read", "decisions:override"],
        ),
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
        ("trainer", "TRAINER_MONITOR_API_KEY", ["retrain"]),  # the retrain loop
    ],
}
PASSWORDS = (
    "POSTGRES_PASSWORD",
    "SCORING_DB_PASSWORD",
    "MONITOR_DB_PASSWORD",
    "MLFLOW_DB_PASSWORD",
    "MINIO_ROOT_PASSWORD",
    "MLFLOW_ADMIN_PASSWORD",
    "MLFLOW_SECRET_KEY",
    "MLFLOW_TRAINER_PASSWORD",
    "MLFLOW_SERVICES_PASSWORD",
    "EVIDENTLY_SECRET",
)

# the Key Vault secret of each variable (deploy/azure/main.bicep reads them by these names; the
# dashboard's `ui-auth-secrets-toml` is written by hand, docs/deploy-azure.md)
KEY_VAULT = {"POSTGRES_PASSWORD": "postgres-admin-password"} | {
    name: name.lower().replace("_", "-")
    for name in (
        *[p for p in PASSWORDS if p not in ("POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD")],
        "UI_SCORING_API_KEY",
        "UI_EXPLAINER_API_KEY",
        "UI_MONITOR_API_KEY",
        "EXPLAINER_SCORING_API_KEY",
        "TRAINER_MONITOR_API_KEY",
    )
}


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


def to_key_vault(vault: str, values: dict[str, str]) -> dict[str, str]:
    """Each of ``KEY_VAULT``'s secrets set in ``vault`` (``az keyvault secret set``, the value
    from a file of this user's only); the values that stay (not in the vault)."""
    for variable, name in KEY_VAULT.items():
        with tempfile.NamedTemporaryFile("w", encoding="utf-8") as value:  # mode 600
            value.write(values[variable])
            value.flush()
            command = ["az", "keyvault", "secret", "set", "--vault-name", vault, "--name", name]
            subprocess.run([*command, "--file", value.name, "--encoding", "utf-8", "--output", "none"], check=True)  # noqa: S603 (the Azure CLI on PATH, no shell)
        print(f"{vault}: {name}", file=sys.stderr)
    return {name: value for name, value in values.items() if name not in KEY_VAULT}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=ROOT / ".env")
    parser.add_argument("--force", action="store_true", help="replace an existing file (its secrets are lost)")
    parser.add_argument(
        "--key-vault", metavar="VAULT", help="put the services' secrets in this Azure Key Vault instead"
    )
    args = parser.parse_args()
    if args.output.exists() and not args.force:
        sys.exit(f"{args.output} exists: kept (--force replaces it, and every secret in it)")
    values = generated()
    if args.key_vault:
        values = to_key_vault(args.key_vault, values)
    text = env_text((ROOT / ".env.example").read_text(), values)
    args.output.touch(mode=0o600)
    args.output.write_text(text)
    args.output.chmod(0o600)
    print(f"wrote {args.output} (mode 600): new passwords, API keys and the services' clients")


if __name__ == "__main__":
    main()
