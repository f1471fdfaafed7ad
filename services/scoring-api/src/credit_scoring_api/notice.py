"""The notice to a refused applicant: the decision and its principal reasons in plain words, in
English or French, as HTML that prints cleanly.

The templates are ``notices/notice.<language>.html`` (``string.Template``); a lender puts its own
wording in place of ours by pointing ``SCORING_NOTICE_TEMPLATES`` at a folder holding its own
``notice.en.html`` and ``notice.fr.html``. Their placeholders:

``$lender`` (``SCORING_LENDER_NAME``), ``$date`` (today), ``$applicant`` (the applicant number, or
"—" once erased), ``$reasons`` (one ``<li>`` per principal reason, in the notice's language),
``$request_id``, ``$decided_at``, ``$model_version``, ``$reason_catalogue`` (the catalogue's
version). Every value is HTML-escaped.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path
from string import Template

from credit_core.contracts.decisions import DecisionWithOverrides
from credit_core.reason_codes import Language, reason_catalogue

from credit_scoring_api.config import Settings

TEMPLATES = Path(__file__).parent / "notices"
# inline styles only: no script, no remote resource
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"


def notice_html(record: DecisionWithOverrides, language: Language, settings: Settings) -> str:
    folder = settings.notice_templates or TEMPLATES
    template = Template((folder / f"notice.{language}.html").read_text(encoding="utf-8"))
    catalogue = reason_catalogue()
    reasons = "\n".join(f"<li>{html.escape(catalogue.get(r.code).text(language))}</li>" for r in record.reasons or [])
    values = {
        "lender": settings.lender_name,
        "date": f"{datetime.now(UTC):%Y-%m-%d}",
        "applicant": "—" if record.applicant_id is None else str(record.applicant_id),
        "request_id": record.request_id,
        "decided_at": f"{record.scored_at:%Y-%m-%d %H:%M} UTC",
        "model_version": record.model_version,
        "reason_catalogue": record.reason_catalogue or "—",
    }
    return template.substitute({k: html.escape(v) for k, v in values.items()} | {"reasons": reasons})
