"""The Prometheus rules in dashboards/prometheus: promtool, structure, coverage by unit tests."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "dashboards" / "prometheus" / "noc-rules.yml"
RULE_TESTS = ROOT / "dashboards" / "prometheus" / "noc-rules.test.yml"
NOC_SOURCES = sorted((ROOT / "noc").rglob("*.py"))  # metrics.py, metrics_health.py, ...

# the alerts the NOC needs; each must join the inventory for agency and site (or name the agency)
REQUIRED_ALERTS = {
    "NocDeviceUnreachable": "noc_device_up",
    "NocLinkDown": "noc_interface_oper_up",
    "NocInterfaceHighUtilization": "noc_interface_speed_bytes",
    "NocInterfaceErrors": "noc_interface_receive_errors_total",
    "NocPollerLag": "noc_scheduler_lag_seconds",
    "NocAgencyDisconnected": "noc_agency_connected",
    "NocSensorFailed": "noc_sensor_ok",
    "NocHighCpu": "noc_device_cpu_utilization_ratio",
}
SEVERITIES = {"critical", "warning", "info"}
_METRIC = re.compile(r"\b(noc_[a-z_]+|noc:[a-z0-9_:]+)\b(?![(_:])")


def exported_metric_names() -> set[str]:
    """Every sample name the NOC's /metrics can carry, read from the source of ``noc``."""
    names: set[str] = set()
    for source in NOC_SOURCES:
        for literal in re.findall(r'"(noc_[a-z_]+)"', source.read_text()):
            names |= {literal, f"{literal}_total"}  # counters are declared without _total
    names |= {f"noc_poll_module_{k}_total" for k in ("pdus", "retries", "timeouts", "errors")}
    return names


def metric_names(expr: str) -> set[str]:
    """The noc_* and noc:* names an expression reads (regex matchers on __name__ excluded)."""
    return set(_METRIC.findall(expr))


def load_rules() -> list[dict[str, Any]]:
    doc = yaml.safe_load(RULES.read_text())
    return [rule for group in doc["groups"] for rule in group["rules"]]


def promtool() -> str:
    exe = shutil.which("promtool")
    assert exe, ("promtool not found: it is in Debian's `prometheus` package "
                 "(apt-get install prometheus)")
    return exe


def test_promtool_check_rules():
    result = subprocess.run([promtool(), "check", "rules", str(RULES)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_promtool_unit_tests_pass():
    result = subprocess.run([promtool(), "test", "rules", RULE_TESTS.name], capture_output=True,
                            text=True, timeout=120, cwd=RULE_TESTS.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_required_alerts_exist_with_for_severity_and_annotations():
    alerts = {r["alert"]: r for r in load_rules() if "alert" in r}
    assert set(REQUIRED_ALERTS) <= set(alerts), set(REQUIRED_ALERTS) - set(alerts)
    for name, rule in alerts.items():
        assert re.fullmatch(r"\d+[smh]", str(rule.get("for", ""))), f"{name}: no `for:`"
        assert rule["labels"]["severity"] in SEVERITIES, name
        annotations = rule["annotations"]
        assert {"summary", "description"} <= set(annotations), name
        # Vietnamese summary for the operators, English description
        assert re.search(r"[^\x00-\x7f]", annotations["summary"]), f"{name}: summary not Vietnamese"
        assert annotations["description"].isascii(), f"{name}: description not English"


@pytest.mark.parametrize("alert", sorted(REQUIRED_ALERTS))
def test_alert_reads_its_metric_and_carries_agency(alert: str):
    rule = next(r for r in load_rules() if r.get("alert") == alert)
    expr = " ".join(rule["expr"].split())
    assert REQUIRED_ALERTS[alert] in metric_names(expr)
    if "noc_agency" in expr:  # agency alerts get the agency's Vietnamese name
        assert "group_left (name, kind)" in expr and "noc_agency_info" in expr
    elif alert != "NocPollerLag":  # device alerts get agency and site from the inventory
        assert re.search(r"on \(device\) group_left \(agency, site\) max by \(device, agency, "
                         r"site\) \(noc_device_info\)", expr), expr
        assert "{{ $labels.agency }}" in rule["annotations"]["summary"]


def test_rules_read_only_metrics_the_noc_exports_or_records():
    rules = load_rules()
    recorded = {r["record"] for r in rules if "record" in r}
    known = exported_metric_names() | recorded
    assert {"noc_device_up", "noc_interface_receive_bytes_total", "noc_sensor_ok",
            "noc_poll_module_timeouts_total", "noc_scheduler_lag_seconds"} <= known
    for rule in rules:
        unknown = metric_names(rule["expr"]) - known
        assert not unknown, f"{rule.get('alert') or rule.get('record')}: {unknown}"
    for name in recorded:  # level:metric:operations
        assert re.fullmatch(r"noc:[a-z0-9_]+:[a-z0-9_]+", name), name


def test_every_rule_is_covered_by_a_promtool_unit_test():
    tests = yaml.safe_load(RULE_TESTS.read_text())["tests"]
    fired = {case["alertname"] for t in tests for case in t.get("alert_rule_test", [])
             if case.get("exp_alerts")}
    not_fired = {case["alertname"] for t in tests for case in t.get("alert_rule_test", [])
                 if not case.get("exp_alerts")}
    checked = set().union(*(metric_names(c["expr"]) for t in tests
                            for c in t.get("promql_expr_test", [])))
    for rule in load_rules():
        if "alert" in rule:
            assert rule["alert"] in fired, f"{rule['alert']}: no test where it fires"
            assert rule["alert"] in not_fired, f"{rule['alert']}: no test where it must not fire"
        else:
            assert rule["record"] in checked, f"{rule['record']}: no promql_expr_test"
