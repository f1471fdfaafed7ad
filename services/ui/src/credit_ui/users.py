"""The dashboard's local users (docker compose, the demo): names, roles and scrypt password hashes,
in a JSON file (``UI_USERS_FILE``) or variable (``UI_USERS``); never a password.

    python -m credit_ui.users add users.json alice --role officer [--role risk] [--display-name "Alice M."]
    python -m credit_ui.users demo data/demo/users.json [--logins F]  # officer, risk, ops, new passwords

``add`` asks for the password (or reads it from standard input with ``--password-stdin``); both
print what they did, ``demo`` the passwords it made (shown once).
"""

from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import re
import secrets
import sys
from pathlib import Path
from typing import Literal, get_args

from credit_core.contracts.access import PERSON
from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError

Role = Literal["officer", "risk", "ops"]
ROLES: tuple[Role, ...] = get_args(Role)
SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # about 50 ms and 16 MB per check
MIN_PASSWORD = 12


class LocalUser(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    display_name: str | None = Field(default=None, max_length=100)
    roles: frozenset[Role] = Field(min_length=1)
    password_hash: str = Field(pattern=r"^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$")


class Users(RootModel[dict[str, LocalUser]]):
    """User name -> the user."""

    def check(self) -> Users:
        bad = [name for name in self.root if not _is_person(name)]
        if bad:
            raise ValueError(f"user names must match {PERSON}: {', '.join(bad)}")
        return self


def _is_person(name: str) -> bool:
    return re.fullmatch(PERSON, name) is not None


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT, maxmem=64 * 2**20)
    encode = base64.b64encode
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${encode(salt).decode()}${encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    _, n, r, p, salt, digest = stored.split("$")
    computed = hashlib.scrypt(
        password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), maxmem=64 * 2**20
    )
    return hmac.compare_digest(computed, base64.b64decode(digest))


# compared against when the user name is unknown, so that a wrong name costs as long as a wrong password
_NOBODY = hash_password(secrets.token_urlsafe(16))


def sign_in(users: Users, name: str, password: str) -> LocalUser | None:
    """The user, if the password is theirs."""
    user = users.root.get(name)
    matches = verify_password(password, user.password_hash if user else _NOBODY)
    return user if user is not None and matches else None


def load(text: str) -> Users:
    return Users.model_validate_json(text).check()


def _read(path: Path) -> Users:
    return load(path.read_text()) if path.exists() else Users({})


def _write(path: Path, users: Users) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(users.model_dump_json(indent=1) + "\n")


def new_password() -> str:
    return secrets.token_urlsafe(12)


def demo_users() -> tuple[Users, dict[str, str]]:
    """One user per role, with new passwords: the users, and the passwords to show."""
    passwords: dict[str, str] = {role: new_password() for role in ROLES}
    users = Users(
        {role: LocalUser(roles=frozenset([role]), password_hash=hash_password(pw)) for role, pw in passwords.items()}
    )
    return users, passwords


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m credit_ui.users", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add a user, or change their roles and password")
    add.add_argument("file", type=Path)
    add.add_argument("name")
    add.add_argument("--role", action="append", choices=ROLES, required=True)
    add.add_argument("--display-name")
    add.add_argument("--password-stdin", action="store_true")
    demo = commands.add_parser("demo", help="a file with one user per role and new passwords (kept if it exists)")
    demo.add_argument("file", type=Path)
    demo.add_argument("--logins", type=Path, help="also write the names and passwords here (mode 600), to show again")
    args = parser.parse_args(argv)
    if args.command == "demo":
        if args.file.exists():
            print(f"{args.file} exists: its users are kept")
            return
        users, passwords = demo_users()
        _write(args.file, users)
        logins = "".join(f"  {name:8} {password}\n" for name, password in passwords.items())
        if args.logins:
            args.logins.touch(mode=0o600)
            args.logins.write_text(logins)
        print(f"dashboard users written to {args.file}; user names and passwords:\n{logins}", end="")
        return
    if not _is_person(args.name):
        parser.error(f"the user name must match {PERSON}")
    password = (
        sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass(f"password for {args.name}: ")
    )
    if len(password) < MIN_PASSWORD:
        parser.error(f"the password must have at least {MIN_PASSWORD} characters")
    try:
        users = _read(args.file)
        user = LocalUser(
            display_name=args.display_name, roles=frozenset(args.role), password_hash=hash_password(password)
        )
    except (ValidationError, ValueError) as error:
        parser.error(str(error))
    _write(args.file, Users(users.root | {args.name: user}))
    print(f"{args.name} ({', '.join(sorted(args.role))}) written to {args.file}")


if __name__ == "__main__":
    main()
