"""discover() against the lab's SNMP responder serving real device recordings."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass

import pytest

from collectors.base import DeviceFacts
from collectors.snmp import mibs
from collectors.snmp.ber import Oid
from collectors.snmp.client import SnmpClient, SnmpTarget
from collectors.snmp.discovery import discover
from collectors.snmp.modules import (
    Columns,
    ModuleResult,
    Reader,
    Registry,
    Scalars,
    default_registry,
)
from collectors.snmp.modules.interfaces import MODULE as INTERFACES
from noc.lab.agent import LabAgent
from noc.lab.live import DeviceView
from noc.lab.model import DeviceRole, LabDevice
from noc.lab.recordings import load_recording

C3560 = "network/switch/cisco-c3560.snmprec.bz2"
MX960 = "network/router/juniper-mx960-13-3r9-13.snmprec.bz2"
HUAWEI = "network/router/huawei-s5720.snmprec.bz2"
LINUX = "os/linux/unknown-002.snmprec.bz2"
APC = "UPS/apc-8641.snmprec"
PALOALTO = "network/firewall/paloalto-pa-5000.snmprec.bz2"
DEVICES = {  # name -> (address, recording, serial the lab serves as the chassis serial)
    "sw-c3560": ("127.22.0.1", C3560, "FOC-LAB-3560"),
    "rt-mx960": ("127.22.0.2", MX960, "JN-LAB-MX960"),  # jnxBoxSerialNo
    "sw-s5720": ("127.22.0.3", HUAWEI, "HW-LAB-5720"),
    "srv-linux": ("127.22.0.4", LINUX, ""),
    "ups-apc": ("127.22.0.5", APC, "ZA0123LAB86"),  # "SN: ..." inside sysDescr
    "fw-pa5000": ("127.22.0.6", PALOALTO, "PA-LAB-5000"),
}
T0 = 1_700_000_000.0
JNX_TEMP: Oid = (1, 3, 6, 1, 4, 1, 2636, 3, 1, 13, 1, 7)
LLDP_REM_SYS_NAME: Oid = (1, 0, 8802, 1, 1, 2, 1, 4, 1, 1, 9)
ENT_MODEL: Oid = (1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 13)
HR_STORAGE_SIZE: Oid = (1, 3, 6, 1, 2, 1, 25, 2, 3, 1, 5)


@pytest.fixture
async def lab() -> AsyncIterator[LabAgent]:
    views = [DeviceView(LabDevice(name, "LAB", DeviceRole.ACCESS_SWITCH, address, path,
                                  serial=serial), epoch=T0)
             for name, (address, path, serial) in DEVICES.items()]
    agent = LabAgent(views, 0, clock=lambda: T0 + 3600)
    await agent.start()
    try:
        yield agent
    finally:
        await agent.stop()


@pytest.fixture
async def client() -> AsyncIterator[SnmpClient]:
    async with SnmpClient("127.0.0.1") as snmp:
        yield snmp


async def _discover(client: SnmpClient, lab: LabAgent, name: str, **kwargs: object) -> DeviceFacts:
    target = SnmpTarget(DEVICES[name][0], lab.port, timeout=0.5, retries=1,
                        version=str(kwargs.pop("version", "2c")))
    return await discover(client, target, **kwargs)  # type: ignore[arg-type]


async def test_cisco_c3560_identity_health_and_interfaces(client, lab):
    facts = await _discover(client, lab, "sw-c3560")
    assert (facts.vendor, facts.model, facts.serial, facts.firmware) == (
        "Cisco", load_recording(C3560).get((*ENT_MODEL, 1001)).decode(), "FOC-LAB-3560",
        "12.2(55)SE3")
    temperature = next(s for s in facts.sensors if s.kind == "temperature")
    assert temperature.name == "SW#1, Sensor#1, YELLOW" and abs(temperature.value - 61) <= 3
    assert {s.kind for s in facts.sensors} == {"temperature", "fan", "power_supply"}
    assert facts.cpu_percent is not None and facts.memory is not None
    assert len(facts.interfaces) == 57 and all(i.mac for i in facts.interfaces if i.if_type == 6)
    assert facts.errors == [] and facts.system.name == "sw-c3560"
    assert facts.pdus < 60


async def test_juniper_mx960_serial_temperatures_and_lldp_neighbours(client, lab):
    facts = await _discover(client, lab, "rt-mx960")
    rec = load_recording(MX960)
    assert (facts.vendor, facts.model, facts.serial, facts.firmware) == (
        "Juniper", "MX960", "JN-LAB-MX960", "13.3R9.13")  # the device's own, not the recording's
    pem0 = next(s for s in facts.sensors if s.name == "PEM 0" and s.kind == "temperature")
    assert abs(pem0.value - rec.get((*JNX_TEMP, 2, 1, 0, 0))) <= 3
    remote = {v.decode() for v in rec.column(LLDP_REM_SYS_NAME).values()}
    assert {n.remote_name for n in facts.neighbors} == remote
    assert next(n for n in facts.neighbors if n.local_if_index == 606).local_port == "ge-0/1/0"
    assert facts.errors == []


async def test_huawei_s5720_model_from_sys_descr_and_board_health(client, lab):
    facts = await _discover(client, lab, "sw-s5720")
    assert (facts.vendor, facts.model, facts.serial) == ("Huawei", "S5720-36C-EI-AC",
                                                         "HW-LAB-5720")
    assert facts.firmware == "5.160 V200R007C00SPC500"
    (mpu,) = facts.sensors
    assert mpu.name == "MPU Board 0" and abs(mpu.value - 42) <= 3
    assert facts.memory is not None and facts.memory.total_bytes == 1626341376
    assert {m.name for m in facts.modules} >= {"MPU Board 0", "FAN Card 0/7"}


async def test_linux_host_memory_disks_load_and_processes(client, lab):
    facts = await _discover(client, lab, "srv-linux")
    assert facts.vendor == "net-snmp" and facts.firmware == "3.2.60"
    assert facts.memory is not None and facts.memory.total_bytes == 3960332 * 1024
    root = facts.disks[0]
    assert root.name == "/" and root.total_bytes == load_recording(LINUX).get(
        (*HR_STORAGE_SIZE, 31)) * 4096
    assert len(facts.load_average) == 3 and facts.processes == 111
    assert len(facts.cpu_cores) == 2 and facts.cpu_percent is not None
    assert facts.sensors == [] and facts.neighbors == [] and facts.errors == []


async def test_apc_identity_comes_from_sys_descr(client, lab):
    facts = await _discover(client, lab, "ups-apc")
    assert (facts.vendor, facts.model, facts.serial, facts.firmware) == (
        "APC", "AP8641", "ZA0123LAB86", "6.7.2")
    assert facts.errors == [] and facts.pdus <= 10


async def test_palo_alto_entity_sensors(client, lab):
    facts = await _discover(client, lab, "fw-pa5000")
    assert (facts.vendor, facts.model, facts.serial, facts.firmware) == (
        "Palo Alto Networks", "PA-5050", "PA-LAB-5000", "8.0.1")
    fan = next(s for s in facts.sensors if s.name == "Fan #1 RPM")
    assert (fan.kind, fan.value, fan.unit) == ("fan", 4618.0, "rpm")
    assert len(facts.sensors) == 14
    assert json.loads(json.dumps(asdict(facts)))["sensors"][0]["source"] == "sensors"


async def test_snmp_v1_discovery_gets_the_same_identity(client, lab):
    facts = await _discover(client, lab, "sw-c3560", version="1", modules=["entity"])
    assert (facts.model, facts.serial) == ("WS-C3560G-48TS-E", "FOC-LAB-3560")
    assert facts.errors == []


async def test_chosen_modules_only_and_vendor_modules_skip_other_vendors(client, lab):
    facts = await _discover(client, lab, "srv-linux", modules=["ucd", "cisco"])
    assert facts.modules_run == ["ucd"] and facts.interfaces == [] and facts.load_average
    with pytest.raises(ValueError, match="unknown MIB module"):
        await _discover(client, lab, "srv-linux", modules=["nope"])


# ------------------------------------------------------------------ fault injection


@dataclass(kw_only=True)
class _Counts(ModuleResult):
    count: int = 0


class _Garbage:
    """Asks ifDescr (strings) where it wants integers."""

    name = "garbage"
    scalars: tuple[Oid, ...] = (mibs.SYS_DESCR,)
    columns: tuple[Oid, ...] = (mibs.IF_COLUMNS["descr"],)
    vendors: frozenset[str] = frozenset()
    max_rows: int | None = None

    def parse(self, scalars: Scalars, columns: Columns) -> _Counts:
        read = Reader(scalars, columns, [])
        read.int_scalar(mibs.SYS_DESCR)
        return _Counts(count=len(read.ints(mibs.IF_COLUMNS["descr"])), errors=read.errors)

    def apply(self, result: _Counts, facts: DeviceFacts) -> None:
        facts.processes = result.count


class _Crashing(_Garbage):
    name = "crashing"

    def parse(self, scalars: Scalars, columns: Columns) -> _Counts:
        raise IndexError("truncated table")


class _Bounded(_Garbage):
    name = "bounded"
    max_rows = 5


async def test_garbage_types_and_a_crashing_module_still_give_facts(client, lab):
    registry = Registry([INTERFACES, _Garbage(), _Crashing()])
    facts = await _discover(client, lab, "sw-c3560", registry=registry)
    assert len(facts.interfaces) == 57 and facts.vendor == "Cisco"
    assert facts.processes == 0
    assert facts.errors == [
        "garbage: 1.3.6.1.2.1.1.1.0: ignored (expected an integer, got OCTET STRING)",
        "garbage: 1.3.6.1.2.1.2.2.1.2: 57 value(s) ignored (expected an integer, "
        "got OCTET STRING)",
        "crashing: parse failed (IndexError: truncated table)",
    ]
    assert facts.modules_run == ["interfaces", "garbage"]


async def test_a_table_over_the_row_limit_is_skipped_after_a_bounded_walk(client, lab):
    facts = await _discover(client, lab, "sw-c3560", registry=Registry([_Bounded()]))
    assert facts.errors == ["bounded: skipped: table has more than 5 rows"]
    assert facts.pdus <= 3
    small = await _discover(client, lab, "ups-apc", registry=Registry([_Bounded()]))
    assert small.errors[-1].startswith("bounded: 1.3.6.1.2.1.2.2.1.2: 2 value(s)")


async def test_a_silent_device_gives_an_error_not_an_exception(client, lab):
    lab.set_down(["sw-c3560"])
    facts = await _discover(client, lab, "sw-c3560")
    assert facts.errors == ["no SNMP response (timeout)"] and facts.vendor == ""
    facts = await _discover(client, lab, "sw-c3560", deadline=0.2)
    assert facts.errors == ["deadline of 0.2 s exceeded"]


def test_default_registry_is_shared_and_complete():
    assert default_registry() is default_registry()
    assert {"entity", "sensors", "lldp", "arp"} <= set(default_registry().names())
