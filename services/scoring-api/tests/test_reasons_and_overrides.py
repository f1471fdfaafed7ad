"""Principal reasons in the answers and the record, stable across calls and restarts; an officer's
override kept beside the decision, and counted by the monitor; the notice to a refused applicant in
both languages. A trained champion and a real Postgres."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from credit_core.reason_codes import reason_catalogue
from support import requests_from_folder, scoring_client, spool_drained

pytestmark = pytest.mark.integration
KEY = {"X-API-Key": "test-key"}
OFFICER = KEY | {"X-On-Behalf-Of": "olivia"}


@pytest.fixture(scope="module")
def applications(synthetic: Path) -> list[dict[str, Any]]:
    return requests_from_folder(synthetic, 300, with_history=True)


def test_refusals_carry_their_reasons_the_same_every_time_and_after_a_restart(
    registry: str, database: str, applications: list[dict[str, Any]]
) -> None:
    with scoring_client(registry, database) as client:
        batch = client.post("/v1/scores/batch", json={"applications": applications}, headers=KEY).json()["scores"]
        refused = next(i for i, s in enumerate(batch) if s["decision"] == "refused")
        again = [client.post("/v1/scores", json=applications[refused], headers=KEY).json() for _ in range(100)]
        spool_drained(client)
        stored = client.get(f"/v1/decisions/{batch[refused]['request_id']}", headers=KEY).json()
    with scoring_client(registry, database) as restarted:
        after = restarted.post("/v1/scores", json=applications[refused], headers=KEY).json()

    withheld = {c.code for c in reason_catalogue().codes if not c.applicant_facing}
    refusals = [s for s in batch if s["decision"] == "refused"]
    assert refusals and all(1 <= len(s["reasons"]) <= 4 for s in refusals)
    assert all(r["code"] not in withheld and r["impact"] > 0 for s in refusals for r in s["reasons"])
    assert all(s["reasons"] is None and s["reason_catalogue"] is None for s in batch if s["decision"] == "granted")
    codes = [r["code"] for r in batch[refused]["reasons"]]
    assert all([r["code"] for r in a["reasons"]] == codes for a in [*again, after])
    assert [r["code"] for r in stored["reasons"]] == codes
    assert stored["reason_catalogue"] == reason_catalogue().version
    print(f"\n{len(refusals)} of {len(batch)} refused, each with 1-4 reasons; the same codes 101 times: {codes}")


def test_an_officer_overrides_a_refusal_and_the_notice_names_the_reasons(
    registry: str, database: str, applications: list[dict[str, Any]]
) -> None:
    with scoring_client(registry, database) as client:
        scores = client.post("/v1/scores/batch", json={"applications": applications[:100]}, headers=KEY).json()
        refused = next(s for s in scores["scores"] if s["decision"] == "refused")
        decision = f"/v1/decisions/{refused['request_id']}"
        spool_drained(client)
        notices = {
            lang: client.get(f"{decision}/notice", params={"language": lang}, headers=KEY) for lang in ("en", "fr")
        }
        change = {"decision": "granted", "reason": "verified-income", "comment": "Six months of payslips seen"}
        nameless = client.post(f"{decision}/overrides", json=change, headers=KEY)
        no_comment = client.post(f"{decision}/overrides", json=change | {"comment": ""}, headers=OFFICER)
        made = client.post(f"{decision}/overrides", json=change, headers=OFFICER)
        repeated = client.post(f"{decision}/overrides", json=change, headers=OFFICER)
        record = client.get(decision, headers=KEY).json()
        no_notice = client.get(f"{decision}/notice", headers=KEY)

    catalogue = reason_catalogue()
    for lang, notice in notices.items():
        assert notice.status_code == 200 and "default-src 'none'" in notice.headers["content-security-policy"]
        assert all(
            catalogue.get(r["code"]).text(lang).replace("'", "&#x27;") in notice.text for r in refused["reasons"]
        )
        assert refused["request_id"] in notice.text
    assert "Principales raisons" not in notices["en"].text and "raisons de notre décision" in notices["fr"].text
    assert nameless.status_code == 422 and "X-On-Behalf-Of" in nameless.json()["detail"]
    assert no_comment.status_code == 422
    assert made.status_code == 201 and repeated.status_code == 409
    assert record["decision"] == "refused" and record["final_decision"] == "granted"  # the model's decision stays
    (override,) = record["overrides"]
    assert override | {"overridden_at": None} == {
        "request_id": refused["request_id"],
        "overridden_at": None,
        "by": "olivia",
        "client": "test",
        "model_version": "1",
        "from_decision": "refused",
        "to_decision": "granted",
        "reason": "verified-income",
        "comment": "Six months of payslips seen",
    }
    assert no_notice.status_code == 409  # it stands as granted now

    # the monitor counts it: 1 of the 100 decisions of version 1, refused -> granted, for its reason
    from credit_monitor.db import override_summary

    engine = sa.create_engine(database)
    week_ago = datetime.now(UTC) - timedelta(days=7)
    summary = override_summary(engine, week_ago, alert_rate=0.005, min_decisions=20)
    quiet = override_summary(engine, week_ago, alert_rate=0.1, min_decisions=20)
    engine.dispose()
    (version,) = summary.versions
    assert (version.model_version, version.decisions, version.overridden, version.rate) == ("1", 100, 1, 0.01)
    assert (version.refused_to_granted, version.granted_to_refused) == (1, 0)
    assert summary.reasons["verified-income"] == 1 and sum(summary.reasons.values()) == 1
    assert summary.alert and version.above_alert and not quiet.alert

    # and exports it for the alert rule (deploy/prometheus/alerts.yml: CreditOverrideRateHigh)
    from credit_monitor.telemetry import publish_overrides
    from prometheus_client import generate_latest

    publish_overrides(summary)
    exported = generate_latest().decode()
    for line in (
        'monitor_override_rate{model_version="1"} 0.01',
        'monitor_override_decisions{model_version="1"} 100.0',
        "monitor_override_alert_rate 0.005",
        "monitor_override_min_decisions 20.0",
    ):
        assert line in exported, line
