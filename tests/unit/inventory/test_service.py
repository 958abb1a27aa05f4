"""The inventory service: validation, references, uniqueness, audit, retire/delete."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.enums import Action, Via
from inventory.models import Device
from inventory.records import AuditEntry
from inventory.service import Actor, Inventory, InventoryError, ValidationError
from noc.db import init_schema, make_engine, session_factory

TECH = Actor("lan.nguyen", Via.API)


@pytest.fixture
def session(tmp_path) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path}/inv.sqlite3")
    init_schema(engine)
    with session_factory(engine)() as s:
        yield s
    engine.dispose()


def _city(inv: Inventory) -> None:
    inv.put("agency", {"code": "Q1", "kind": "district", "name_vi": "Quận 1",
                       "name_en": "District 1"})
    inv.put("agency", {"code": "Q1-BN", "kind": "ward", "name_vi": "Phường Bến Nghé",
                       "parent": "Q1"})
    inv.put("site", {"code": "Q1-BN", "agency": "Q1-BN", "name": "UBND Phường Bến Nghé"})
    inv.put("device", {"name": "q1-bn-sw1", "site": "Q1-BN", "device_class": "access_switch",
                       "serial": "FOC1234", "mgmt_address": "127.20.1.5",
                       "credentials": "lab"})
    inv.put("device", {"name": "q1-core", "site": "Q1-BN", "device_class": "router",
                       "mgmt_address": "127.20.1.1", "credentials": "lab"})


@pytest.mark.parametrize("bulk", [False, True])
def test_put_creates_updates_and_audits(session, bulk):
    inv = Inventory(session, TECH)
    if bulk:
        inv.preload()
    _city(inv)
    link = inv.put("link", {"name": "q1-core--q1-bn", "a_device": "q1-core",
                            "a_interface": "Gi0/1", "b_device": "q1-bn-sw1",
                            "b_interface": "Gi0/48", "network": "metronet"})
    assert link is not None and link.action is Action.CREATE
    assert inv.put("site", {"code": "Q1-BN", "agency": "Q1-BN",
                            "name": "UBND Phường Bến Nghé"}) is None  # unchanged
    change = inv.patch("device", "q1-bn-sw1", {"firmware": "15.2(4)E10"})
    assert change is not None and change.changes == {"firmware": ["", "15.2(4)E10"]}
    session.commit()
    rec = Inventory(session, TECH).record("link", inv.get("link", "q1-core--q1-bn"))
    assert (rec["a_device"], rec["a_interface"], rec["b_interface"]) == ("q1-core", "Gi0/1",
                                                                         "Gi0/48")
    audit = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(a.entity, a.action) for a in audit][-4:] == [
        ("interface", "create"), ("interface", "create"), ("link", "create"),
        ("device", "update")]
    assert audit[-1].actor == "lan.nguyen" and audit[-1].via == "api"
    assert Inventory(session, TECH).record("agency", inv.get("agency", "Q1-BN"))["parent"] == "Q1"


def test_duplicate_serial_and_unknown_reference_are_refused(session):
    inv = Inventory(session, TECH)
    _city(inv)
    with pytest.raises(InventoryError, match=r"serial.*duplicate serial 'FOC1234'.*q1-bn-sw1"):
        inv.patch("device", "q1-core", {"serial": "FOC1234"})
    with pytest.raises(InventoryError, match="site: unknown site 'Q9'") as info:
        inv.put("device", {"name": "x", "site": "Q9", "device_class": "kiosk",
                           "monitoring": "none"})
    assert info.value.field == "site"
    with pytest.raises(ValidationError, match="not an IPv4 or IPv6 address"):
        inv.patch("device", "q1-core", {"mgmt_address": "127.40.0.300"})


def test_delete_retires_devices_and_refuses_orphans(session):
    inv = Inventory(session, TECH)
    _city(inv)
    change = inv.delete("device", "q1-bn-sw1")
    assert change.action is Action.RETIRE
    assert session.scalars(select(Device.status).where(Device.name == "q1-bn-sw1")).one() == \
        "retired"
    with pytest.raises(InventoryError, match="still used by site Q1-BN"):
        inv.delete("agency", "Q1-BN")
    inv.delete("device", "q1-bn-sw1", purge=True)
    assert inv.get("device", "q1-bn-sw1") is None
