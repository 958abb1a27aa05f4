"""Juniper jnxBoxAnatomy identity and jnxOperatingTable health on an MX960 capture."""

from __future__ import annotations

from collectors.base import DeviceFacts, Memory
from collectors.snmp.ber import Tag
from collectors.snmp.modules.juniper import CPU, DESCR, MODULE, STATE, TEMP

from .captures import MX960, capture, value

PEM0 = (2, 1, 0, 0)
RE0 = (9, 1, 0, 0)


def test_mx960_identity_from_jnx_box():
    result = MODULE.parse(*capture(MX960, MODULE))
    assert (result.model, result.serial) == ("MX960", "JN12002C1AFA")
    assert result.errors == []


def test_mx960_temperature_is_the_recorded_jnx_operating_temp():
    result = MODULE.parse(*capture(MX960, MODULE))
    temps = {s.name: s.value for s in result.sensors if s.kind == "temperature"}
    assert temps["PEM 0"] == float(value(MX960, (*TEMP, *PEM0))) == 30.0
    assert temps["Routing Engine 0"] == 19.0
    assert not any(s.kind == "temperature" and "Fan" in s.name for s in result.sensors)


def test_mx960_fans_supplies_cpu_and_memory_of_the_master_routing_engine():
    result = MODULE.parse(*capture(MX960, MODULE))
    kinds = [s.kind for s in result.sensors]
    assert kinds.count("power_supply") == 4 and kinds.count("fan") == 26
    assert result.cpu_percent == 54.0  # RE0 (running); RE1 is standby with 0
    assert result.memory == Memory(16349 * 2**20, 16349 * 2**20 * 10 // 100)


def test_apply_junos_serial_and_model():
    facts = DeviceFacts(model="mx960")
    MODULE.apply(MODULE.parse(*capture(MX960, MODULE)), facts)
    assert (facts.model, facts.serial, facts.cpu_percent) == ("MX960", "JN12002C1AFA", 54.0)


def test_truncated_table_without_descr_still_gives_sensors():
    columns = {STATE: [((*STATE, *RE0), Tag.INTEGER, 2)],
               TEMP: [((*TEMP, *RE0), Tag.GAUGE32, 40)],
               CPU: [((*CPU, *RE0), Tag.OCTET_STRING, b"12%")], DESCR: []}
    result = MODULE.parse({}, columns)
    assert [(s.name, s.value) for s in result.sensors] == [("9.1.0.0", 40.0)]
    assert result.cpu_percent is None and len(result.errors) == 1
