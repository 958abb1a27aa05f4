"""On-call settings: durations, rotations and handoffs, overrides, routing, references."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from inventory.catalog import CatAgency
from noc.alerting.oncall import (
    EscalationLevel,
    OnCallSettings,
    Rotation,
    on_call_now,
    parse_duration,
    recipients,
    route,
    who_is_on_call,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def ts(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
       tz: tzinfo = UTC) -> float:
    """UNIX time of a wall-clock moment in ``tz``."""
    return datetime(year, month, day, hour, minute, second, tzinfo=tz).timestamp()


def rotation(**kw: Any) -> Rotation:
    data: dict[str, Any] = {"name": "primary", "members": ["an", "binh", "chi"],
                            "handoff": "monday 08:00", "start": "2024-01-01"}
    return Rotation.model_validate({**data, **kw})


PEOPLE = [{"name": "an", "email": "an@noc.example"},
          {"name": "binh", "email": "binh@noc.example", "phone": "+84 90 000 0001"},
          {"name": "chi", "email": "chi@noc.example"},
          {"name": "dung", "email": "dung@noc.example"}]


@pytest.mark.parametrize(("text", "seconds"), [
    (90, 90.0), (1.5, 1.5), ("45", 45.0), ("30s", 30.0), ("10m", 600.0), ("2h", 7200.0),
    ("1d", 86400.0), ("1h30m", 5400.0), (" 2 h ", 7200.0)])
def test_durations_accept_seconds_and_unit_strings(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "10x", "m10", "ten minutes", -1, True, None])
def test_invalid_durations_are_rejected(bad: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


def test_level_durations_parse_from_strings() -> None:
    level = EscalationLevel(notify=["email:noc@x.example"], after="5m", repeat_every="1h")
    assert (level.after, level.repeat_every, level.repeats) == (300.0, 3600.0, 2)


def test_handoff_exactly_at_monday_0800_ho_chi_minh() -> None:
    rot = rotation()
    handoff = ts(2024, 1, 8, 8, 0, tz=HCM)  # second week starts
    assert handoff == ts(2024, 1, 8, 1, 0)  # UTC+7, no DST
    assert who_is_on_call(rot, handoff - 1) == "an"
    assert who_is_on_call(rot, handoff) == "binh"
    assert who_is_on_call(rot, ts(2024, 1, 1, 8, 0, tz=HCM)) == "an"
    assert who_is_on_call(rot, ts(2024, 1, 14, 23, 59, tz=HCM)) == "binh"


def test_members_wrap_around_and_extend_before_start() -> None:
    rot = rotation()
    weekly = [who_is_on_call(rot, ts(2024, 1, 1 + 7 * w, 12, 0, tz=HCM)) for w in range(5)]
    assert weekly == ["an", "binh", "chi", "an", "binh"]
    assert who_is_on_call(rot, ts(2024, 1, 1, 7, 59, tz=HCM)) == "chi"  # the week before


def test_start_midweek_begins_at_the_next_handoff() -> None:
    rot = rotation(start="2024-01-03")  # a Wednesday
    assert who_is_on_call(rot, ts(2024, 1, 4, 12, 0, tz=HCM)) == "chi"
    assert who_is_on_call(rot, ts(2024, 1, 8, 8, 0, tz=HCM)) == "an"


def test_handoff_follows_daylight_saving_time_of_the_rotation_zone() -> None:
    rot = rotation(timezone="Europe/Berlin")
    # Summer (CEST, UTC+2): 2024-07-01 is a Monday, week 26 since start: 26 % 3 == 2.
    assert who_is_on_call(rot, ts(2024, 7, 1, 5, 59, 59)) == "binh"
    assert who_is_on_call(rot, ts(2024, 7, 1, 6, 0)) == "chi"
    # Winter (CET, UTC+1): 06:30 UTC is still before the 08:00 local handoff.
    assert who_is_on_call(rot, ts(2024, 1, 8, 6, 30)) == "an"
    assert who_is_on_call(rot, ts(2024, 1, 8, 7, 0)) == "binh"
    # The same UTC instant in Ho Chi Minh City is already after its handoff.
    assert who_is_on_call(rotation(), ts(2024, 7, 1, 5, 59, 59)) == "chi"


def test_overrides_replace_whoever_is_on_call_in_their_interval() -> None:
    rot = rotation(overrides=[
        {"person": "dung", "starts": "2024-01-02T18:00", "ends": "2024-01-03T08:00"},
        {"person": "chi", "starts": "2024-01-10T00:00:00+00:00",
         "ends": "2024-01-11T00:00:00+00:00"}])
    assert who_is_on_call(rot, ts(2024, 1, 2, 17, 59, tz=HCM)) == "an"
    assert who_is_on_call(rot, ts(2024, 1, 2, 18, 0, tz=HCM)) == "dung"
    assert who_is_on_call(rot, ts(2024, 1, 3, 7, 59, tz=HCM)) == "dung"
    assert who_is_on_call(rot, ts(2024, 1, 3, 8, 0, tz=HCM)) == "an"
    assert who_is_on_call(rot, ts(2024, 1, 10, 0, 0)) == "chi"  # explicit offset honoured
    assert who_is_on_call(rot, ts(2024, 1, 11, 0, 0)) == "binh"


def test_override_that_ends_before_it_starts_is_rejected() -> None:
    with pytest.raises(ValidationError, match="ends before it starts"):
        rotation(overrides=[{"person": "dung", "starts": "2024-01-03T08:00",
                             "ends": "2024-01-02T08:00"}])


@pytest.mark.parametrize(("field", "value", "message"), [
    ("handoff", "funday 08:00", "invalid handoff"), ("handoff", "monday 25:00", "invalid"),
    ("handoff", "monday", "invalid handoff"), ("timezone", "Mars/Olympus", "Mars/Olympus"),
    ("members", [], "at least 1"), ("surprise", 1, "surprise")])
def test_bad_rotation_fields_are_rejected(field: str, value: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        rotation(**{field: value})


def settings(**kw: Any) -> OnCallSettings:
    data: dict[str, Any] = {
        "people": PEOPLE,
        "rotations": [rotation().model_dump(mode="json")],
        "chains": [{"name": "district7", "levels": [{"notify": ["rotation:primary"]}]},
                   {"name": "departments", "levels": [{"notify": ["person:dung"]}]},
                   {"name": "critical", "levels": [{"notify": ["email:boss@city.example"]}]},
                   {"name": "default", "levels": [{"notify": ["person:an"]}]}],
        "routes": [{"agencies": ["Q7"], "chain": "district7"},
                   {"agency_kinds": ["department"], "min_severity": "major",
                    "chain": "departments"},
                   {"min_severity": "critical", "chain": "critical"}],
        "default_chain": "default"}
    return OnCallSettings.model_validate({**data, **kw})


AGENCIES = {a.code: a for a in [
    CatAgency("Q7", "district", "Quận 7", "District 7", None),
    CatAgency("Q7-TT", "ward", "Phường Tân Thuận", "Tan Thuan Ward", "Q7"),
    CatAgency("Q1", "district", "Quận 1", "District 1", None),
    CatAgency("Q1-BN", "ward", "Phường Bến Nghé", "Ben Nghe Ward", "Q1"),
    CatAgency("STTTT", "department", "Sở TT&TT", "Dept. of Information", None)]}


def chain_for(cfg: OnCallSettings, code: str | None, severity: str) -> str | None:
    chain = route(cfg, AGENCIES[code] if code else None, AGENCIES, severity)
    return chain.name if chain else None


def test_routes_by_agency_and_ward_inherits_its_district() -> None:
    cfg = settings()
    assert chain_for(cfg, "Q7", "warning") == "district7"
    assert chain_for(cfg, "Q7-TT", "warning") == "district7"
    assert chain_for(cfg, "Q1-BN", "warning") == "default"


def test_ward_does_not_inherit_without_include_children() -> None:
    cfg = settings(routes=[{"agencies": ["Q7"], "include_children": False,
                            "chain": "district7"}])
    assert chain_for(cfg, "Q7", "warning") == "district7"
    assert chain_for(cfg, "Q7-TT", "warning") == "default"


def test_routes_by_kind_and_min_severity() -> None:
    cfg = settings()
    assert chain_for(cfg, "STTTT", "major") == "departments"
    assert chain_for(cfg, "STTTT", "critical") == "departments"  # first match wins
    assert chain_for(cfg, "STTTT", "warning") == "default"
    assert chain_for(cfg, "Q1", "critical") == "critical"
    assert chain_for(cfg, None, "critical") == "critical"
    assert chain_for(cfg, "Q7", "info") == "default"  # below the route's warning


def test_no_route_and_no_default_gives_none() -> None:
    cfg = settings(default_chain=None)
    assert chain_for(cfg, "Q1", "warning") is None
    assert chain_for(cfg, None, "major") is None


def test_recipients_resolve_rotations_people_and_addresses_without_duplicates() -> None:
    cfg = settings()
    level = EscalationLevel(notify=["rotation:primary", "person:an", "email:ops@city.example",
                                    "email:an@noc.example", "person:dung"])
    assert recipients(level, cfg, ts(2024, 1, 2, tz=HCM)) == (
        "an@noc.example", "ops@city.example", "dung@noc.example")
    assert recipients(level, cfg, ts(2024, 1, 9, tz=HCM))[0] == "binh@noc.example"
    assert on_call_now(cfg, ts(2024, 1, 16, tz=HCM)) == {"primary": "chi"}


@pytest.mark.parametrize(("change", "name"), [
    ({"rotations": [rotation(members=["an", "ghost"]).model_dump(mode="json")]}, "ghost"),
    ({"rotations": [rotation(overrides=[{"person": "nobody", "starts": "2024-01-02T00:00",
                                         "ends": "2024-01-03T00:00"}]).model_dump(mode="json")]},
     "nobody"),
    ({"chains": [{"name": "c", "levels": [{"notify": ["rotation:nightshift"]}]}],
      "routes": [], "default_chain": None}, "nightshift"),
    ({"chains": [{"name": "c", "levels": [{"notify": ["person:zorro"]}]}],
      "routes": [], "default_chain": None}, "zorro"),
    ({"routes": [{"chain": "weekend"}]}, "weekend"),
    ({"default_chain": "fallback"}, "fallback"),
    ({"people": [*PEOPLE, PEOPLE[0]]}, "an"),
])
def test_invalid_references_are_rejected_naming_the_reference(
        change: dict[str, Any], name: str) -> None:
    with pytest.raises(ValidationError, match=f"'{name}'"):
        settings(**change)


@pytest.mark.parametrize(("level", "message"), [
    ({"notify": ["pager:an"]}, "pager:an"), ({"notify": ["email:nobody"]}, "email:nobody"),
    ({"notify": []}, "at least 1"), ({"notify": ["person:an"], "repeat_every": 0}, "positive"),
    ({"notify": ["person:an"], "repeats": 0}, "greater than or equal")])
def test_bad_levels_are_rejected(level: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        EscalationLevel.model_validate(level)


def test_severity_of_route_must_be_known() -> None:
    with pytest.raises(ValidationError, match="disaster"):
        settings(routes=[{"min_severity": "disaster", "chain": "default"}])
