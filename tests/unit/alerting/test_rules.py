"""Built-in rule defaults, YAML overrides and their validation."""

import pytest
import yaml
from pydantic import ValidationError

from inventory.catalog import CatAgency, CatDevice
from noc.alerting.model import SEVERITIES
from noc.alerting.rules import SPECS, RuleSet, RulesSettings, parse_duration

Q7 = CatAgency("Q7", "district", "Quận 7", "District 7", None)
Q7_TP = CatAgency("Q7-TP", "ward", "Phường Tân Phong", "Tan Phong Ward", "Q7")
CORE = CatDevice("q7-core", "Q7", "Q7", "router", "127.22.7.1", 161, "lab", "snmp")
KIOSK = CatDevice("q7-tp-kiosk1", "Q7-TP", "Q7-TP", "kiosk", "127.23.0.9", 161, None, "icmp")


def settings(text: str) -> RulesSettings:
    return RulesSettings.model_validate(yaml.safe_load(text))


def test_every_contract_rule_has_defaults() -> None:
    names = {s.name for s in SPECS}
    assert {"device_unreachable", "snmp_not_answering", "link_down", "interface_down",
            "redundancy_lost", "utilization_high", "interface_errors", "interface_discards",
            "cpu_high", "memory_high", "disk_full", "temperature_high", "hardware_failure",
            "poller_lagging"} <= names
    assert all(s.severity in SEVERITIES for s in SPECS)
    rules = RuleSet()
    cpu = rules.effective("cpu_high", CORE, Q7)
    assert (cpu.severity, cpu.threshold, cpu.for_, cpu.enabled) == ("warning", 90.0, 600.0, True)
    assert not rules.effective("interface_down", CORE, Q7).enabled
    errors = rules.effective("interface_errors", CORE, Q7)
    assert (errors.threshold, errors.ratio) == (1.0, 0.01)
    assert rules.effective("utilization_high", None, None).threshold == 0.9
    assert (cpu.flap_window, cpu.flap_threshold, cpu.flap_hold) == (600.0, 4, 600.0)


def test_global_change_with_duration_string() -> None:
    rules = RuleSet(settings("rules: {cpu_high: {threshold: 95, for: 15m}}"))
    cpu = rules.effective("cpu_high", CORE, Q7)
    assert (cpu.threshold, cpu.for_) == (95.0, 900.0)
    assert rules.effective("memory_high", CORE, Q7).threshold == 95.0


@pytest.mark.parametrize(("text", "seconds"), [
    (30, 30.0), (2.5, 2.5), ("45", 45.0), ("30s", 30.0), ("10m", 600.0), ("2h", 7200.0),
    ("1h30m", 5400.0), ("1d", 86400.0), ("500ms", 0.5)])
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["ten minutes", "10x", "", "-5", -1, True, "m10"])
def test_bad_durations_rejected(bad: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


def test_overrides_by_kind_class_device_later_wins() -> None:
    rules = RuleSet(settings("""
overrides:
  - match: {agency_kinds: [ward]}
    rules: {cpu_high: {threshold: 80}, device_unreachable: {severity: major}}
  - match: {device_classes: [kiosk]}
    rules: {device_unreachable: {enabled: false}}
  - match: {devices: [q7-core]}
    rules: {interface_down: {enabled: true, for: 2m}, cpu_high: {threshold: 99}}
  - match: {agencies: [Q7], device_classes: [router]}
    rules: {cpu_high: {threshold: 97}}
"""))
    kiosk_down = rules.effective("device_unreachable", KIOSK, Q7_TP)
    assert (kiosk_down.enabled, kiosk_down.severity) == (False, "major")
    assert rules.effective("cpu_high", KIOSK, Q7_TP).threshold == 80.0
    assert rules.effective("device_unreachable", CORE, Q7).enabled
    assert rules.effective("device_unreachable", CORE, Q7).severity == "critical"
    down = rules.effective("interface_down", CORE, Q7)
    assert (down.enabled, down.for_) == (True, 120.0)
    assert rules.effective("cpu_high", CORE, Q7).threshold == 97.0  # the later entry wins


def test_agency_rules_match_agency_keys_only() -> None:
    rules = RuleSet(settings("""
overrides:
  - match: {agency_kinds: [district]}
    rules: {redundancy_lost: {severity: critical}}
  - match: {device_classes: [router]}
    rules: {redundancy_lost: {enabled: false}}
"""))
    rule = rules.effective("redundancy_lost", None, Q7)
    assert (rule.severity, rule.enabled) == ("critical", True)
    assert rules.effective("redundancy_lost", None, Q7_TP).severity == "major"
    assert rules.effective("poller_lagging", None, None).enabled


def test_cache_follows_device_changes() -> None:
    rules = RuleSet(settings("""
overrides:
  - match: {device_classes: [printer]}
    rules: {device_unreachable: {enabled: false}}
"""))
    assert rules.effective("device_unreachable", KIOSK, Q7_TP).enabled
    printer = CatDevice("q7-tp-kiosk1", "Q7-TP", "Q7-TP", "printer", None, 161, None, "icmp")
    assert not rules.effective("device_unreachable", printer, Q7_TP).enabled
    assert rules.effective("device_unreachable", KIOSK, Q7_TP).enabled


def test_unknown_rule_named_in_error() -> None:
    with pytest.raises(ValidationError, match="cpu_hihg"):
        settings("rules: {cpu_hihg: {threshold: 95}}")
    with pytest.raises(ValidationError, match="link_dwn"):
        settings("overrides: [{match: {devices: [a]}, rules: {link_dwn: {enabled: false}}}]")
    with pytest.raises(ValueError, match="nope"):
        RuleSet().effective("nope", None, None)


def test_unknown_fields_named_in_error() -> None:
    with pytest.raises(ValidationError, match="treshold"):
        settings("rules: {cpu_high: {treshold: 95}}")
    with pytest.raises(ValidationError, match="device_class"):
        settings("overrides: [{match: {device_class: [x]}, rules: {}}]")
    with pytest.raises(ValidationError, match="flap_windows"):
        settings("flap_windows: 10")
    with pytest.raises(ValidationError, match="has no threshold"):
        settings("rules: {link_down: {threshold: 3}}")
    with pytest.raises(ValidationError, match="severity"):
        settings("rules: {link_down: {severity: loud}}")
    with pytest.raises(ValidationError, match="match needs"):
        settings("overrides: [{match: {}, rules: {}}]")


def test_flap_settings_and_keep_firing_for() -> None:
    rules = RuleSet(settings("""
flap_window: 5m
flap_threshold: 6
flap_hold: 15m
rules: {link_down: {keep_firing_for: 90s}}
"""))
    rule = rules.effective("link_down", CORE, Q7)
    assert (rule.flap_window, rule.flap_threshold, rule.flap_hold) == (300.0, 6, 900.0)
    assert rule.keep_firing_for == 90.0
    assert RuleSet(settings("flap_window: 2m")).defaults["cpu_high"].flap_hold == 120.0


def test_settings_are_frozen_and_accept_field_names() -> None:
    parsed = RulesSettings.model_validate({"rules": {"cpu_high": {"for_": 60}}})
    assert RuleSet(parsed).defaults["cpu_high"].for_ == 60.0
    with pytest.raises(ValidationError):
        parsed.flap_threshold = 9  # type: ignore[misc]
