"""Who is at the dashboard, and which pages they may open.

How people sign in (``UI_AUTH``):

- ``oidc``: Streamlit's own ``st.login`` with the OpenID provider of ``.streamlit/secrets.toml``
  (``[auth]``: Entra ID in Azure, see docs/deploy-azure.md); the roles are the values of the ID
  token's ``UI_OIDC_ROLES_CLAIM`` claim (Entra ID's app roles: ``roles``);
- ``local``: the users of ``UI_USERS_FILE`` or ``UI_USERS`` (:mod:`credit_ui.users`: scrypt
  password hashes), for docker compose and the demo;
- ``disabled``: nobody signs in and every page opens (the page tests only).

Roles: **officer** (applicant pages, new application, batch), **risk** (model page), **ops**
(monitoring). Nothing but the sign-in is shown before signing in, and a page a user's roles do
not cover is neither listed nor drawn.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from credit_ui.config import Settings
from credit_ui.i18n import t
from credit_ui.users import ROLES, Users, load, sign_in

PAGE_ROLES = {"page_applicant": "officer", "page_batch": "officer", "page_model": "risk", "page_monitoring": "ops"}
FAILED_SIGN_IN_PAUSE = 1.0  # seconds: guessing passwords through the form is slow


@dataclass(frozen=True)
class User:
    name: str
    roles: frozenset[str]

    def may_open(self, page: str) -> bool:
        return PAGE_ROLES[page] in self.roles


@st.cache_resource
def _local_users(file: str, inline: str) -> Users:
    return load(Path(file).read_text() if file else inline or "{}")


def _oidc_user(settings: Settings) -> User | None:
    if not st.user.is_logged_in:
        return None
    claims: Any = st.user.to_dict()
    name = claims.get("preferred_username") or claims.get("email") or claims.get("sub")
    roles = claims.get(settings.oidc_roles_claim) or []
    roles = [roles] if isinstance(roles, str) else roles
    return User(str(name), frozenset(r for r in roles if r in ROLES))


def signed_in(settings: Settings, language: str) -> User | None:
    """The user at the dashboard; None after showing the way in (then nothing else is drawn)."""
    if settings.auth == "disabled":
        return User("", frozenset(ROLES))
    if settings.auth == "oidc":
        user = _oidc_user(settings)
        if user is None and st.button(t("sign_in_oidc", language), key="sign_in_oidc"):
            st.login(settings.oidc_provider or None)
        return user
    user = st.session_state.get("user")
    if isinstance(user, User):
        return user
    users = _local_users(settings.users_file, settings.users)
    if not users.root:
        st.error(t("no_users", language))
        return None
    with st.form("sign_in"):
        st.subheader(t("sign_in", language))
        name = st.text_input(t("user_name", language), key="sign_in_name")
        password = st.text_input(t("password", language), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("sign_in", language))
    if submitted:
        found = sign_in(users, name.strip(), password)
        if found is None:
            time.sleep(FAILED_SIGN_IN_PAUSE)
            st.error(t("sign_in_failed", language))
            return None
        st.session_state["user"] = User(name.strip(), found.roles)
        st.rerun()
    return None


def sign_out_button(settings: Settings, user: User, language: str) -> None:
    if settings.auth == "disabled":
        return
    st.sidebar.caption(t("signed_in_as", language, name=user.name, roles=", ".join(sorted(user.roles))))
    if st.sidebar.button(t("sign_out", language), key="sign_out"):
        if settings.auth == "oidc":
            st.logout()
        st.session_state.clear()
        st.rerun()
