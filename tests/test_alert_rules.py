"""The alert rules (deploy/prometheus/alerts.yml) with Debian's promtool: valid, each alert tested
where it fires and where it does not, and only on metrics the services export."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

RULES = Path(__file__).parents[1] / "deploy" / "prometheus"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool missing: apt-get install prometheus")


def _alerts() -> dict[str, str]:
    groups = yaml.safe_load((RULES / "alerts.yml").read_text())["groups"]
    return {rule["alert"]: rule["expr"] for group in groups for rule in group["rules"]}


@needs_promtool
def test_the_rules_are_valid_and_their_unit_tests_pass() -> None:
    for command in (["check", "rules", "alerts.yml"], ["test", "rules", "alerts_test.yml"]):
        done = subprocess.run([PROMTOOL, *command], cwd=RULES, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


@needs_promtool
def test_promtool_fails_a_rule_test_that_expects_the_wrong_thing(tmp_path: Path) -> None:
    """The unit tests can fail: the same tests against rules whose threshold is moved do."""
    rules = (RULES / "alerts.yml").read_text().replace("> 64e6", "> 640e6")
    (tmp_path / "alerts.yml").write_text(rules)
    shutil.copy(RULES / "alerts_test.yml", tmp_path)
    command = [PROMTOOL, "test", "rules", "alerts_test.yml"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "CreditPredictionLogBacklog" in done.stdout + done.stderr


def test_each_alert_is_tested_firing_and_quiet() -> None:
    tests = yaml.safe_load((RULES / "alerts_test.yml").read_text())["tests"]
    cases = [case for test in tests for case in test["alert_rule_test"]]
    for alert in _alerts():
        mine = [case for case in cases if case["alertname"] == alert]
        assert any(case["exp_alerts"] for case in mine), f"{alert}: no case where it fires"
        assert any(not case["exp_alerts"] for case in mine), f"{alert}: no case where it stays quiet"


def test_the_rules_use_only_metrics_the_services_export() -> None:
    import credit_explainer.main  # noqa: F401  (each service's metrics registered)
    import credit_monitor.telemetry  # noqa: F401
    import credit_scoring_api.telemetry  # noqa: F401
    from prometheus_client import REGISTRY

    exported = set()
    for family in REGISTRY.collect():
        suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum")}.get(family.type, ("",))
        exported |= {family.name + suffix for suffix in suffixes}
    for alert, expr in _alerts().items():
        used = set(re.findall(r"\b(?:scoring|explainer|monitor)_[a-z0-9_]+", expr))
        assert used and used <= exported, f"{alert} uses {sorted(used - exported)}, which no service exports"
