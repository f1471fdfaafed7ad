"""The monitor's Prometheus gauges, which deploy/prometheus/alerts.yml alerts on: the latest drift
run's status and flags, the cost it expects before outcomes with its limit, and the officers' override rate per model version beside the alert rate
and the minimum number of decisions (the monitor's settings, so that alert and dashboard agree).
The override gauges are refreshed whenever the summary is computed: after every drift run (the
scheduled runs keep them fresh) and on every GET /v1/overrides/summary."""

from __future__ import annotations

from credit_core.contracts.decisions import OverrideSummary
from credit_core.contracts.drift import EstimatedPerformance
from prometheus_client import Gauge

LATEST_STATUS = Gauge("monitor_latest_status", "1 for the status of the latest drift run", ["status"])
DATASET_DRIFT = Gauge("monitor_dataset_drift", "1 if the latest drift run raised the dataset-drift flag")
DRIFTED_IMPORTANCE = Gauge("monitor_drifted_importance", "Share of the model's importance that drifted, latest run")
ESTIMATED_COST = Gauge(
    "monitor_estimated_cost_per_1000", "Cost per 1,000 expected from the latest window's probabilities"
)
ESTIMATED_COST_LIMIT = Gauge(
    "monitor_estimated_cost_limit_per_1000", "Hold-out cost per 1,000 times 1 + MONITOR_ESTIMATED_COST_RISE"
)
ESTIMATED_DEFAULT_RATE = Gauge("monitor_estimated_default_rate", "Default rate expected in the latest window")
OVERRIDE_RATE = Gauge(
    "monitor_override_rate", "Share of a version's recent decisions officers changed", ["model_version"]
)
OVERRIDE_DECISIONS = Gauge("monitor_override_decisions", "A version's recent decisions", ["model_version"])
OVERRIDE_ALERT_RATE = Gauge("monitor_override_alert_rate", "Override rate above which ops are alerted")
OVERRIDE_MIN_DECISIONS = Gauge("monitor_override_min_decisions", "Decisions a version needs before its rate alerts")


def publish_status(status: str, statuses: tuple[str, ...], dataset_drift: bool, drifted_importance: float) -> None:
    for name in statuses:
        LATEST_STATUS.labels(name).set(1.0 if name == status else 0.0)
    DATASET_DRIFT.set(1.0 if dataset_drift else 0.0)
    DRIFTED_IMPORTANCE.set(drifted_importance)


def publish_estimate(estimated: EstimatedPerformance | None, rise: float) -> None:
    if estimated is None or estimated.cost_per_1000.value is None:
        return
    ESTIMATED_COST.set(estimated.cost_per_1000.value)
    ESTIMATED_DEFAULT_RATE.set(estimated.default_rate.value or 0.0)
    if estimated.holdout_cost_per_1000 is not None:
        ESTIMATED_COST_LIMIT.set(estimated.holdout_cost_per_1000 * (1 + rise))


def publish_overrides(summary: OverrideSummary) -> None:
    OVERRIDE_ALERT_RATE.set(summary.alert_rate)
    OVERRIDE_MIN_DECISIONS.set(summary.min_decisions)
    OVERRIDE_RATE.clear()  # versions with no decision in the window any more drop out
    OVERRIDE_DECISIONS.clear()
    for version in summary.versions:
        OVERRIDE_RATE.labels(version.model_version).set(version.rate)
        OVERRIDE_DECISIONS.labels(version.model_version).set(version.decisions)
