"""Prometheus rules pass promtool's checks and unit tests; the Grafana dashboard's queries parse."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
PROMETHEUS = ROOT / "k8s" / "prometheus"
RULES = PROMETHEUS / "rules.yml"
DASHBOARD = ROOT / "k8s" / "grafana" / "tradeguard-dashboard.json"
# Grafana's variables, replaced by values PromQL accepts so promtool can parse the panels.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$job": "risk|aml|finance"}


@pytest.fixture(scope="module")
def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.skip("promtool not installed (make test installs Debian's prometheus package)")
    return path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, timeout=120)


def rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel.get("targets", [])]


def test_ops_rules_pass_promtool_check(promtool: str) -> None:
    result = run(promtool, "check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr


def test_ops_rule_unit_tests_pass(promtool: str) -> None:
    tests = sorted(str(path) for path in (PROMETHEUS / "tests").glob("*.yml"))
    assert tests
    result = run(promtool, "test", "rules", *tests)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ops_rule_unit_tests_fail_on_a_wrong_expectation(promtool: str, tmp_path: Path) -> None:
    source = (PROMETHEUS / "tests" / "grpc_alerts_test.yml").read_text()
    broken = source.replace("../rules.yml", str(RULES)).replace("value: 0.25", "value: 0.3")
    (tmp_path / "broken_test.yml").write_text(broken)
    result = run(promtool, "test", "rules", str(tmp_path / "broken_test.yml"))
    assert result.returncode != 0


def test_ops_every_alert_has_a_firing_test() -> None:
    tested = "".join(path.read_text() for path in (PROMETHEUS / "tests").glob("*.yml"))
    for rule in rules():
        if "alert" in rule:
            assert f"alertname: {rule['alert']}" in tested, rule["alert"]


def test_ops_rules_follow_naming_conventions() -> None:
    for rule in rules():
        if "record" in rule:
            assert re.fullmatch(r"[a-z_]+:[a-z_]+:[a-z0-9_]+", rule["record"]), rule["record"]
        else:
            assert re.fullmatch(r"(?:[A-Z][a-z0-9]*)+", rule["alert"]), rule["alert"]
            assert rule["for"] and rule["labels"]["severity"] in {"critical", "warning"}
            assert rule["annotations"]["runbook_url"].startswith("https://")


def test_ops_runbook_has_a_section_per_alert() -> None:
    runbook = (PROMETHEUS / "runbooks.md").read_text().lower()
    for rule in rules():
        if "alert" in rule:
            anchor = rule["annotations"]["runbook_url"].rsplit("#", 1)[1]
            assert f"## {rule['alert'].lower()}" in runbook and anchor == rule["alert"].lower()


def test_ops_dashboard_queries_parse(promtool: str, tmp_path: Path) -> None:
    exprs = dashboard_exprs()
    recording = []
    for index, expr in enumerate(exprs):
        for variable, value in GRAFANA_VARIABLES.items():
            expr = expr.replace(variable, value)
        recording.append({"record": f"dashboard:panel:q{index}", "expr": expr})
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": recording}]}))
    result = run(promtool, "check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "metric",
    [
        "grpc_server_handled_total",
        "grpc_server_handling_seconds_bucket",
        "risk_probability_of_default_bucket",
        "risk_decisions_total",
        "risk_feature_psi",
        "aml_alerts_raised_total",
        "aml_alerts_open",
        "aml_reviews_total",
        "finance_quotes_total",
        "finance_premium_rate_bucket",
        "finance_dependency_errors_total",
    ],
)
def test_ops_dashboard_shows_metric(metric: str) -> None:
    assert any(re.search(rf"\b{metric}\b", expr) for expr in dashboard_exprs())


def test_ops_dashboard_panels_have_unique_ids_and_a_datasource_variable() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["query"] == "prometheus"
