"""Maintenance windows: one-off and weekly activity in a time zone, and what they cover."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from inventory.catalog import Catalog, CatDevice
from noc.alerting.maintenance import (
    MaintenanceIndex,
    check_window,
    next_occurrence,
    window_active,
)
from noc.alerting.model import Alert, Maintenance

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
HOUR = 3600.0


def at(day: int, hour: int, minute: int = 0, zone: ZoneInfo = HCM) -> float:
    """A time in November 2026 (the 23rd is a Monday), local to ``zone``."""
    return datetime(2026, 11, day, hour, minute, tzinfo=zone).timestamp()


def one_off(starts: float, ends: float, id_: int = 1, kind: str = "device",
            target: str = "q7-core") -> Maintenance:
    return Maintenance(id_, kind, target, starts, ends, "lan")


def weekly(days: tuple[int, ...], start: str, hours: float, starts: float | None = None,
           ends: float | None = None, timezone: str = "Asia/Ho_Chi_Minh") -> Maintenance:
    return Maintenance(1, "device", "q7-core", at(1, 0) if starts is None else starts, ends,
                       "lan", weekdays=days, start_time=start, duration=hours * HOUR,
                       timezone=timezone)


def test_one_off_window_is_active_from_start_until_just_before_end():
    m = one_off(at(23, 22), at(24, 2))
    assert not window_active(m, at(23, 22) - 1)
    assert window_active(m, at(23, 22))
    assert window_active(m, at(24, 1, 59))
    assert not window_active(m, at(24, 2))
    assert next_occurrence(m, at(20, 0)) == (at(23, 22), at(24, 2))
    assert next_occurrence(m, at(24, 2)) is None


def test_weekly_window_follows_local_time_of_its_zone():
    m = weekly((0, 2), "22:00", 2)  # Monday and Wednesday 22:00-24:00 in Ho Chi Minh City
    assert window_active(m, at(23, 22, 30))
    assert window_active(m, at(23, 15, 30, ZoneInfo("UTC")))  # the same instant, in UTC
    assert not window_active(m, at(23, 21, 59))
    assert not window_active(m, at(24, 22, 30))  # Tuesday
    assert window_active(m, at(25, 23, 59))
    assert not window_active(m, at(26, 0))
    in_utc = weekly((0, 2), "22:00", 2, timezone="UTC")
    assert not window_active(in_utc, at(23, 22, 30))


def test_occurrence_crossing_midnight_counts_on_the_next_day():
    m = weekly((6,), "23:00", 3)  # Sunday 23:00 to Monday 02:00
    assert window_active(m, at(22, 23, 30))
    assert window_active(m, at(23, 0, 30))  # Monday, not a listed weekday
    assert window_active(m, at(23, 1, 59))
    assert not window_active(m, at(23, 2))
    assert next_occurrence(m, at(23, 0, 30)) == (at(22, 23), at(23, 2))
    assert next_occurrence(m, at(23, 2)) == (at(29, 23), at(30, 2))


def test_weekly_window_only_counts_between_starts_at_and_ends_at():
    m = weekly((0, 1, 2, 3, 4, 5, 6), "01:00", 4, starts=at(24, 2), ends=at(26, 3))
    assert not window_active(m, at(23, 1, 30))  # before starts_at
    assert window_active(m, at(24, 2))  # occurrence in progress when the window starts
    assert next_occurrence(m, at(23, 12)) == (at(24, 2), at(24, 5))
    assert next_occurrence(m, at(24, 12)) == (at(25, 1), at(25, 5))
    assert next_occurrence(m, at(25, 12)) == (at(26, 1), at(26, 3))  # clipped at ends_at
    assert window_active(m, at(26, 2, 59))
    assert not window_active(m, at(26, 3))
    assert next_occurrence(m, at(26, 3)) is None


def test_weekly_window_without_end_repeats_forever():
    m = weekly((3,), "09:30", 0.5)
    assert next_occurrence(m, at(27, 0)) == (at(26, 9, 30) + 7 * 86400,
                                             at(26, 10) + 7 * 86400)
    assert window_active(m, datetime(2031, 1, 2, 9, 45, tzinfo=HCM).timestamp())  # Thursday


@pytest.mark.parametrize(("window", "message"), [
    (Maintenance(1, "room", "x", 0, 10, "lan"), "kind must be one of"),
    (Maintenance(1, "device", "x", 0, 10, "lan", timezone="Asia/Sai_Gon"), "unknown time zone"),
    (Maintenance(1, "device", "x", 0, None, "lan"), "needs an end time"),
    (Maintenance(1, "device", "x", 0, None, "lan", weekdays=(1,), start_time="07:60",
                 duration=60), "HH:MM"),
    (Maintenance(1, "device", "x", 0, None, "lan", weekdays=(1,), start_time="07:00",
                 duration=8 * 86400), "at most 7 days"),
    (Maintenance(1, "device", "x", 0, 5, "lan"), "already over"),
])
def test_check_window_says_what_is_wrong(window: Maintenance, message: str):
    with pytest.raises(ValueError, match=message):
        check_window(window, now=5)


def test_check_window_accepts_a_valid_weekly_window():
    check_window(weekly((0, 6), "23:30", 168), now=at(23, 0))


def _catalog() -> Catalog:
    def dev(name: str, agency: str, site: str) -> CatDevice:
        return CatDevice(name, agency, site, "switch", "127.0.0.1", 161, None, "snmp")
    devices = [dev("q7-core", "Q7", "Q7-HQ"), dev("q7-access", "Q7", "Q7-HQ"),
               dev("tp-sw", "Q7-TP", "TP-UB"), dev("q1-core", "Q1", "Q1-HQ")]
    return Catalog(devices={d.name: d for d in devices})


BEHIND = {"q7-core": {"tp-sw"}, "q7-access": set(), "tp-sw": set(), "q1-core": set()}


def alert(device: str | None, agency: str | None = None) -> Alert:
    return Alert("f" * 16, "device_unreachable", device or agency or "", "critical", "",
                 device=device, agency=agency)


NOW = at(23, 12)


def test_device_window_covers_the_device_and_what_is_behind_it():
    m = one_off(NOW - HOUR, NOW + HOUR)
    index = MaintenanceIndex([m], _catalog(), BEHIND.__getitem__)
    assert index.covering(alert("q7-core"), NOW) == m
    assert index.covering(alert("tp-sw"), NOW) == m
    assert index.covering(alert("q7-access"), NOW) is None
    assert index.covering(alert("tp-sw"), NOW + HOUR) is None  # window over
    alone = MaintenanceIndex([m], _catalog())
    assert alone.covering(alert("tp-sw"), NOW) is None


def test_site_window_covers_the_sites_devices_and_what_is_behind_them():
    m = one_off(NOW - HOUR, NOW + HOUR, kind="site", target="Q7-HQ")
    index = MaintenanceIndex([m], _catalog(), BEHIND.__getitem__)
    assert {d for d in BEHIND if index.covering(alert(d), NOW)} == {"q7-core", "q7-access",
                                                                     "tp-sw"}


def test_agency_window_covers_its_devices_and_alerts_about_the_agency():
    m = one_off(NOW - HOUR, NOW + HOUR, kind="agency", target="Q1")
    index = MaintenanceIndex([m], _catalog(), BEHIND.__getitem__)
    assert index.covering(alert("q1-core"), NOW) == m
    assert index.covering(alert(None, agency="Q1"), NOW) == m  # e.g. redundancy_lost
    assert index.covering(alert(None, agency="Q7"), NOW) is None
    assert index.covering(alert("q7-core", agency="Q7"), NOW) is None


def test_lowest_active_window_wins_and_behind_is_asked_only_while_indexing():
    asked: list[str] = []

    def behind(device: str) -> set[str]:
        asked.append(device)
        return BEHIND[device]

    later = one_off(NOW + HOUR, NOW + 2 * HOUR, id_=1)
    site = one_off(NOW - HOUR, NOW + HOUR, id_=3, kind="site", target="Q7-HQ")
    device = one_off(NOW - HOUR, NOW + HOUR, id_=2)
    index = MaintenanceIndex([site, later, device], _catalog(), behind)
    for _ in range(100):
        assert index.covering(alert("tp-sw"), NOW) == device
    assert index.covering(alert("tp-sw"), NOW + HOUR + 1) == later
    assert sorted(asked) == ["q7-access", "q7-core", "q7-core", "q7-core"]
