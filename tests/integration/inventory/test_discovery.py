"""Discovered facts on SQLite and PostgreSQL: upserts, unchanged values, unknown addresses, seen."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.base import ArpEntry, DeviceFacts, InterfaceSample, Neighbor, SystemInfo
from inventory.discovery import MAX_UNKNOWN_ADDRESSES, record_facts, record_seen
from inventory.enums import Via
from inventory.models import Device
from inventory.records import DiscoveredFact
from inventory.service import Actor, Inventory
from tests.integration.inventory.conftest import Db

pytestmark = pytest.mark.integration

T0 = datetime(2025, 3, 1, 8, 0, 0)
LAB = Actor("lab", Via.LAB)


def _seed(session: Session) -> None:
    inv = Inventory(session, LAB)
    inv.put("agency", {"code": "Q1", "kind": "district", "name_vi": "Quận 1"})
    inv.put("site", {"code": "Q1", "agency": "Q1", "name": "UBND Quận 1"})
    for name, address in (("q1-sw1", "127.20.1.5"), ("q1-core", "127.20.1.1")):
        inv.put("device", {"name": name, "site": "Q1", "device_class": "access_switch",
                           "mgmt_address": address, "credentials": "lab"})
    session.commit()


def _facts(serial: str = "FOC1234", **extra: object) -> DeviceFacts:
    facts = DeviceFacts(
        address="127.20.1.5",
        system=SystemInfo(descr="Cisco IOS Software, C2960", object_id="1.3.6.1.4.1.9.1.1",
                          name="q1-sw1"),
        vendor="Cisco", model="WS-C2960-24TT-L", serial=serial, firmware="15.2(4)E10",
        interfaces=[InterfaceSample(1, name="Gi0/1"), InterfaceSample(2, name="Gi0/2")],
        neighbors=[Neighbor("Gi0/1", "q1-core", "Gi0/48", protocol="cdp",
                            remote_address="127.20.1.1")],
        modules_run=["entity", "cdp"])
    for key, value in extra.items():
        setattr(facts, key, value)
    return facts


def _stored(session: Session, subject: str = "q1-sw1") -> dict[str, DiscoveredFact]:
    session.expire_all()  # the upserts bypass the identity map
    return {f.field: f for f in session.scalars(
        select(DiscoveredFact).where(DiscoveredFact.subject == subject))}


def test_first_discovery_stores_every_fact_of_the_device(db: Db) -> None:
    with db.sessions() as session:
        _seed(session)
        new = record_facts(session, "q1-sw1", _facts(), T0)
        session.commit()
        stored = _stored(session)
        device_id = session.scalars(select(Device.id).where(Device.name == "q1-sw1")).one()
    assert {f: (s.value, s.source) for f, s in stored.items()} == {
        "serial": ("FOC1234", "snmp"), "model": ("WS-C2960-24TT-L", "snmp"),
        "vendor": ("Cisco", "snmp"), "firmware": ("15.2(4)E10", "snmp"),
        "sys_name": ("q1-sw1", "snmp"), "sys_descr": ("Cisco IOS Software, C2960", "snmp"),
        "interfaces": ("2", "snmp"), "neighbor:Gi0/1": ("q1-core Gi0/48", "cdp"),
        "seen": ("", "snmp")}
    assert new == len(stored)  # all new; the neighbour's address is a recorded one
    assert {s.device_id for s in stored.values()} == {device_id}
    assert {(s.first_seen, s.last_seen) for s in stored.values()} == {(T0, T0)}


def test_unchanged_values_only_move_last_seen_and_changed_ones_restart(db: Db) -> None:
    later, latest = T0 + timedelta(hours=6), T0 + timedelta(hours=12)
    with db.sessions() as session:
        _seed(session)
        record_facts(session, "q1-sw1", _facts(), T0)
        session.commit()
        assert record_facts(session, "q1-sw1", _facts(), later) == 0
        session.commit()
        assert _stored(session)["serial"].first_seen == T0
        assert _stored(session)["serial"].last_seen == later
        assert record_facts(session, "q1-sw1", _facts(serial="FOC9999"), latest) == 1
        session.commit()
        stored = _stored(session)
    assert (stored["serial"].value, stored["serial"].first_seen,
            stored["serial"].last_seen) == ("FOC9999", latest, latest)
    assert (stored["model"].first_seen, stored["model"].last_seen) == (T0, latest)


def test_a_value_the_device_did_not_give_keeps_the_stored_one(db: Db) -> None:
    with db.sessions() as session:
        _seed(session)
        record_facts(session, "q1-sw1", _facts(), T0)
        record_facts(session, "q1-sw1", _facts(serial="", firmware=""), T0 + timedelta(hours=1))
        session.commit()
        stored = _stored(session)
    assert (stored["serial"].value, stored["serial"].last_seen) == ("FOC1234", T0)
    assert stored["firmware"].value == "15.2(4)E10"
    assert stored["seen"].last_seen == T0 + timedelta(hours=1)


def test_a_device_that_did_not_answer_stores_nothing(db: Db) -> None:
    dead = DeviceFacts(address="127.20.1.5", errors=["no SNMP response (timeout)"])
    with db.sessions() as session:
        _seed(session)
        assert record_facts(session, "q1-sw1", dead, T0) == 0
        session.commit()
        assert _stored(session) == {}


def test_a_lost_neighbour_is_forgotten_only_when_the_neighbour_modules_ran(db: Db) -> None:
    with db.sessions() as session:
        _seed(session)
        record_facts(session, "q1-sw1", _facts(), T0)
        record_facts(session, "q1-sw1", _facts(neighbors=[], modules_run=["entity"]),
                     T0 + timedelta(hours=1))
        session.commit()
        assert "neighbor:Gi0/1" in _stored(session)
        record_facts(session, "q1-sw1", _facts(neighbors=[]), T0 + timedelta(hours=2))
        session.commit()
        assert "neighbor:Gi0/1" not in _stored(session)


def test_unknown_addresses_are_facts_of_their_own_bounded_per_device(db: Db) -> None:
    arp = [ArpEntry(1, f"127.30.{n // 250}.{n % 250 + 1}", "00:11:22:33:44:55")
           for n in range(MAX_UNKNOWN_ADDRESSES + 500)]
    neighbors = [Neighbor("Gi0/1", "q1-core", "Gi0/48", "cdp", remote_address="127.20.1.1"),
                 Neighbor("Gi0/2", "ap-7", "eth0", "lldp", remote_address="127.20.1.99")]
    with db.sessions() as session:
        _seed(session)
        new = record_facts(session, "q1-sw1", _facts(neighbors=neighbors, arp=arp), T0)
        session.commit()
        unknown = {f.subject: f for f in session.scalars(select(DiscoveredFact).where(
            DiscoveredFact.field == "unknown_address"))}
        # another device reports one of them later: the first reporter stays
        record_facts(session, "q1-core", _facts(neighbors=neighbors[1:], arp=[]),
                     T0 + timedelta(hours=1))
        session.commit()
        again = _stored(session, "127.20.1.99")["unknown_address"]
    assert len(unknown) == MAX_UNKNOWN_ADDRESSES
    assert "127.20.1.1" not in unknown  # q1-core's recorded address
    assert "127.20.1.5" not in unknown  # the device's own address
    assert (unknown["127.20.1.99"].value, unknown["127.20.1.99"].source,
            unknown["127.20.1.99"].device_id) == ("q1-sw1", "lldp", None)
    assert new == 10 + MAX_UNKNOWN_ADDRESSES  # the device's 10 facts, and the addresses
    assert (again.value, again.first_seen, again.last_seen) == ("q1-sw1", T0,
                                                                T0 + timedelta(hours=1))


def test_record_seen_marks_recorded_devices_and_ignores_others(db: Db) -> None:
    with db.sessions() as session:
        _seed(session)
        assert record_seen(session, ["q1-sw1", "q1-core", "not-recorded"], T0) == 2
        assert record_seen(session, ["q1-sw1"], T0 + timedelta(minutes=5)) == 1
        session.commit()
        seen = {f.subject: f for f in session.scalars(
            select(DiscoveredFact).where(DiscoveredFact.field == "seen"))}
    assert set(seen) == {"q1-sw1", "q1-core"}
    assert (seen["q1-sw1"].first_seen, seen["q1-sw1"].last_seen) == (
        T0, T0 + timedelta(minutes=5))
    assert seen["q1-core"].source == "poll"
