"""The services as the dashboard sees them: each call returns the service's answer parsed into its
contract (``credit_core.contracts``), or a message a person can read when the service is down or
refuses the request. A page never fails because one call did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from credit_ui.config import Settings

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Answer(Generic[T]):
    data: T | None = None
    error: str | None = None  # message key of credit_ui.i18n, or the service's own detail
    status: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def value(self) -> T:
        """The data of an answer that is ``ok``."""
        assert self.data is not None, self.error
        return self.data


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, list):  # 422: one entry per field
        detail = "; ".join(f"{d.get('field')}: {d.get('message')}" if isinstance(d, dict) else str(d) for d in detail)
    return str(detail or "service_error")


class Service:
    def __init__(self, name: str, url: str, key: str, timeout: float, user: str = ""):
        self.name = name
        headers = ({"X-API-Key": key} if key else {}) | ({"X-On-Behalf-Of": user} if user else {})
        self.client = httpx.Client(base_url=url, headers=headers, timeout=timeout)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response | Answer[Any]:
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError:
            return Answer(error="service_down")
        if response.status_code >= 400:
            return Answer(error=_detail(response), status=response.status_code)
        return response

    def call(self, method: str, path: str, model: type[M], **kwargs: Any) -> Answer[M]:
        """A JSON answer parsed into ``model``."""
        response = self._send(method, path, **kwargs)
        if isinstance(response, Answer):
            return response
        try:
            return Answer(data=model.model_validate_json(response.content), status=response.status_code)
        except ValidationError:  # not the contract: a different version of the service, or not ours
            return Answer(error="service_error", status=response.status_code)

    def text(self, method: str, path: str, **kwargs: Any) -> Answer[str]:
        """A text answer (CSV, HTML)."""
        response = self._send(method, path, **kwargs)
        if isinstance(response, Answer):
            return response
        return Answer(data=response.text, status=response.status_code)


@dataclass
class Services:
    scoring: Service
    explainer: Service
    monitor: Service

    @classmethod
    def from_settings(cls, settings: Settings, user: str = "") -> Services:
        """The services, each call naming ``user`` (``X-On-Behalf-Of``: recorded with the decision
        and in the access log)."""
        return cls(
            Service("scoring", settings.scoring_api_url, settings.scoring_api_key, settings.timeout, user),
            Service("explainer", settings.explainer_url, settings.explainer_api_key, settings.timeout, user),
            Service("monitor", settings.monitor_url, settings.monitor_api_key, settings.timeout, user),
        )
