"""AlertService restart and persistence; the world the other service tests share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy.orm import Session, sessionmaker

from collectors.base import InterfaceSample
from collectors.icmp.parse import IcmpSample
from inventory.catalog import CatAgency, Catalog, CatDevice, CatLink
from noc.alerting.conditions import EvalContext
from noc.alerting.model import Alert, Notification, fingerprint
from noc.alerting.notify import Dispatcher
from noc.alerting.oncall import OnCallSettings
from noc.alerting.service import AlertService
from noc.alerting.settings import AlertingSettings
from noc.alerting.view import NotifierHealth
from noc.db import init_schema, make_engine, session_factory
from noc.state import DeviceState, InterfaceState

T0 = 1_800_000_000.0
UPLINK = "q7-uplink-metronet"
WARD_SWITCHES = ("q7-tp-sw1", "q7-tt-sw1")
BEHIND_DISTRICT = ("q7-sw1", *WARD_SWITCHES, "q7-tp-ws1")


def catalog() -> Catalog:
    """A district behind core1 with two wards, and a department dual-homed on two cores.

    core1 -> q7-sw1 (Quận 7) -> q7-tp-sw1, q7-tt-sw1 (wards), an ICMP-only
    workstation in Phường Tân Phong; Sở Tài chính on core1 and core2.
    """
    agencies = {
        "TTDL": CatAgency("TTDL", "city", "Trung tâm Dữ liệu", "Data Center", None),
        "Q7": CatAgency("Q7", "district", "Quận 7", "District 7", None, "Lê Văn Bảy",
                        "028 3777 0007", "q7@example.org"),
        "Q7-TP": CatAgency("Q7-TP", "ward", "Phường Tân Phong", "Tan Phong Ward", "Q7",
                           "Nguyễn Thị Hoa", "028 3777 0101", "tp@example.org"),
        "Q7-TT": CatAgency("Q7-TT", "ward", "Phường Tân Thuận Tây", "Tan Thuan Tay Ward", "Q7",
                           "Phạm Văn Đức", "", "tt@example.org"),
        "SO-TC": CatAgency("SO-TC", "department", "Sở Tài chính", "Department of Finance",
                           None, "Trần Thị Tư", "", "sotc@example.org"),
    }

    def dev(name: str, agency: str, cls: str, address: str, monitoring: str = "snmp") -> CatDevice:
        return CatDevice(name, agency, agency, cls, address, 161,
                         "lab-v2c" if monitoring == "snmp" else None, monitoring)

    devices = [dev("core1", "TTDL", "router", "127.31.0.1"),
               dev("core2", "TTDL", "router", "127.31.0.2"),
               dev("so-tc-sw1", "SO-TC", "access_switch", "127.31.4.1"),
               dev("q7-sw1", "Q7", "distribution_switch", "127.31.1.1"),
               dev("q7-tp-sw1", "Q7-TP", "access_switch", "127.31.2.1"),
               dev("q7-tt-sw1", "Q7-TT", "access_switch", "127.31.3.1"),
               dev("q7-tp-ws1", "Q7-TP", "workstation", "127.31.2.10", "icmp")]
    links = (CatLink(UPLINK, "core1", 10, "q7-sw1", 1, "metronet", 1000),
             CatLink("q7-tp-uplink-metronet", "q7-sw1", 3, "q7-tp-sw1", 1, "metronet", 100),
             CatLink("q7-tt-uplink-metronet", "q7-sw1", 4, "q7-tt-sw1", 1, "metronet", 100),
             CatLink("so-tc-uplink-metronet", "core1", 11, "so-tc-sw1", 1, "metronet", 1000),
             CatLink("so-tc-uplink-tslcd", "core2", 12, "so-tc-sw1", 2, "tslcd", 100))
    return Catalog(agencies, {d.name: d for d in devices}, links)


def _port(index: int, oper: int = 1) -> InterfaceState:
    return InterfaceState(InterfaceSample(index, name=f"ge-0/0/{index}", admin_status=1,
                                          oper_status=oper))


class FakeDispatcher:
    """Records what the service submits."""

    def __init__(self) -> None:
        self.sent: list[Notification] = []
        self.started = 0
        self.stopped = 0

    def submit(self, notification: Notification) -> None:
        self.sent.append(notification)

    def set_alive(self, alive: Callable[[], bool]) -> None:
        self.alive = alive

    async def start(self) -> None:
        self.started += 1

    async def stop(self) -> None:
        self.stopped += 1

    def health(self) -> list[NotifierHealth]:
        return []

    def take(self) -> list[Notification]:
        """What was sent since the last call."""
        out, self.sent = self.sent, []
        return out


class World:
    """The catalog, device states, a fake clock, re-poll requests and an AlertService."""

    def __init__(self, sessions: sessionmaker[Session], **settings: object) -> None:
        self.sessions = sessions
        self.catalog = catalog()
        self.now = T0
        self.repolled: list[list[str]] = []
        self.states: dict[str, DeviceState] = {}
        self.settings = AlertingSettings.model_validate({"interval": 60, **settings})
        for name, cat in self.catalog.devices.items():
            self.states[name] = DeviceState(name, up=True if cat.polled else None,
                                            icmp_up=True)
        ports = {"core1": (10, 11), "core2": (12,), "so-tc-sw1": (1, 2), "q7-sw1": (1, 3, 4),
                 "q7-tp-sw1": (1,), "q7-tt-sw1": (1,)}
        for name, indexes in ports.items():
            self.states[name].interfaces = {i: _port(i) for i in indexes}
        self.dispatcher = FakeDispatcher()
        self.service = self.new_service()

    def new_service(self) -> AlertService:
        """A service over the same database, states and clock (a restart)."""
        self.dispatcher = FakeDispatcher()
        self.service = AlertService(
            self.settings, self.sessions, catalog=lambda: self.catalog,
            devices=lambda: self.states,
            context=lambda now: EvalContext(now=now, poll_interval=60),
            repoll=self.repolled.append, poll_interval=60.0,
            external_url="https://noc.example.org/",
            dispatcher=cast(Dispatcher, self.dispatcher), clock=lambda: self.now)
        return self.service

    def at(self, seconds: float) -> list[Notification]:
        """Evaluate at T0 + ``seconds``; what was sent by that evaluation."""
        self.now = T0 + seconds
        self.service.evaluate(self.now)
        return self.dispatcher.take()

    # --- the network ---------------------------------------------------------------------

    def down(self, *names: str) -> None:
        for name in names:
            state = self.states[name]
            if self.catalog.devices[name].polled:
                state.up, state.failures = False, 3
            state.icmp_up = False
            state.icmp = IcmpSample(self.catalog.devices[name].address or "", 3, 0)

    def up(self, *names: str) -> None:
        for name in names:
            state = self.states[name]
            if self.catalog.devices[name].polled:
                state.up, state.failures = True, 0
            state.icmp_up = True
            state.icmp = IcmpSample(self.catalog.devices[name].address or "", 3, 3)

    def port(self, device: str, index: int, oper: int) -> None:
        self.states[device].interfaces[index] = _port(index, oper)

    def cut_uplink(self) -> None:
        """The district's uplink dies: core1's port oper down, everything behind unreachable."""
        self.port("core1", 10, 2)
        self.down(*BEHIND_DISTRICT)

    def heal_uplink(self) -> None:
        self.port("core1", 10, 1)
        self.up(*BEHIND_DISTRICT)


def open_sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Sessions on a fresh SQLite database with the project's schema."""
    engine = make_engine("sqlite:///" + str(tmp_path / "alerts.sqlite3"))
    init_schema(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    yield from open_sessions(tmp_path)


@pytest.fixture
def world(sessions: sessionmaker[Session]) -> World:
    return World(sessions)


def chained(sessions: sessionmaker[Session]) -> World:
    """A world whose incidents escalate: one level re-paging every 60 s."""
    oncall = OnCallSettings.model_validate({
        "people": [{"name": "Trực ca", "email": "oncall@example.org"}],
        "chains": [{"name": "noc", "max_pages": 10,
                    "levels": [{"notify": ["person:Trực ca"], "repeat_every": 60,
                                "repeats": 5}]}],
        "default_chain": "noc"})
    return World(sessions, oncall=oncall)


LINK_FP = fingerprint("link_down", UPLINK)


# ---------------------------------------------------------------------- 3. restart


async def test_restart_restores_the_paged_alert_and_resolves_it_once(
        sessions: sessionmaker[Session]) -> None:
    world = World(sessions)
    await world.service.start()
    world.cut_uplink()
    [page] = world.at(0)
    await world.service.stop()
    assert world.dispatcher.started == world.dispatcher.stopped == 1

    world.now = T0 + 30
    service = world.new_service()
    await service.start()
    try:
        active = {a.fingerprint: a for a in service.snapshot().alerts}
        assert active[LINK_FP].notified
        again = world.at(31)  # condition still true: re-announced to Alertmanager only
        assert [(n.refresh, n.status) for n in again] == [(True, "firing")]
        assert again[0].labels == page.labels
        assert world.at(32) == []
        world.heal_uplink()
        assert world.at(60) == []  # within the grace (1.5 poll intervals): held
        [done] = world.at(130)
        assert done.status == "resolved" and done.labels == page.labels
        assert world.at(131) == []
    finally:
        await service.stop()
    kinds = [e.kind for e in service.history(fingerprint=LINK_FP)]
    assert kinds.count("notified") == 1 and kinds.count("notified_resolved") == 1
    assert "firing" in kinds and "resolved" in kinds


async def test_restart_while_healed_resolves_after_the_grace_only(
        sessions: sessionmaker[Session]) -> None:
    world = World(sessions)
    await world.service.start()
    world.cut_uplink()
    assert len(world.at(0)) == 1
    await world.service.stop()
    world.heal_uplink()
    world.now = T0 + 10
    service = world.new_service()
    await service.start()
    try:
        assert [n.refresh for n in world.at(11)] == [True]  # held until the grace is over
        assert world.at(99) == []
        assert [n.status for n in world.at(101)] == ["resolved"]
    finally:
        await service.stop()
    assert service.store.load_active() == []


async def test_a_change_made_while_writing_is_written_next_time(world: World) -> None:
    world.cut_uplink()
    assert len(world.at(0)) == 1
    service = world.service
    real_save = service.store.save
    saved: list[set[str]] = []

    def save(changed: Iterable[Alert], gone: Iterable[str]) -> None:
        changed = list(changed)
        saved.append({a.fingerprint for a in changed})
        real_save(changed, gone)
        if len(saved) == 1:  # the loop acknowledges while the worker thread writes
            live = service.lifecycle.get(LINK_FP)
            assert live is not None
            live.acked_by = "Nguyễn An"

    service.store.save = save  # type: ignore[method-assign]
    await service._write()
    await service._write()
    assert len(saved) == 2 and LINK_FP in saved[1]
    [stored] = [a for a in service.store.load_active() if a.fingerprint == LINK_FP]
    assert stored.acked_by == "Nguyễn An" and stored.notified


async def test_heartbeats_stop_when_evaluation_stalls(tmp_path: Path) -> None:
    for sessions in open_sessions(tmp_path):
        world = World(sessions)
        await world.service.start()
        try:
            alive = world.dispatcher.alive  # what the service gave the notifiers
        finally:
            await world.service.stop()
        world.at(0)
        assert alive()  # just evaluated
        world.now = T0 + 400  # nothing evaluated for 5 intervals and more (the loop is stopped)
        assert not alive()
