"""Escalation timeline on a fake clock: pages, repeats, levels, ack, close, restarts."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from noc.alerting.escalation import Escalator, Page
from noc.alerting.oncall import Chain, OnCallSettings

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2024, 1, 2, 2, 0, tzinfo=HCM).timestamp()  # a Tuesday night: "an" is on call
AN, BINH, BOSS, NOC = ("an@noc.example", "binh@noc.example", "boss@city.example",
                       "noc@city.example")


def make_settings(max_pages: int = 5) -> OnCallSettings:
    return OnCallSettings.model_validate({
        "people": [{"name": "an", "email": AN}, {"name": "binh", "email": BINH},
                   {"name": "boss", "email": BOSS}],
        "rotations": [{"name": "primary", "members": ["an", "binh"], "start": "2024-01-01"}],
        "chains": [{"name": "std", "max_pages": max_pages, "levels": [
            {"notify": ["rotation:primary"], "repeat_every": "10m", "repeats": 2},
            {"notify": ["person:boss", "email:" + NOC], "after": "5m",
             "repeat_every": "15m", "repeats": 1}]}],
        "default_chain": "std"})


@pytest.fixture
def esc() -> Escalator:
    return Escalator(make_settings())


def chain(e: Escalator) -> Chain:
    return e.settings.chain("std")


def summary(pages: list[Page]) -> list[tuple[str, int, bool, tuple[str, ...]]]:
    return [(p.incident, p.level, p.repeat, p.recipients) for p in pages]


def test_first_page_goes_to_level_zero_on_open(esc: Escalator) -> None:
    page = esc.open("inc1", chain(esc), T0)
    assert page == Page("inc1", 0, (AN,), repeat=False, at=T0)
    assert esc.open("inc1", chain(esc), T0 + 1) is None  # already open: no second first page
    assert esc.due(T0 + 599) == []


def test_no_chain_means_no_tracking(esc: Escalator) -> None:
    assert esc.open("inc1", None, T0) is None
    assert esc.due(T0 + 10_000) == []
    assert esc.tracked() == {}


def test_timeline_repeats_then_escalates_then_last_level_repeats(esc: Escalator) -> None:
    esc.open("inc1", chain(esc), T0)
    assert summary(esc.due(T0 + 600)) == [("inc1", 0, True, (AN,))]
    assert esc.due(T0 + 600) == []  # the same slot never pages twice
    # Level 1 starts one repeat_every (10m) after level 0's last page, plus after (5m).
    assert esc.next_due() == T0 + 1500
    assert esc.due(T0 + 1499) == []
    assert summary(esc.due(T0 + 1500)) == [("inc1", 1, False, (BOSS, NOC))]
    # The last level keeps repeating every 15m although repeats is 1.
    assert summary(esc.due(T0 + 2400)) == [("inc1", 1, True, (BOSS, NOC))]
    assert summary(esc.due(T0 + 3300)) == [("inc1", 1, True, (BOSS, NOC))]


def test_max_pages_bounds_the_total(esc: Escalator) -> None:
    esc.open("inc1", chain(esc), T0)
    sent = 1
    for step in range(1, 50):
        sent += len(esc.due(T0 + step * 900))
    assert sent == 5
    assert esc.next_due() is None


def test_max_pages_can_stop_before_the_last_level() -> None:
    esc = Escalator(make_settings(max_pages=2))
    esc.open("inc1", esc.settings.chain("std"), T0)
    assert len(esc.due(T0 + 600)) == 1
    assert esc.due(T0 + 100_000) == []


def test_ack_stops_paging_and_unack_resumes(esc: Escalator) -> None:
    esc.open("inc1", chain(esc), T0)
    assert esc.ack("inc1") is True
    assert esc.ack("unknown") is False
    assert esc.due(T0 + 100_000) == []
    assert esc.tracked() == {"inc1": ("std", 0, True)}
    assert esc.unack("inc1", T0 + 1000) is True
    assert summary(esc.due(T0 + 1600)) == [("inc1", 0, True, (AN,))]


def test_close_forgets_the_incident(esc: Escalator) -> None:
    esc.open("inc1", chain(esc), T0)
    esc.close("inc1")
    esc.close("never-opened")
    assert esc.tracked() == {}
    assert esc.due(T0 + 100_000) == []
    assert esc.open("inc1", chain(esc), T0 + 5) is not None  # a new incident, a new first page


def test_several_incidents_page_independently_earliest_first(esc: Escalator) -> None:
    esc.open("late", chain(esc), T0 + 60)
    esc.open("early", chain(esc), T0)
    esc.ack("late")
    assert [p.incident for p in esc.due(T0 + 700)] == ["early"]
    esc.unack("late", T0 + 700)
    esc.open("other", chain(esc), T0 + 10)
    assert [p.incident for p in esc.due(T0 + 1400)] == ["other", "late"]


def test_recipients_follow_the_rotation_handoff_between_pages(esc: Escalator) -> None:
    monday_0755 = datetime(2024, 1, 8, 7, 55, tzinfo=HCM).timestamp()
    assert esc.open("inc1", chain(esc), monday_0755) == Page(
        "inc1", 0, (AN,), repeat=False, at=monday_0755)
    assert summary(esc.due(monday_0755 + 600)) == [("inc1", 0, True, (BINH,))]


def restarted(esc: Escalator, settings: OnCallSettings | None = None) -> Escalator:
    """A new escalator restored from ``esc``'s state after a JSON round trip."""
    dumped: dict[str, Any] = json.loads(json.dumps(esc.state()))
    fresh = Escalator(settings or esc.settings)
    fresh.restore(dumped)
    return fresh


def test_restart_neither_resends_the_first_page_nor_forgets_the_level(esc: Escalator) -> None:
    esc.open("inc1", chain(esc), T0)
    esc.due(T0 + 600)
    again = restarted(esc)
    assert again.state() == esc.state()
    assert again.due(T0 + 601) == []
    assert summary(again.due(T0 + 1500)) == [("inc1", 1, False, (BOSS, NOC))]


def test_downtime_produces_one_page_not_one_per_missed_interval(esc: Escalator) -> None:
    esc.open("inc1", chain(esc), T0)
    again = restarted(esc)
    after_downtime = T0 + 4 * 3600  # 24 slots of 10 minutes missed
    assert summary(again.due(after_downtime)) == [("inc1", 0, True, (AN,))]
    assert again.due(after_downtime + 1) == []
    # The schedule continues from now: level 1 in 10m + 5m.
    assert again.next_due() == after_downtime + 900
    assert summary(again.due(after_downtime + 900)) == [("inc1", 1, False, (BOSS, NOC))]
    # A second outage at the last level: again one page, then every 15m from then on.
    later = restarted(again)
    back = after_downtime + 3 * 3600
    assert summary(later.due(back)) == [("inc1", 1, True, (BOSS, NOC))]
    assert later.due(back + 899) == []
    assert len(later.due(back + 900)) == 1


def test_restore_keeps_acknowledgements(esc: Escalator) -> None:
    esc.open("inc1", chain(esc), T0)
    esc.ack("inc1")
    assert restarted(esc).due(T0 + 100_000) == []


def test_restore_drops_unknown_chains_and_malformed_entries(
        esc: Escalator, caplog: pytest.LogCaptureFixture) -> None:
    esc.open("inc1", chain(esc), T0)
    other = make_settings().model_dump()
    other["chains"][0]["name"] = "renamed"
    other["default_chain"] = "renamed"
    with caplog.at_level(logging.WARNING, logger="noc.alerting.escalation"):
        fresh = restarted(esc, OnCallSettings.model_validate(other))
    assert fresh.tracked() == {}
    assert "'std'" in caplog.text and "inc1" in caplog.text
    state = esc.state()
    state["incidents"]["bad"] = {"chain": "std", "level": "x"}
    state["incidents"]["worse"] = 42
    fresh = Escalator(esc.settings)
    fresh.restore(state)
    assert set(fresh.tracked()) == {"inc1"}
    fresh.restore({"version": 99, "incidents": {}})
    assert fresh.tracked() == {}


def test_restore_clamps_a_level_beyond_a_shortened_chain(esc: Escalator) -> None:
    esc.open("inc1", chain(esc), T0)
    esc.due(T0 + 600)
    esc.due(T0 + 1500)  # now at level 1
    shorter = make_settings().model_dump()
    shorter["chains"][0]["levels"] = shorter["chains"][0]["levels"][:1]
    fresh = restarted(esc, OnCallSettings.model_validate(shorter))
    assert summary(fresh.due(T0 + 2400)) == [("inc1", 0, True, (AN,))]
