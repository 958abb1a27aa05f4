"""On-call settings: people, weekly rotations, escalation chains and per-agency routes.

Pure logic, no I/O. A *rotation* hands the pager from one member to the next
every week at its handoff time ("monday 08:00") in its own timezone; an
*override* replaces whoever is on call for an interval. A *chain* is a list
of escalation levels, each naming rotations, people or bare e-mail addresses
to page. A *route* picks the chain for an incident from the affected agency
(a ward inherits its district's route), the agency's kind and the severity;
the first matching route wins, else ``default_chain``.

Durations accept seconds (``90``) or strings (``"90s"``, ``"10m"``, ``"2h"``,
``"1d"``, ``"1h30m"``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from inventory.catalog import CatAgency
from noc.alerting.model import SEVERITIES, severity_rank

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw]?)")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MAX_ANCESTORS = 16  # agency parent chains deeper than this are treated as cycles


def parse_duration(value: object) -> float:
    """Seconds from a number or a string like ``"10m"``, ``"2h"``, ``"1d"``, ``"1h30m"``."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string like '10m'")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        parts = _DURATION_PART.findall(text)
        if not text or "".join(n + u for n, u in parts) != text:
            raise ValueError(f"invalid duration {value!r}: use seconds or e.g. '10m', '2h', '1d'")
        seconds = sum(float(n) * _UNITS[u or "s"] for n, u in parts)
    else:
        raise ValueError("a duration is a number of seconds or a string like '10m'")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]


def parse_handoff(text: str) -> tuple[int, time]:
    """``(weekday, time)`` from ``"monday 08:00"`` (weekday 0 is Monday)."""
    match = re.fullmatch(r"\s*([a-z]+)\s+(\d{1,2}):(\d{2})\s*", text.lower())
    if not match or match.group(1) not in _WEEKDAYS:
        raise ValueError(f"invalid handoff {text!r}: use a weekday and HH:MM, e.g. 'monday 08:00'")
    hour, minute = int(match.group(2)), int(match.group(3))
    if hour > 23 or minute > 59:
        raise ValueError(f"invalid handoff time in {text!r}")
    return _WEEKDAYS.index(match.group(1)), time(hour, minute)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(_Strict):
    """Someone who can be paged."""

    name: str = Field(min_length=1)
    email: str
    phone: str | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if "@" not in value.strip("@"):
            raise ValueError(f"invalid e-mail address {value!r}")
        return value


class Override(_Strict):
    """``person`` is on call from ``starts`` to ``ends`` (naive times: the rotation's zone)."""

    person: str
    starts: datetime
    ends: datetime

    @model_validator(mode="after")
    def _ordered(self) -> Override:
        if (self.starts.tzinfo is None) != (self.ends.tzinfo is None):
            raise ValueError("override starts and ends must both have a UTC offset or neither")
        if self.ends <= self.starts:
            raise ValueError(f"override for {self.person!r} ends before it starts")
        return self


class Rotation(_Strict):
    """Members take the pager in turn, one week each, handing off at ``handoff``."""

    name: str = Field(min_length=1)
    members: list[str] = Field(min_length=1)
    handoff: str = "monday 08:00"
    timezone: str = "Asia/Ho_Chi_Minh"
    start: date  # the first member's shift begins at the first handoff on or after this day
    overrides: list[Override] = []

    @field_validator("handoff")
    @classmethod
    def _handoff(cls, value: str) -> str:
        parse_handoff(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value


class EscalationLevel(_Strict):
    """Who to page at one level, how often, and how many times before escalating.

    Level 0 pages when the incident opens. Level n (n > 0) first pages one
    ``repeat_every`` of level n-1 after its last page, plus its own ``after``.
    The last level repeats until acknowledged, up to the chain's ``max_pages``.
    """

    notify: list[str] = Field(min_length=1)  # "rotation:NAME", "person:NAME", "email:ADDR"
    after: Duration = 0.0
    repeat_every: Duration = 600.0
    repeats: int = Field(2, ge=1)

    @field_validator("notify")
    @classmethod
    def _targets(cls, value: list[str]) -> list[str]:
        for entry in value:
            kind, _, target = entry.partition(":")
            if kind not in ("rotation", "person", "email") or not target:
                raise ValueError(f"invalid notify entry {entry!r}: use rotation:, person: "
                                 "or email: and a name")
            if kind == "email" and "@" not in target.strip("@"):
                raise ValueError(f"invalid e-mail address in notify entry {entry!r}")
        return value

    @field_validator("repeat_every")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("repeat_every must be positive")
        return value


class Chain(_Strict):
    """An escalation chain: levels paged in order until someone acknowledges."""

    name: str = Field(min_length=1)
    levels: list[EscalationLevel] = Field(min_length=1)
    max_pages: int = Field(20, ge=1)  # pages in total, all levels together


class Route(_Strict):
    """Which chain pages for incidents of some agencies, kinds and severities.

    Empty ``agencies`` and ``agency_kinds`` match any agency (and none).
    """

    agencies: list[str] = []
    include_children: bool = True  # a ward matches its district's code
    agency_kinds: list[str] = []
    min_severity: str = "warning"
    chain: str

    @field_validator("min_severity")
    @classmethod
    def _severity(cls, value: str) -> str:
        if value not in SEVERITIES:
            raise ValueError(f"unknown severity {value!r}: use one of {', '.join(SEVERITIES)}")
        return value


class OnCallSettings(_Strict):
    """Everything about who gets paged; every reference is checked when loaded."""

    people: list[Person] = []
    rotations: list[Rotation] = []
    chains: list[Chain] = []
    routes: list[Route] = []
    default_chain: str | None = None

    @model_validator(mode="after")
    def _references(self) -> OnCallSettings:
        for what, names in (("person", [p.name for p in self.people]),
                            ("rotation", [r.name for r in self.rotations]),
                            ("chain", [c.name for c in self.chains])):
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise ValueError(f"duplicate {what} name {dupes[0]!r}")
        for problem in _bad_references(self):
            raise ValueError(problem)
        return self

    def person(self, name: str) -> Person:
        """The person called ``name``; KeyError if unknown."""
        return {p.name: p for p in self.people}[name]

    def rotation(self, name: str) -> Rotation:
        """The rotation called ``name``; KeyError if unknown."""
        return {r.name: r for r in self.rotations}[name]

    def chain(self, name: str) -> Chain:
        """The chain called ``name``; KeyError if unknown."""
        return {c.name: c for c in self.chains}[name]


def _bad_references(settings: OnCallSettings) -> list[str]:
    people = {p.name for p in settings.people}
    rotations = {r.name for r in settings.rotations}
    chains = {c.name for c in settings.chains}
    problems: list[str] = []
    for rot in settings.rotations:
        problems += [f"rotation {rot.name!r}: unknown person {m!r}"
                     for m in [*rot.members, *(o.person for o in rot.overrides)]
                     if m not in people]
    for chain in settings.chains:
        for index, level in enumerate(chain.levels):
            for entry in level.notify:
                kind, _, target = entry.partition(":")
                known = {"person": people, "rotation": rotations}.get(kind)
                if known is not None and target not in known:
                    problems.append(f"chain {chain.name!r} level {index}: "
                                    f"unknown {kind} {target!r}")
    problems += [f"route {i}: unknown chain {r.chain!r}"
                 for i, r in enumerate(settings.routes) if r.chain not in chains]
    if settings.default_chain is not None and settings.default_chain not in chains:
        problems.append(f"default_chain: unknown chain {settings.default_chain!r}")
    return problems


def _localize(moment: datetime, zone: ZoneInfo) -> float:
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).timestamp()


def who_is_on_call(rotation: Rotation, now: float) -> str:
    """The person on call in ``rotation`` at UNIX time ``now`` (overrides first)."""
    zone = ZoneInfo(rotation.timezone)
    for override in rotation.overrides:
        if _localize(override.starts, zone) <= now < _localize(override.ends, zone):
            return override.person
    weekday, at = parse_handoff(rotation.handoff)
    local = datetime.fromtimestamp(now, zone)
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    if datetime.combine(day, at, zone).timestamp() > now:
        day -= timedelta(days=7)  # today is handoff day, before the handoff time
    first = rotation.start + timedelta(days=(weekday - rotation.start.weekday()) % 7)
    weeks = (day - first).days // 7
    return rotation.members[weeks % len(rotation.members)]


def on_call_now(settings: OnCallSettings, now: float) -> dict[str, str]:
    """Rotation name -> the person on call in it at ``now``."""
    return {rot.name: who_is_on_call(rot, now) for rot in settings.rotations}


def recipients(level: EscalationLevel, settings: OnCallSettings, now: float) -> tuple[str, ...]:
    """The e-mail addresses ``level`` pages at ``now``, de-duplicated, in order."""
    found: dict[str, None] = {}
    for entry in level.notify:
        kind, _, target = entry.partition(":")
        if kind == "email":
            found[target] = None
            continue
        name = who_is_on_call(settings.rotation(target), now) if kind == "rotation" else target
        found[settings.person(name).email] = None
    return tuple(found)


def _lineage(agency: CatAgency, agencies: Mapping[str, CatAgency]) -> list[str]:
    """The agency's code, then its parent's, grandparent's... (bounded)."""
    codes = [agency.code]
    parent = agency.parent
    while parent is not None and parent not in codes and len(codes) < _MAX_ANCESTORS:
        codes.append(parent)
        above = agencies.get(parent)
        parent = above.parent if above is not None else None
    return codes


def _matches(rule: Route, agency: CatAgency | None,
             agencies: Mapping[str, CatAgency], severity: str) -> bool:
    if severity_rank(severity) > severity_rank(rule.min_severity):
        return False
    if rule.agencies:
        if agency is None:
            return False
        codes = _lineage(agency, agencies) if rule.include_children else [agency.code]
        if not set(codes) & set(rule.agencies):
            return False
    return not rule.agency_kinds or (agency is not None and agency.kind in rule.agency_kinds)


def route(settings: OnCallSettings, agency: CatAgency | None,
          agencies: Mapping[str, CatAgency], severity: str) -> Chain | None:
    """The chain for an incident about ``agency`` at ``severity``: first matching route wins."""
    for rule in settings.routes:
        if _matches(rule, agency, agencies, severity):
            return settings.chain(rule.chain)
    if settings.default_chain is not None:
        return settings.chain(settings.default_chain)
    return None
