"""The built-in alert rules, their defaults, and YAML overrides per agency or device class.

Every rule the NOC evaluates is listed in :data:`SPECS` with its defaults
(severity, ``for:`` duration, thresholds, enabled). :class:`RulesSettings`
is the ``alerting:`` part of the configuration file::

    rules:                       # global changes
      cpu_high: {threshold: 95, for: 15m}
    overrides:                   # ordered; later entries win
      - match: {device_classes: [workstation, printer]}
        rules:
          device_unreachable: {enabled: false}
      - match: {agency_kinds: [district], devices: [q7-core]}
        rules:
          interface_down: {enabled: true, for: 2m}
    flap_window: 10m
    flap_threshold: 4

A ``match`` needs every key it names to match (a list matches any of its
values). Durations are seconds or strings such as ``"30s"``, ``"10m"``,
``"2h"``, ``"1h30m"``. Unknown rule names and fields are errors.
:class:`RuleSet` resolves the effective rule for one device or agency,
cached per device.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from inventory.catalog import CatAgency, CatDevice


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A built-in rule and its defaults.

    ``params`` names the thresholds the rule has (``threshold``, ``ratio``);
    only those may be overridden. A ``threshold`` of None on a rule that has
    one means "derived at evaluation" (``poller_lagging``: half the interval).
    """

    name: str
    severity: str
    for_: float = 0.0
    threshold: float | None = None
    ratio: float | None = None
    enabled: bool = True
    keep_firing_for: float = 0.0
    description: str = ""
    params: tuple[str, ...] = ()


SPECS: tuple[RuleSpec, ...] = (
    RuleSpec("device_unreachable", "critical",
             description="device answers neither its poll nor ICMP echo"),
    RuleSpec("snmp_not_answering", "warning", for_=120.0,
             description="device answers ping but not its SNMP/SSH poll"),
    RuleSpec("link_down", "critical", description="an end of an inventory link is oper down"),
    RuleSpec("interface_down", "warning", enabled=False,
             description="admin-up interface (not a link end) is oper down"),
    RuleSpec("redundancy_lost", "major",
             description="some but not all uplinks of a multi-homed agency are down"),
    RuleSpec("utilization_high", "warning", for_=600.0, threshold=0.9, params=("threshold",),
             description="link utilization (0..1 of its bandwidth) above threshold"),
    RuleSpec("interface_errors", "warning", for_=600.0, threshold=1.0, ratio=0.01,
             params=("threshold", "ratio"),
             description="interface errors per second and share of packets above thresholds"),
    RuleSpec("interface_discards", "warning", for_=600.0, threshold=10.0, ratio=0.02,
             params=("threshold", "ratio"),
             description="interface discards per second and share of packets above thresholds"),
    RuleSpec("cpu_high", "warning", for_=600.0, threshold=90.0, params=("threshold",),
             description="CPU percent above threshold"),
    RuleSpec("memory_high", "warning", for_=600.0, threshold=95.0, params=("threshold",),
             description="memory used percent above threshold"),
    RuleSpec("disk_full", "warning", threshold=90.0, params=("threshold",),
             description="file system used percent above threshold"),
    RuleSpec("temperature_high", "major", threshold=70.0, params=("threshold",),
             description="temperature sensor above threshold (celsius) or failed"),
    RuleSpec("hardware_failure", "critical",
             description="fan or power supply sensor reports failed"),
    RuleSpec("poller_lagging", "major", for_=120.0, params=("threshold",),
             description="SNMP polls start late (threshold seconds, default half the "
                         "interval) or are skipped; or the ICMP cycle overruns its interval"),
    # raised by noc.alerting.traps with their own severity; only timing applies here
    RuleSpec("snmp_auth_failure", "warning", description="trap: SNMP authentication failure"),
    RuleSpec("device_restarted", "info", description="trap: cold or warm start"),
    RuleSpec("hardware_trap", "major", description="trap: hardware alarm (ENTITY or vendor)"),
)
RULES: Mapping[str, RuleSpec] = {spec.name: spec for spec in SPECS}

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")


def parse_duration(value: object) -> float:
    """Seconds from a number or a string like ``"90"``, ``"30s"``, ``"10m"``, ``"1h30m"``."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string like '10m'")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            seconds = float(text)
        elif text and _PART.sub("", text) == "":
            seconds = sum(float(n) * _UNITS[u] for n, u in _PART.findall(text))
        else:
            raise ValueError(f"invalid duration {value!r} (use seconds or e.g. '30s', '10m', '2h')")
    else:
        raise ValueError("a duration is a number of seconds or a string like '10m'")
    if seconds < 0 or seconds != seconds:
        raise ValueError(f"duration must not be negative: {value!r}")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]
Severity = Literal["critical", "major", "warning", "info"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RuleChange(_Strict):
    """Changes to one rule (every field optional: unset keeps the inherited value)."""

    enabled: bool | None = None
    severity: Severity | None = None
    for_: Duration | None = Field(None, alias="for")
    keep_firing_for: Duration | None = None
    threshold: float | None = None
    ratio: float | None = Field(None, ge=0, le=1)


def _check_rules(changes: Mapping[str, RuleChange], where: str) -> None:
    for name, change in changes.items():
        spec = RULES.get(name)
        if spec is None:
            raise ValueError(f"{where}: unknown rule {name!r} (known: {', '.join(RULES)})")
        for param in ("threshold", "ratio"):
            if getattr(change, param) is not None and param not in spec.params:
                raise ValueError(f"{where}: rule {name!r} has no {param}")


class RuleMatch(_Strict):
    """Which devices or agencies an override applies to (every key given must match)."""

    agencies: tuple[str, ...] | None = None
    agency_kinds: tuple[str, ...] | None = None
    device_classes: tuple[str, ...] | None = None
    devices: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> RuleMatch:
        if all(v is None for v in (self.agencies, self.agency_kinds, self.device_classes,
                                   self.devices)):
            raise ValueError("match needs agencies, agency_kinds, device_classes or devices")
        return self

    def matches(self, device: CatDevice | None, agency: CatAgency | None) -> bool:
        """Whether a device (and/or agency) is covered; device keys never match no device."""
        code = agency.code if agency else (device.agency if device else None)
        checks = ((self.agencies, code), (self.agency_kinds, agency.kind if agency else None),
                  (self.device_classes, device.device_class if device else None),
                  (self.devices, device.name if device else None))
        return all(wanted is None or (value is not None and value in wanted)
                   for wanted, value in checks)


class RuleOverride(_Strict):
    """One entry of ``overrides:``: rule changes for what ``match`` selects."""

    match: RuleMatch
    rules: dict[str, RuleChange]

    @model_validator(mode="after")
    def _known(self) -> RuleOverride:
        _check_rules(self.rules, "override")
        return self


class RulesSettings(_Strict):
    """Alert rule configuration: global changes, ordered overrides and flap damping."""

    rules: dict[str, RuleChange] = Field(default_factory=dict)
    overrides: tuple[RuleOverride, ...] = ()
    flap_window: Duration = Field(600.0, gt=0, description="seconds transitions are counted over")
    flap_threshold: int = Field(4, ge=2, description="firing/resolved transitions that "
                                "make an alert flapping")
    flap_hold: Duration | None = Field(None, description="seconds a flapping alert's condition "
                                       "must stay false before it resolves (default: "
                                       "flap_window)")

    @model_validator(mode="after")
    def _known(self) -> RulesSettings:
        _check_rules(self.rules, "rules")
        return self


@dataclass(frozen=True, slots=True)
class EffectiveRule:
    """A rule as it applies to one device or agency, after every override."""

    name: str
    severity: str
    enabled: bool
    for_: float
    keep_firing_for: float
    threshold: float | None
    ratio: float | None
    flap_window: float
    flap_threshold: int
    flap_hold: float


def _apply(rule: EffectiveRule, change: RuleChange) -> EffectiveRule:
    return EffectiveRule(
        rule.name, change.severity or rule.severity,
        rule.enabled if change.enabled is None else change.enabled,
        rule.for_ if change.for_ is None else change.for_,
        rule.keep_firing_for if change.keep_firing_for is None else change.keep_firing_for,
        rule.threshold if change.threshold is None else change.threshold,
        rule.ratio if change.ratio is None else change.ratio,
        rule.flap_window, rule.flap_threshold, rule.flap_hold)


_Key = tuple[str | None, str | None, str | None, str | None]


class RuleSet:
    """The effective rules of every device and agency, from built-in defaults and settings."""

    def __init__(self, settings: RulesSettings | None = None) -> None:
        self.settings = settings or RulesSettings()
        hold = self.settings.flap_hold
        window = self.settings.flap_window
        base = {}
        for spec in SPECS:
            rule = EffectiveRule(spec.name, spec.severity, spec.enabled, spec.for_,
                                 spec.keep_firing_for, spec.threshold, spec.ratio, window,
                                 self.settings.flap_threshold, window if hold is None else hold)
            change = self.settings.rules.get(spec.name)
            base[spec.name] = _apply(rule, change) if change else rule
        self._base: Mapping[str, EffectiveRule] = base
        self._cache: dict[_Key, Mapping[str, EffectiveRule]] = {}

    @property
    def defaults(self) -> Mapping[str, EffectiveRule]:
        """Every rule after global changes, before overrides."""
        return self._base

    def for_device(self, device: CatDevice | None,
                   agency: CatAgency | None = None) -> Mapping[str, EffectiveRule]:
        """Every effective rule (by name) of a device, or of an agency when device is None."""
        if not self.settings.overrides:
            return self._base
        key = (device.name if device else None, device.device_class if device else None,
               agency.code if agency else (device.agency if device else None),
               agency.kind if agency else None)
        found = self._cache.get(key)
        if found is None:
            found = dict(self._base)
            for override in self.settings.overrides:
                if override.match.matches(device, agency):
                    for name, change in override.rules.items():
                        found[name] = _apply(found[name], change)
            self._cache[key] = found
        return found

    def effective(self, rule: str, device: CatDevice | None,
                  agency: CatAgency | None) -> EffectiveRule:
        """One rule as it applies to ``device`` (or ``agency``); ValueError if unknown."""
        try:
            return self.for_device(device, agency)[rule]
        except KeyError:
            raise ValueError(f"unknown alert rule {rule!r}") from None
