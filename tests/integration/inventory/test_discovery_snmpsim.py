"""A real SNMP discovery (snmpsim serving a recorded Cisco switch) flows into the drift report.

The inventory records the switch with a serial that is not the chassis serial
of the recording; after ``discover()`` and ``record_facts()`` the drift report
must show the recorded serial against the one read from the recording's
ENTITY-MIB chassis row, and the CDP neighbours as discovered facts.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from collectors.base import DeviceFacts
from collectors.snmp.client import SnmpClient, SnmpTarget
from collectors.snmp.discovery import discover
from collectors.snmp.parsers import text
from inventory.discovery import record_facts
from inventory.drift import drift_report
from inventory.enums import Via
from inventory.models import utcnow
from inventory.records import DiscoveredFact
from inventory.service import Actor, Inventory
from noc.lab.snmprec import ParseStats, parse_records
from noc.runtime import FACT_MODULES
from tests.integration.inventory.conftest import Db
from tests.peers.snmpsim import SnmpsimPeer
from tests.peers.snmpsim import snmpsim_peer as snmpsim_peer

pytestmark = pytest.mark.integration

COMMUNITY = "cisco-c3750"
ENT_PHYSICAL = (1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1)


def chassis_serial(peer: SnmpsimPeer) -> str:
    """The serial (entPhysicalSerialNum) of the first chassis row of the recording."""
    records = {r.oid: r.value for r in parse_records(
        peer.recording_path(COMMUNITY).read_bytes(), ParseStats(), keep=None)}
    chassis = min(oid[-1] for oid, value in records.items()
                  if oid[:-1] == (*ENT_PHYSICAL, 5) and value == 3)
    return text(records[(*ENT_PHYSICAL, 11, chassis)]).strip()


@pytest.fixture(scope="module")
def facts(snmpsim_peer: SnmpsimPeer) -> DeviceFacts:
    async def run() -> DeviceFacts:
        target = SnmpTarget("127.0.0.1", snmpsim_peer.port, "2c", community=COMMUNITY.encode(),
                            timeout=3.0, retries=1)
        async with SnmpClient("127.0.0.1") as client:
            return await discover(client, target, ("interfaces", *FACT_MODULES), deadline=60)

    return asyncio.run(run())


def test_discovered_serial_differing_from_the_record_is_drift(
        db: Db, snmpsim_peer: SnmpsimPeer, facts: DeviceFacts) -> None:
    real_serial = chassis_serial(snmpsim_peer)
    assert real_serial and facts.serial == real_serial, facts.errors
    at = utcnow()
    with db.sessions() as session:
        inv = Inventory(session, Actor("import", Via.IMPORT))
        inv.put("agency", {"code": "Q3", "kind": "district", "name_vi": "Quận 3"})
        inv.put("site", {"code": "Q3", "agency": "Q3", "name": "UBND Quận 3"})
        inv.put("device", {"name": "q3-sw1", "site": "Q3", "device_class": "distribution_switch",
                           "vendor": "Cisco", "serial": "FOC0000RECORDED",
                           "mgmt_address": "127.0.0.1", "snmp_port": snmpsim_peer.port,
                           "credentials": "lab"})
        session.commit()
        assert record_facts(session, "q3-sw1", facts, at) > 0
        session.commit()
        items = {i.kind: i for i in drift_report(session, at) if i.subject == "q3-sw1"}
        stored = dict(session.execute(select(DiscoveredFact.field, DiscoveredFact.value).where(
            DiscoveredFact.subject == "q3-sw1")).all())
    serial = items["serial"]
    assert (serial.agency, serial.recorded, serial.discovered) == ("Q3", "FOC0000RECORDED",
                                                                   real_serial)
    assert "vendor" not in items  # the recorded vendor is what sysObjectID says
    assert stored["model"] == facts.model and stored["sys_name"] == facts.system.name
    assert stored["interfaces"] == str(len(facts.interfaces))
    neighbors = {f for f in stored if f.startswith("neighbor:")}
    assert neighbors and len(neighbors) == len({n.local_port for n in facts.neighbors})
