"""Huawei hwEntityStateTable health on a literal capture of an S5720."""

from __future__ import annotations

from collectors.base import Memory, Sensor
from collectors.snmp.ber import Tag, VarBind
from collectors.snmp.modules.entity import COLUMNS as ENTITY
from collectors.snmp.modules.huawei import CPU_USAGE, MEM_SIZE, MEM_USAGE, MODULE, TEMPERATURE

from .captures import HUAWEI, capture

MPU = 67108873
# bzcat huawei-s5720.snmprec.bz2 | grep -E '^1.3.6.1.4.1.2011.5.25.31.1.1.1.1.(5|7|9|11).671088'
S5720: dict[tuple[int, ...], list[VarBind]] = {
    CPU_USAGE: [((*CPU_USAGE, 67108867), Tag.INTEGER, 0), ((*CPU_USAGE, MPU), Tag.INTEGER, 38)],
    MEM_USAGE: [((*MEM_USAGE, 67108867), Tag.INTEGER, 0), ((*MEM_USAGE, MPU), Tag.INTEGER, 7)],
    MEM_SIZE: [((*MEM_SIZE, 67108867), Tag.INTEGER, 0),
               ((*MEM_SIZE, MPU), Tag.INTEGER, 1626341376)],
    TEMPERATURE: [((*TEMPERATURE, 67108867), Tag.INTEGER, 0),
                  ((*TEMPERATURE, MPU), Tag.INTEGER, 42)],
    ENTITY["name"]: [((*ENTITY["name"], MPU), Tag.OCTET_STRING, b"MPU Board 0")],
}


def test_s5720_literal_capture():
    result = MODULE.parse({}, S5720)
    assert result.sensors == [Sensor("temperature", "MPU Board 0", 42.0, "celsius", "unknown",
                                     "huawei")]
    assert result.cpu_percent == 38.0
    assert result.memory == Memory(1626341376, 1626341376 * 7 // 100)


def test_s5720_recording_gives_the_same_health():
    result = MODULE.parse(*capture(HUAWEI, MODULE))
    assert result.sensors == MODULE.parse({}, S5720).sensors
    assert result.cpu_percent == 38.0 and result.errors == []
