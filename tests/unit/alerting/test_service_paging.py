"""AlertService paging: one page per incident, stable labels, settle behind a suspect uplink."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.icmp.parse import IcmpSample
from noc.alerting.model import fingerprint
from tests.unit.alerting.test_service import LINK_FP, T0, World, open_sessions


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    for sessions in open_sessions(tmp_path):
        yield World(sessions)


# ---------------------------------------------------------------------- 1. one page per incident


def test_dead_district_uplink_pages_once_and_resolves_once(world: World) -> None:
    assert world.at(0) == []
    world.cut_uplink()
    [page] = world.at(1)
    assert page.status == "firing" and page.incident == LINK_FP
    assert {k: page.labels[k] for k in ("alertname", "incident", "severity")} == {
        "alertname": "link_down", "incident": LINK_FP, "severity": "critical"}
    assert page.labels["device"] == "q7-sw1" and page.labels["agency"] == "Q7"
    notes = page.annotations
    assert notes["summary_vi"].startswith("Quận 7 mất kết nối: đường truyền q7-uplink-metronet")
    assert "2 phường/xã" in notes["summary_vi"]
    assert notes["summary"].startswith("Quận 7 isolated")
    assert notes["affected_agencies"] == "Quận 7, Phường Tân Phong, Phường Tân Thuận Tây"
    assert "Lê Văn Bảy 028 3777 0007 q7@example.org (Q7)" in notes["contacts"]
    assert notes["related_alerts"] == "4"  # the four devices cut off
    assert page.generator_url == f"https://noc.example.org/alerts#i-{LINK_FP}"
    assert page.starts_at == T0 + 1
    for second in range(2, 8):
        assert world.at(second) == []
    snap = world.service.snapshot()
    assert [i.id for i in snap.incidents] == [LINK_FP]
    assert world.service.stats.pages == 1
    world.heal_uplink()
    [done] = world.at(10)
    assert done.status == "resolved" and done.incident == LINK_FP
    assert done.labels == page.labels
    assert done.annotations["summary"] == notes["summary"]  # the same title, now resolved
    assert done.annotations["summary_vi"] == notes["summary_vi"]
    assert done.ends_at == T0 + 10 and done.starts_at == page.starts_at
    assert world.at(11) == [] and world.service.snapshot().incidents == []


def test_a_new_outage_after_healing_pages_again(world: World) -> None:
    world.cut_uplink()
    assert [n.status for n in world.at(0)] == ["firing"]
    world.heal_uplink()
    assert [n.status for n in world.at(5)] == ["resolved"]
    world.cut_uplink()
    assert [n.status for n in world.at(300)] == ["firing"]


def test_healed_uplink_gives_what_was_behind_it_time_to_recover(world: World) -> None:
    from tests.unit.alerting.test_service import BEHIND_DISTRICT

    world.cut_uplink()
    assert [n.status for n in world.at(0)] == ["firing"]
    world.repolled.clear()
    world.port("core1", 10, 1)  # the link is back; the devices behind it not yet seen again
    assert [n.status for n in world.at(3)] == ["resolved"]
    assert sorted(world.repolled[-1]) == sorted(BEHIND_DISTRICT)  # asked to look again now
    for second in (4, 10, 20):
        assert world.at(second) == [], f"paged again {second - 3} s after the heal"
    world.up(*BEHIND_DISTRICT)
    assert world.at(21) == [] and world.service.snapshot().incidents == []


def test_what_stays_down_after_the_heal_pages_once_the_hold_is_over(world: World) -> None:
    world.cut_uplink()
    world.at(0)
    world.port("core1", 10, 1)
    world.at(3)
    assert world.at(20) == []
    assert [n.status for n in world.at(24)] == ["firing"]  # settle (20 s) is over: a new fault


# ---------------------------------------------------------------------- 2. settle


def _lossy(world: World, name: str) -> None:
    """The last echo to ``name`` was lost, but its poll still succeeds: not declared down."""
    world.states[name].icmp = IcmpSample(world.catalog.devices[name].address or "", 3, 0)


def test_ward_waits_for_its_suspect_district_then_the_district_pages(world: World) -> None:
    _lossy(world, "q7-sw1")
    world.down("q7-tp-sw1")
    assert world.at(0) == []
    assert world.repolled == [["q7-sw1"]]
    assert world.at(3) == [] and world.repolled == [["q7-sw1"]]  # asked once
    world.down("q7-sw1", "q7-tt-sw1", "q7-tp-ws1")
    [page] = world.at(6)
    assert page.labels["alertname"] == "device_unreachable"
    assert page.labels["device"] == "q7-sw1"
    [incident] = world.service.snapshot().incidents
    assert incident.root.subject == "q7-sw1"
    assert fingerprint("device_unreachable", "q7-tp-sw1") in {m.fingerprint
                                                              for m in incident.members}
    assert world.at(30) == [] and world.at(60) == []
    assert world.service.stats.deferred == 1


def test_ward_pages_anyway_when_its_upstream_stays_suspect(world: World) -> None:
    _lossy(world, "q7-sw1")
    world.down("q7-tp-sw1")
    assert world.at(0) == []
    assert world.at(19) == []  # settle is 20 s
    [page] = world.at(20)
    assert page.labels["device"] == "q7-tp-sw1"
    assert page.annotations["summary_vi"].startswith("q7-tp-sw1")
    assert world.repolled == [["q7-sw1"]]
    assert world.at(21) == []


def test_an_echo_cut_short_does_not_make_the_upstream_suspect(world: World) -> None:
    world.states["q7-sw1"].icmp = IcmpSample("127.31.1.1", 3, 0, complete=False)
    world.down("q7-tp-sw1")
    [page] = world.at(0)
    assert page.labels["device"] == "q7-tp-sw1" and world.repolled == []


def test_ward_with_healthy_upstream_pages_at_once(world: World) -> None:
    world.down("q7-tp-sw1")
    [page] = world.at(0)
    assert page.labels["device"] == "q7-tp-sw1" and world.repolled == []


def test_deferred_ward_that_became_a_member_settles_afresh_later(world: World) -> None:
    _lossy(world, "q7-sw1")
    world.down("q7-tp-sw1")
    assert world.at(0) == []
    world.down("q7-sw1")
    [district] = world.at(5)
    assert district.labels["device"] == "q7-sw1"
    # the district comes back (its echo still lossy), the ward stays dead: check upstream again
    world.up("q7-sw1")
    _lossy(world, "q7-sw1")
    assert [n.status for n in world.at(100)] == ["resolved"]
    assert world.repolled == [["q7-sw1"], ["q7-tp-sw1"]]  # the member gets a recovery look
    assert world.at(120) == []  # recovery hold over; the district is suspect again: settle
    assert world.repolled[-1] == ["q7-sw1"]
    [ward] = world.at(140)
    assert ward.labels["device"] == "q7-tp-sw1"
