"""The services as the dashboard sees them: each call returns the data, or a message a person can
read when the service is down or refuses the request. A page never fails because one call did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from credit_ui.config import Settings


@dataclass(frozen=True)
class Answer:
    data: Any = None
    error: str | None = None  # message key of credit_ui.i18n, or the service's own detail
    status: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Service:
    def __init__(self, name: str, url: str, key: str, timeout: float):
        self.name = name
        headers = {"X-API-Key": key} if key else {}
        self.client = httpx.Client(base_url=url, headers=headers, timeout=timeout)

    def call(self, method: str, path: str, **kwargs: Any) -> Answer:
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError:
            return Answer(error="service_down", status=None)
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = None
            if isinstance(detail, list):  # 422: one entry per field
                detail = "; ".join(
                    f"{d.get('field')}: {d.get('message')}" if isinstance(d, dict) else str(d) for d in detail
                )
            return Answer(error=str(detail or "service_error"), status=response.status_code)
        content_type = response.headers.get("content-type", "")
        return Answer(data=response.json() if "json" in content_type else response.text, status=response.status_code)


@dataclass
class Services:
    scoring: Service
    explainer: Service
    monitor: Service

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        return cls(
            Service("scoring", settings.scoring_api_url, settings.scoring_api_key, settings.timeout),
            Service("explainer", settings.explainer_url, settings.explainer_api_key, settings.timeout),
            Service("monitor", settings.monitor_url, settings.monitor_api_key, settings.timeout),
        )
