"""The drift report on SQLite and PostgreSQL: each kind appears, and leaves by adopt or expect."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.base import DeviceFacts, Neighbor, SystemInfo
from inventory.discovery import record_facts, record_seen
from inventory.drift import DriftItem, adopt, drift_report, expect
from inventory.enums import Action, Via
from inventory.models import Device, utcnow
from inventory.records import AuditEntry, DriftAck
from inventory.service import Actor, Inventory, InventoryError
from tests.integration.inventory.conftest import Db

pytestmark = pytest.mark.integration

TECH = Actor("lan.nguyen", Via.UI)
T0 = utcnow().replace(microsecond=0)


def _seed(session: Session) -> None:
    inv = Inventory(session, Actor("import", Via.IMPORT))
    inv.put("agency", {"code": "Q1", "kind": "district", "name_vi": "Quận 1"})
    inv.put("agency", {"code": "Q1-BN", "kind": "ward", "name_vi": "Phường Bến Nghé",
                       "parent": "Q1"})
    inv.put("site", {"code": "Q1", "agency": "Q1", "name": "UBND Quận 1"})
    inv.put("site", {"code": "Q1-BN", "agency": "Q1-BN", "name": "UBND Phường Bến Nghé"})
    snmp = {"credentials": "lab", "vendor": "Cisco"}
    inv.put("device", {"name": "q1-core", "site": "Q1", "device_class": "router",
                       "serial": "FGL0001", "model": "ISR4431", "firmware": "16.9.4",
                       "mgmt_address": "127.20.1.1", **snmp})
    inv.put("device", {"name": "q1-bn-sw1", "site": "Q1-BN", "device_class": "access_switch",
                       "serial": "FOC1234", "model": "WS-C2960-24TT-L",
                       "mgmt_address": "127.20.1.5", **snmp})
    inv.put("device", {"name": "q1-bn-sw2", "site": "Q1-BN", "device_class": "access_switch",
                       "status": "spare", "mgmt_address": "127.20.1.6", **snmp})
    inv.put("device", {"name": "q1-bn-kiosk", "site": "Q1-BN", "device_class": "kiosk",
                       "monitoring": "icmp", "mgmt_address": "127.20.1.7"})
    inv.put("device", {"name": "q1-bn-ws1", "site": "Q1-BN", "device_class": "workstation",
                       "monitoring": "none"})
    inv.put("link", {"name": "q1-core--q1-bn-sw1", "a_device": "q1-core", "a_interface": "Gi0/1",
                     "b_device": "q1-bn-sw1", "b_interface": "Gi0/48", "network": "metronet"})
    session.commit()


def _sw1(serial: str = "FOC9999") -> DeviceFacts:
    """q1-bn-sw1 as discovery sees it: another serial, firmware the record lacks."""
    return DeviceFacts(
        address="127.20.1.5", vendor="cisco", model=" ws-c2960-24tt-l ", serial=serial,
        firmware="15.2(4)E10",
        system=SystemInfo(descr="Cisco IOS", object_id="1.3.6.1.4.1.9.1.716",
                          name="q1-bn-sw1.metronet.local"),
        neighbors=[Neighbor("Gi0/48", "q1-core", "Gi0/1", "cdp", remote_address="127.20.1.1"),
                   Neighbor("Gi0/2", "Q1-BN-SW2.metronet.local", "Gi0/24", "lldp"),
                   Neighbor("Gi0/3", "SEP001122334455", "Port 1", "cdp",
                            remote_address="127.20.1.99")],
        modules_run=["entity", "lldp", "cdp"])


def _core() -> DeviceFacts:
    return DeviceFacts(address="127.20.1.1", vendor="Cisco", model="ISR4431",
                       serial="FGL0001", firmware="16.9.4",
                       system=SystemInfo(descr="Cisco IOS XE", object_id="1.3.6.1.4.1.9.1.1",
                                         name="router-old"), modules_run=["entity"])


def _discovered(session: Session, at: datetime = T0) -> None:
    record_facts(session, "q1-bn-sw1", _sw1(), at)
    record_facts(session, "q1-core", _core(), at)
    session.commit()


def _kinds(session: Session, now: datetime = T0, days: int = 7) -> dict[tuple[str, str], DriftItem]:
    return {(i.subject, i.kind): i for i in drift_report(session, now, days)}


@pytest.fixture
def session(db: Db) -> Iterator[Session]:
    with db.sessions() as s:
        _seed(s)
        _discovered(s)
        yield s


def test_report_lists_each_difference_once_and_nothing_else(session: Session) -> None:
    items = drift_report(session, T0, 7)
    assert {(i.subject, i.kind, i.field) for i in items} == {
        ("q1-bn-sw1", "serial", "serial"),
        ("q1-bn-sw1", "firmware", "firmware"),  # recorded empty: missing
        ("q1-bn-sw1", "neighbor_not_in_inventory", "neighbor:Gi0/2"),
        ("q1-core", "name", "sys_name"),
        ("127.20.1.99", "unknown_address", "unknown_address"),
    }  # model and vendor differ in case and spaces only; the Gi0/48 neighbour is a recorded link
    serial = _kinds(session)[("q1-bn-sw1", "serial")]
    assert (serial.agency, serial.recorded, serial.discovered, serial.since, serial.missing) == (
        "Q1-BN", "FOC1234", "FOC9999", T0, False)
    firmware = _kinds(session)[("q1-bn-sw1", "firmware")]
    assert (firmware.recorded, firmware.discovered, firmware.missing) == ("", "15.2(4)E10", True)
    assert [i.agency for i in items] == sorted(i.agency for i in items)


def test_report_of_one_device_is_its_share_of_the_whole(session: Session) -> None:
    whole = drift_report(session, T0, 7)
    for device in ("q1-bn-sw1", "q1-core"):
        mine = drift_report(session, T0, 7, device=device)
        assert mine == [i for i in whole if i.subject == device] and mine


def test_adopt_copies_the_value_and_audits_before_and_after(session: Session) -> None:
    inv = Inventory(session, TECH)
    change = adopt(inv, "q1-bn-sw1", "serial", note="board replaced under warranty")
    session.commit()
    assert change is not None and change.action is Action.ADOPT
    assert session.scalars(select(Device.serial).where(Device.name == "q1-bn-sw1")).one() == (
        "FOC9999")
    audit = session.scalars(select(AuditEntry).where(AuditEntry.key == "q1-bn-sw1",
                                                     AuditEntry.via == "ui")
                            .order_by(AuditEntry.id)).all()
    assert [(a.action, a.actor, a.changes) for a in audit] == [
        ("update", "lan.nguyen", {"serial": ["FOC1234", "FOC9999"]}),
        ("adopt", "lan.nguyen", {"serial": ["FOC1234", "FOC9999"]})]
    assert audit[1].note == "board replaced under warranty"
    assert ("q1-bn-sw1", "serial") not in _kinds(session)
    assert adopt(inv, "q1-bn-sw1", "serial") is None  # nothing left to adopt


def test_adopting_a_missing_value_fills_the_record(session: Session) -> None:
    adopt(Inventory(session, TECH), "q1-bn-sw1", "firmware")
    session.commit()
    assert ("q1-bn-sw1", "firmware") not in _kinds(session)
    assert session.scalars(select(Device.firmware).where(Device.name == "q1-bn-sw1")).one() == (
        "15.2(4)E10")


def test_expected_value_is_hidden_until_discovery_finds_another(session: Session) -> None:
    inv = Inventory(session, TECH)
    expect(inv, "q1-bn-sw1", "serial", note="spare chassis, RMA pending")
    session.commit()
    assert ("q1-bn-sw1", "serial") not in _kinds(session)
    later = T0 + timedelta(hours=2)
    record_facts(session, "q1-bn-sw1", _sw1(), later)  # same value: still expected
    session.commit()
    assert ("q1-bn-sw1", "serial") not in _kinds(session, later)
    record_facts(session, "q1-bn-sw1", _sw1(serial="FOC7777"), later)
    session.commit()
    back = _kinds(session, later)[("q1-bn-sw1", "serial")]
    assert (back.discovered, back.since) == ("FOC7777", later)
    expect(inv, "q1-bn-sw1", "serial")
    session.commit()
    assert ("q1-bn-sw1", "serial") not in _kinds(session, later)
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "expect")
                            .order_by(AuditEntry.id)).all()
    assert [(a.entity, a.key, a.changes) for a in audit] == [
        ("device", "q1-bn-sw1", {"serial": [None, "FOC9999"]}),
        ("device", "q1-bn-sw1", {"serial": ["FOC9999", "FOC7777"]})]
    ack = session.scalars(select(DriftAck)).one()
    assert (ack.value, ack.actor, ack.note) == ("FOC7777", "lan.nguyen", "")


def test_sysname_differing_from_the_name_can_be_expected_not_adopted(session: Session) -> None:
    inv = Inventory(session, TECH)
    item = _kinds(session)[("q1-core", "name")]
    assert (item.recorded, item.discovered) == ("q1-core", "router-old")
    with pytest.raises(ValueError, match="name is its key"):
        adopt(inv, "q1-core", "sys_name")
    expect(inv, "q1-core", "sys_name")
    session.commit()
    assert ("q1-core", "name") not in _kinds(session)


def test_unknown_address_leaves_once_a_device_has_it(session: Session) -> None:
    item = _kinds(session)[("127.20.1.99", "unknown_address")]
    assert (item.agency, item.discovered) == ("Q1-BN", "q1-bn-sw1")
    with pytest.raises(ValueError, match="record a device"):
        adopt(Inventory(session, TECH), "127.20.1.99", "unknown_address")
    Inventory(session, TECH).put("device", {
        "name": "q1-bn-phone1", "site": "Q1-BN", "device_class": "other",
        "monitoring": "icmp", "mgmt_address": "127.20.1.99"})
    session.commit()
    assert ("127.20.1.99", "unknown_address") not in _kinds(session)


def test_unknown_address_can_be_expected(session: Session) -> None:
    change = expect(Inventory(session, TECH), "127.20.1.99", "unknown_address", "IP phone")
    session.commit()
    assert change.entity == "address"
    assert ("127.20.1.99", "unknown_address") not in _kinds(session)


def test_neighbour_without_a_recorded_link_leaves_when_the_link_is_recorded(
        session: Session) -> None:
    item = _kinds(session)[("q1-bn-sw1", "neighbor_not_in_inventory")]
    assert (item.field, item.discovered) == ("neighbor:Gi0/2", "Q1-BN-SW2.metronet.local Gi0/24")
    Inventory(session, TECH).put("link", {
        "name": "q1-bn-sw1--sw2", "a_device": "q1-bn-sw1", "a_interface": "Gi0/2",
        "b_device": "q1-bn-sw2", "b_interface": "Gi0/24", "network": "lan"})
    session.commit()
    assert ("q1-bn-sw1", "neighbor_not_in_inventory") not in _kinds(session)


def test_silent_devices_are_the_active_monitored_ones_not_seen_for_n_days(
        session: Session) -> None:
    assert not any(kind == "silent" for _, kind in _kinds(session))
    week_later = T0 + timedelta(days=8)
    silent = {s: i for (s, kind), i in _kinds(session, week_later).items() if kind == "silent"}
    # spare q1-bn-sw2 and unmonitored q1-bn-ws1 are not expected to answer
    assert set(silent) == {"q1-core", "q1-bn-sw1", "q1-bn-kiosk"}
    assert (silent["q1-bn-kiosk"].discovered, silent["q1-bn-sw1"].since) == ("never", T0)
    assert silent["q1-bn-sw1"].discovered == T0.isoformat()
    assert not any(kind == "silent" for _, kind in _kinds(session, week_later, days=30))
    record_seen(session, ["q1-core", "q1-bn-kiosk"], week_later)
    inv = Inventory(session, TECH)
    expect(inv, "q1-bn-sw1", "seen", note="site closed for renovation")
    session.commit()
    assert not any(kind == "silent" for _, kind in _kinds(session, week_later))
    # seen again, then silent again: a new silence shows again
    record_seen(session, ["q1-bn-sw1"], week_later)
    session.commit()
    assert ("q1-bn-sw1", "silent") in _kinds(session, week_later + timedelta(days=8))


def test_adopt_refuses_what_cannot_be_adopted(session: Session) -> None:
    inv = Inventory(session, TECH)
    with pytest.raises(LookupError, match="no discovered serial for 'nowhere'"):
        adopt(inv, "nowhere", "serial")
    with pytest.raises(ValueError, match="record the link"):
        adopt(inv, "q1-bn-sw1", "neighbor:Gi0/2")
    with pytest.raises(ValueError, match="adoptable fields: serial, model, firmware, vendor"):
        adopt(inv, "q1-bn-sw1", "colour")
    with pytest.raises(LookupError, match="nothing discovered"):
        expect(inv, "q1-bn-sw1", "colour")
    record_facts(session, "q1-bn-sw1", _sw1(serial="FGL0001"), T0)  # q1-core's serial
    with pytest.raises(InventoryError, match="duplicate serial 'FGL0001'"):
        adopt(inv, "q1-bn-sw1", "serial")
