"""Cisco ENVMON / PROCESS / MEMORY-POOL health on literal captures of a Catalyst 3560."""

from __future__ import annotations

from collectors.base import DeviceFacts, Memory, Sensor
from collectors.snmp.ber import Tag, VarBind
from collectors.snmp.modules.cisco import (
    CPM_CPU_TOTAL_5MIN_REV,
    FAN_DESCR,
    FAN_STATE,
    MODULE,
    SUPPLY_DESCR,
    SUPPLY_STATE,
    TEMP_DESCR,
    TEMP_STATE,
    TEMP_VALUE,
)

from .captures import C3560, C3750, capture

# bzcat cisco-c3560.snmprec.bz2 | grep ^1.3.6.1.4.1.9.9.13 (and 9.9.109 for the CPU)
C3560_ENVMON: dict[tuple[int, ...], list[VarBind]] = {
    TEMP_DESCR: [((*TEMP_DESCR, 1005), Tag.OCTET_STRING, b"SW#1, Sensor#1, YELLOW ")],
    TEMP_VALUE: [((*TEMP_VALUE, 1005), Tag.GAUGE32, 61)],
    TEMP_STATE: [((*TEMP_STATE, 1005), Tag.INTEGER, 2)],
    FAN_DESCR: [((*FAN_DESCR, 1004), Tag.OCTET_STRING, b"Switch#1, Fan#1")],
    FAN_STATE: [((*FAN_STATE, 1004), Tag.INTEGER, 1)],
    SUPPLY_DESCR: [((*SUPPLY_DESCR, 1003), Tag.OCTET_STRING,
                    b"Sw1, PS1 Normal, RPS NotExist")],
    SUPPLY_STATE: [((*SUPPLY_STATE, 1003), Tag.INTEGER, 1)],
    CPM_CPU_TOTAL_5MIN_REV: [((*CPM_CPU_TOTAL_5MIN_REV, 1), Tag.GAUGE32, 28)],
}


def test_c3560_literal_envmon_capture():
    result = MODULE.parse({}, C3560_ENVMON)
    assert result.sensors == [
        Sensor("temperature", "SW#1, Sensor#1, YELLOW", 61.0, "celsius", "warning", "cisco"),
        Sensor("fan", "Switch#1, Fan#1", None, "", "ok", "cisco"),
        Sensor("power_supply", "Sw1, PS1 Normal, RPS NotExist", None, "", "ok", "cisco"),
    ]
    assert result.cpu_percent == 28.0 and result.memory is None


def test_c3560_recording_matches_the_literal_capture_and_has_a_memory_pool():
    result = MODULE.parse(*capture(C3560, MODULE))
    assert result.sensors == MODULE.parse({}, C3560_ENVMON).sensors
    assert result.memory == Memory(22188980 + 53499780, 22188980)  # "Processor" pool


def test_c3750_has_fans_and_supplies_but_no_temperature_table():
    result = MODULE.parse(*capture(C3750, MODULE))
    assert {s.kind for s in result.sensors} == {"fan", "power_supply"}


def test_apply_leaves_cpu_from_host_resources_alone():
    facts = DeviceFacts(cpu_percent=3.0)
    MODULE.apply(MODULE.parse({}, C3560_ENVMON), facts)
    assert facts.cpu_percent == 3.0 and len(facts.sensors) == 3
