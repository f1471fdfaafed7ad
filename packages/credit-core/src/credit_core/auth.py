"""Who may call what: named API clients, their keys kept as hashes, and scopes per route.

A service is configured with its clients (``<PREFIX>_API_CLIENTS``, JSON), each
``{"name": ..., "key_sha256": ..., "scopes": [...]}``: the service holds the SHA-256 of a key,
never the key. A request's ``X-API-Key`` is hashed and compared with every client's hash in
constant time. No key, or a key of no client: 401. A client without the route's scope: 403.

Every route declares its scope with :func:`needs` (or takes the caller's name from
:func:`requirement`);
:func:`check_access` refuses to serve an app with a route that does not, other than the few open
to all (:data:`PUBLIC_PATHS`: liveness, readiness, metrics and the API's documentation), or one
with no client configured unless authentication is disabled explicitly (``*_AUTH_DISABLED``).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Annotated, Any, Literal, Protocol, get_args

from fastapi import Depends, FastAPI, HTTPException, Request, Security, status
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict, Field, field_serializer

Scope = Literal[
    "score",  # score an application or a stored applicant
    "applicants:read",  # read stored applicants: their applications and histories
    "decisions:read",  # read and replay recorded decisions, their overrides and notices
    "decisions:override",  # change a decision, for a named officer with a reason (kept beside it)
    "outcomes:write",  # report whether the applicant of a decision defaulted
    "model:read",  # the model in service: its card, importance, population
    "explain",  # the reasons of a score, counter-offers
    "drift:read",  # drift runs, reports and summary
    "drift:run",  # run drift detection, ask for a retrain
    "retrain",  # the trainer: claim a retrain request, read its labelled decisions, say what it did
    "admin",  # reload the model
]
SCOPES: tuple[Scope, ...] = get_args(Scope)
PUBLIC_PATHS = frozenset({"/health", "/ready", "/metrics", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})
KEY_PREFIX = "bsk_"  # recognisable by secret scanners, and by people

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="The client's API key")


def key_sha256(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiClient(BaseModel):
    """One client of a service, as configured."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$", description="Recorded with what it does")
    key_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the key, hex")
    scopes: frozenset[Scope] = Field(min_length=1)

    @field_serializer("scopes")
    def _in_order(self, scopes: frozenset[Scope]) -> list[str]:
        return sorted(scopes)

    @classmethod
    def with_key(cls, name: str, key: str, scopes: Iterable[str]) -> ApiClient:
        return cls.model_validate({"name": name, "key_sha256": key_sha256(key), "scopes": set(scopes)})


def new_key() -> str:
    """A new API key: 256 random bits."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


class AuthSettings(Protocol):
    @property
    def api_clients(self) -> list[ApiClient]: ...

    @property
    def auth_disabled(self) -> bool: ...


def client_named_by(settings: AuthSettings, key: str | None) -> ApiClient | None:
    """The client whose key this is; None if none is. Every client's hash is compared, in constant
    time, whether or not an earlier one matched."""
    if key is None:
        return None
    digest = key_sha256(key)
    found = None
    for client in settings.api_clients:
        if hmac.compare_digest(client.key_sha256, digest):
            found = client
    return found


def authorise(settings: AuthSettings, key: str | None, scope: Scope | None) -> str | None:
    """The name of the client this key belongs to, if it has ``scope`` (any client for None);
    None when authentication is disabled. 401 for no key or an unknown one, 403 without the scope."""
    if settings.auth_disabled:
        return None
    client = client_named_by(settings, key)
    if client is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing or invalid X-API-Key header")
    if scope is not None and scope not in client.scopes:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"client {client.name!r} lacks the {scope!r} scope")
    return client.name


@functools.cache
def requirement(scope: Scope) -> Any:
    """The dependency that admits the clients with ``scope`` and gives the caller's name. (A
    coroutine: FastAPI runs a plain function dependency in a worker thread, a hop per request.)"""

    async def required(request: Request, key: Annotated[str | None, Security(api_key_header)]) -> str | None:
        return authorise(request.app.state.settings, key, scope)

    required.scope = scope  # type: ignore[attr-defined]
    return required


def needs(scope: Scope) -> Any:
    """``dependencies=[needs("score")]`` on a router or a route."""
    return Depends(requirement(scope))


def route_scopes(app: FastAPI) -> dict[tuple[str, str | None], Scope | None]:
    """(method, path) -> the scope its first dependency requires (checked before any other, so
    that nothing, not even a 503, is said to a caller who may not call), for every API route."""
    return {
        (method, route.path): getattr(route.dependant.dependencies[0].call, "scope", None)
        if route.dependant.dependencies
        else None
        for route in iter_route_contexts(app.routes)
        if isinstance(route.original_route, APIRoute)
        for method in route.methods or ()
    }


def check_access(app: FastAPI, settings: AuthSettings) -> None:
    """Refuses to serve an app nobody may call (no client configured, and authentication not
    disabled explicitly) or with a route whose first dependency is not its scope (none, or one
    that could answer, e.g. 503, before the caller is known)."""
    prefix = getattr(settings, "model_config", {}).get("env_prefix", "")
    if not settings.api_clients and not settings.auth_disabled:
        raise RuntimeError(
            f"no API clients configured ({prefix}API_CLIENTS): give at least one (the new-key command of"
            f" credit-scoring-api makes one), or set {prefix}AUTH_DISABLED=true to let anyone call it (a demo only)"
        )
    unchecked = sorted(
        f"{method} {path}"
        for (method, path), scope in route_scopes(app).items()
        if not scope and path not in PUBLIC_PATHS
    )
    if unchecked:
        raise RuntimeError(f"routes that do not check the caller's scope first: {', '.join(unchecked)}")
