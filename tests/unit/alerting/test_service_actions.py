"""AlertService: maintenance, silences, acknowledgement and escalation, severity, traps."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from collectors.traps.model import Trap
from noc.alerting.model import fingerprint
from tests.unit.alerting.test_service import LINK_FP, T0, World, chained, open_sessions

WARD_FP = fingerprint("device_unreachable", "q7-tp-sw1")


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    yield from open_sessions(tmp_path)


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> World:
    return World(sessions)


def _trap(kind: str, name: str, severity: str, source: str = "127.31.2.1") -> Trap:
    oids = {"cold_start": "1.3.6.1.6.3.1.1.5.1", "auth_failure": "1.3.6.1.6.3.1.1.5.5"}
    return Trap(received_at=T0, source=source, port=50162, version="2c", trap_oid=oids[kind],
                kind=kind, name=name, severity=severity, uptime_ticks=42, if_index=None,
                varbinds=())


# ---------------------------------------------------------------------- 4. maintenance, silences


async def test_agency_maintenance_mutes_the_incident_until_it_ends(
        sessions: sessionmaker[Session]) -> None:
    world = World(sessions)
    service = world.service
    await service.start()
    try:
        window = service.start_maintenance("agency", "Q7", 3600, "Nguyễn An", "thay switch")
        world.cut_uplink()
        assert world.at(1) == [] and world.at(30) == []
        root = next(a for a in service.snapshot().alerts if a.fingerprint == LINK_FP)
        assert root.muted == f"maintenance:{window.id}" and not root.notified
        assert [m.id for m in service.snapshot().maintenance] == [window.id]
        world.now = T0 + 40
        before = service.stats.evaluations
        service.end_maintenance(window.id, "Nguyễn An")
        for _ in range(20):  # the action wakes the service loop: it evaluates by itself
            if service.stats.evaluations > before:
                break
            await asyncio.sleep(0.01)
        [page] = world.dispatcher.take()
        assert page.status == "firing" and page.incident == LINK_FP
        assert service.stats.last_evaluation == T0 + 40
        assert world.at(42) == []
    finally:
        await service.stop()
    kinds = [e.kind for e in service.history()]
    assert "maintenance_end" in kinds and kinds.count("notified") == 1


async def test_maintenance_from_a_worker_thread_reaches_the_loop(
        sessions: sessionmaker[Session]) -> None:
    world = World(sessions)
    service = world.service
    await service.start()
    try:
        window = await asyncio.to_thread(service.start_maintenance, "site", "Q7", 600,
                                         "Nguyễn An", "")
        assert [w.id for w in service.windows] == [window.id]
        world.cut_uplink()
        assert world.at(1) == []
    finally:
        await service.stop()


def test_maintenance_and_silence_reject_unknown_targets(world: World) -> None:
    service = world.service
    with pytest.raises(ValueError, match="Q99"):
        service.start_maintenance("agency", "Q99", 600, "an", "")
    with pytest.raises(ValueError, match="device, site or agency"):
        service.start_maintenance("vlan", "Q7", 600, "an", "")
    with pytest.raises(ValueError, match="duration"):
        service.start_maintenance("device", "q7-sw1", 0, "an", "")
    with pytest.raises(KeyError):
        service.unsilence(9999, "an")
    with pytest.raises(KeyError):
        service.end_maintenance(9999, "an")
    with pytest.raises(KeyError):
        service.silence("0123456789abcdef", 600, "an", "")
    with pytest.raises(KeyError):
        service.ack("0123456789abcdef", "an", "")
    assert service.windows == [] and service.silence_list == []


def _slow_ward(sessions: sessionmaker[Session]) -> World:
    """A world where unreachable devices fire after 30 s, the ward switch already down."""
    world = World(sessions, rules={"rules": {"device_unreachable": {"for": 30}}})
    world.down("q7-tp-sw1")
    assert world.at(0) == []  # pending
    return world


async def test_silence_holds_the_page_and_unsilence_releases_it(
        sessions: sessionmaker[Session]) -> None:
    world = _slow_ward(sessions)
    service = world.service
    await service.start()
    try:
        made = await asyncio.to_thread(service.silence, WARD_FP, 600, "Nguyễn An", "đã biết")
        assert [s.id for s in service.snapshot().silences] == [made.id]
        assert world.at(30) == [] and world.at(60) == []
        muted = service.lifecycle.get(WARD_FP)
        assert muted is not None and muted.muted == f"silence:{made.id}"
        world.now = T0 + 70
        await asyncio.to_thread(service.unsilence, made.id, "Nguyễn An")
        sent = world.at(71)
        for _ in range(5):  # the woken evaluation, if any, has had its turn
            await asyncio.sleep(0)
        pages = [n for n in [*sent, *world.dispatcher.take()] if n.status == "firing"]
        assert len(pages) == 1 and pages[0].labels["device"] == "q7-tp-sw1"
        with pytest.raises(ValueError, match="already over"):
            service.unsilence(made.id, "Nguyễn An")  # already over
    finally:
        await service.stop()


def test_an_expired_silence_lets_the_page_out(sessions: sessionmaker[Session]) -> None:
    world = _slow_ward(sessions)
    world.service.silence(WARD_FP, 100, "Nguyễn An", "")
    assert world.at(30) == [] and world.at(99) == []
    [page] = world.at(100)
    assert page.incident == WARD_FP


# ---------------------------------------------------------------------- 5. ack and escalation


def test_unacknowledged_incident_repeats(sessions: sessionmaker[Session]) -> None:
    world = chained(sessions)
    world.cut_uplink()
    [first] = world.at(0)
    assert first.recipients == ("oncall@example.org",) and not first.repeat
    assert world.at(59) == []
    [again] = world.at(61)
    assert again.repeat and again.status == "firing" and again.labels == first.labels
    assert again.recipients == first.recipients
    assert world.service.stats.repeats == 1


def test_ack_records_who_and_stops_escalation(sessions: sessionmaker[Session]) -> None:
    world = chained(sessions)
    world.cut_uplink()
    [first] = world.at(0)
    world.now = T0 + 10
    world.service.ack(LINK_FP, "Nguyễn An", "đang xử lý tại Quận 7")
    [event] = [e for e in world.service.history(fingerprint=LINK_FP) if e.kind == "ack"]
    assert (event.actor, event.note, event.at) == ("Nguyễn An", "đang xử lý tại Quận 7", T0 + 10)
    root = next(a for a in world.service.snapshot().alerts if a.fingerprint == LINK_FP)
    assert root.acked_by == "Nguyễn An" and root.ack_note == "đang xử lý tại Quận 7"
    [incident] = world.service.snapshot().incidents
    assert incident.acked
    assert world.at(61) == [] and world.at(125) == [] and world.at(600) == []
    world.heal_uplink()
    [done] = world.at(601)
    assert done.status == "resolved" and done.labels == first.labels


def test_maintenance_after_the_page_holds_the_repeats(sessions: sessionmaker[Session]) -> None:
    world = chained(sessions)
    world.cut_uplink()
    assert len(world.at(0)) == 1
    world.now = T0 + 30
    window = world.service.start_maintenance("device", "q7-sw1", 600, "Nguyễn An", "")
    assert world.at(61) == [] and world.at(122) == []
    world.now = T0 + 150
    world.service.end_maintenance(window.id, "Nguyễn An")
    assert world.at(150) == []
    [again] = world.at(183)
    assert again.repeat and again.incident == LINK_FP


# ---------------------------------------------------------------------- 6. severity, traps


def test_info_alert_from_a_trap_is_shown_never_paged(world: World) -> None:
    world.service.traps.add(_trap("cold_start", "coldStart", "info"))
    assert world.at(0) == [] and world.at(120) == []
    snap = world.service.snapshot()
    [alert] = [a for a in snap.alerts if a.rule == "device_restarted"]
    assert alert.device == "q7-tp-sw1" and alert.state.value == "firing"
    assert [i.root.rule for i in snap.incidents] == ["device_restarted"]
    assert [(t.device, t.kind) for t in snap.traps] == [("q7-tp-sw1", "cold_start")]


def test_maintenance_mutes_trap_alerts_too(world: World) -> None:
    window = world.service.start_maintenance("device", "q7-tp-sw1", 3600, "Nguyễn An",
                                             "thay nguồn")
    world.service.traps.add(_trap("auth_failure", "authenticationFailure", "warning"))
    assert world.at(0) == []
    [alert] = [a for a in world.service.snapshot().alerts if a.rule == "snmp_auth_failure"]
    assert alert.muted == f"maintenance:{window.id}" and not alert.notified


def test_info_alert_pages_when_the_threshold_allows(sessions: sessionmaker[Session]) -> None:
    world = World(sessions, page_min_severity="info")
    world.service.traps.add(_trap("cold_start", "coldStart", "info"))
    [page] = world.at(0)
    assert page.labels["alertname"] == "device_restarted"
    assert page.labels["severity"] == "info"


def test_the_gate_reads_the_incident_severity_not_the_root_alone(
        sessions: sessionmaker[Session]) -> None:
    world = World(sessions, page_min_severity="critical")
    world.port("core1", 11, 2)  # one of two uplinks: redundancy_lost (major) + link_down
    [page] = world.at(0)
    assert page.labels["alertname"] == "redundancy_lost" and page.labels["agency"] == "SO-TC"
    [incident] = world.service.snapshot().incidents
    assert incident.severity == "critical" and incident.root.severity == "major"
    world.port("core1", 11, 1)
    assert [n.status for n in world.at(5)] == ["resolved"]


# ---------------------------------------------------------------------- 7. secrets


def test_trap_pages_carry_no_community(sessions: sessionmaker[Session]) -> None:
    world = World(sessions, traps={"communities": ["s3cr3t-c0mmunity"]})
    world.service.traps.add(_trap("auth_failure", "authenticationFailure", "warning"))
    [page] = world.at(0)
    assert page.labels["alertname"] == "snmp_auth_failure"
    assert "s3cr3t" not in repr(page) and "s3cr3t" not in repr(world.service.snapshot())


def test_weekly_window_mutes_only_in_its_hours(sessions: sessionmaker[Session]) -> None:
    world = World(sessions)  # T0 is a Friday, 15:00 in Hồ Chí Minh City
    service = world.service
    friday = service.schedule_maintenance("agency", "Q7", weekdays=(4,), start_time="14:00",
                                          duration=7200, actor="Nguyễn An", note="bảo trì định kỳ",
                                          starts_at=T0 - 86400)
    thursday = service.schedule_maintenance("agency", "Q7", weekdays=(3,), start_time="14:00",
                                            duration=7200, actor="Nguyễn An",
                                            starts_at=T0 - 86400)
    assert friday.recurring and friday.weekdays == (4,)
    world.cut_uplink()
    assert world.at(1) == []  # Friday 15:00: inside the window
    root = next(a for a in service.snapshot().alerts if a.fingerprint == LINK_FP)
    assert root.muted == f"maintenance:{friday.id}" and thursday.id != friday.id
    [page] = world.at(3600)  # 16:00: the window is over, the fault is still there
    assert page.status == "firing"
    kinds = [e.kind for e in service.history(limit=10)]
    assert kinds.count("maintenance") == 2
    with pytest.raises(ValueError, match="Q99"):
        service.schedule_maintenance("agency", "Q99", weekdays=(1,), start_time="22:00",
                                     duration=3600, actor="an")
    with pytest.raises(ValueError, match="weekdays go from 0"):
        service.schedule_maintenance("agency", "Q7", weekdays=(9,), start_time="22:00",
                                     duration=3600, actor="an")
