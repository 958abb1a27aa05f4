"""Classification of notification OIDs: the table, stateful Cisco notifications, clears."""

from __future__ import annotations

import pytest

from collectors.traps.classify import KINDS, alarms_cleared_by, classify, entries, lookup
from noc.alerting.model import SEVERITIES

FAN_STATE = "1.3.6.1.4.1.9.9.13.1.4.1.3.1"
CISCO_FAN = "1.3.6.1.4.1.9.9.13.3.0.4"


@pytest.mark.parametrize(("oid", "name", "kind", "severity", "clears"), [
    ("1.3.6.1.6.3.1.1.5.1", "coldStart", "cold_start", "info", False),
    ("1.3.6.1.6.3.1.1.5.2", "warmStart", "warm_start", "info", False),
    ("1.3.6.1.6.3.1.1.5.3", "linkDown", "link_down", "warning", False),
    ("1.3.6.1.6.3.1.1.5.4", "linkUp", "link_up", "info", True),
    ("1.3.6.1.6.3.1.1.5.5", "authenticationFailure", "auth_failure", "warning", False),
    ("1.3.6.1.2.1.47.2.0.1", "entConfigChange", "entity", "info", False),
    ("1.3.6.1.2.1.131.0.2", "entStateOperDisabled", "entity", "major", False),
    ("1.3.6.1.4.1.2636.4.1.2", "jnxFanFailure", "vendor", "major", False),
    ("1.3.6.1.4.1.2636.4.2.2", "jnxFanOK", "vendor", "info", True),
    ("1.3.6.1.4.1.2636.4.1.1", "jnxPowerSupplyFailure", "vendor", "critical", False),
    ("1.3.6.1.4.1.2636.4.1.3", "jnxOverTemperature", "vendor", "critical", False),
    ("1.3.6.1.4.1.2011.5.25.219.2.6.3", "hwFanFail", "vendor", "major", False),
    ("1.3.6.1.2.1.33.2.1", "upsTrapOnBattery", "vendor", "major", False),
    ("1.3.6.1.4.1.318.0.5", "upsOnBattery", "vendor", "major", False),
    ("1.3.6.1.4.1.318.0.9", "powerRestored", "vendor", "info", True),
    (CISCO_FAN, "ciscoEnvMonFanNotification", "vendor", "major", False),
])
def test_known_oids(oid: str, name: str, kind: str, severity: str, clears: bool) -> None:
    verdict = classify(oid)
    assert (verdict.name, verdict.kind, verdict.severity, verdict.clears) == (
        name, kind, severity, clears)


def test_unknown_oid_is_kept_as_unknown() -> None:
    verdict = classify("1.3.6.1.4.1.99999.0.1")
    assert (verdict.name, verdict.kind, verdict.severity, verdict.clears) == (
        "", "unknown", "info", False)


def test_v1_form_of_an_smiv2_notification_is_found() -> None:
    assert classify("1.3.6.1.4.1.2636.4.1.0.2").name == "jnxFanFailure"
    assert classify("1.3.6.1.2.1.33.2.0.1").name == "upsTrapOnBattery"


@pytest.mark.parametrize(("state", "severity", "clears"), [
    ("1", "info", True), ("2", "warning", False), ("3", "critical", False),
    ("6", "major", False),
])
def test_cisco_envmon_state_decides_severity_and_clear(state: str, severity: str,
                                                       clears: bool) -> None:
    verdict = classify(CISCO_FAN, [("1.3.6.1.4.1.9.9.13.1.4.1.2.1", "Fan 1"),
                                   (FAN_STATE, state)])
    assert (verdict.severity, verdict.clears) == (severity, clears)


def test_clear_traps_name_what_they_clear() -> None:
    assert alarms_cleared_by("jnxFanOK") == ("jnxFanFailure",)
    assert alarms_cleared_by("linkUp") == ("linkDown",)
    assert set(alarms_cleared_by("powerRestored")) == {"upsOnBattery", "upsDischarged"}
    assert alarms_cleared_by("ciscoEnvMonFanNotification") == ("ciscoEnvMonFanNotification",)
    assert alarms_cleared_by("jnxFanFailure") == ()


def test_table_uses_only_known_kinds_and_severities_and_clears_known_names() -> None:
    names = set()
    for oid in [f"1.3.6.1.6.3.1.1.5.{i}" for i in range(1, 7)]:
        entry = lookup(oid)
        assert entry is not None
        names.add(entry.name)
    for entry in entries().values():
        assert entry.kind in KINDS and entry.severity in SEVERITIES
        names.add(entry.name)
    for entry in entries().values():
        assert set(entry.clears) <= names, entry.name
