"""ENTITY-SENSOR-MIB sensors on captures of Arista and Palo Alto devices."""

from __future__ import annotations

import pytest

from collectors.base import Sensor
from collectors.snmp.ber import Tag
from collectors.snmp.modules.sensors import MODULE, TYPE, VALUE, kind_of, scaled

from .captures import ARISTA, PALOALTO, capture


def _by_name(sensors: list[Sensor]) -> dict[str, Sensor]:
    return {s.name: s for s in sensors}


def test_palo_alto_fan_rpm_and_temperature():
    result = MODULE.parse(*capture(PALOALTO, MODULE))
    sensors = _by_name(result.sensors)
    assert sensors["Fan #1 RPM"] == Sensor("fan", "Fan #1 RPM", 4618.0, "rpm", "ok", "sensors")
    assert sensors["Temperature @ 10G Phys [U171]"].value == 23.0
    assert sensors["Temperature @ 10G Phys [U171]"].kind == "temperature"
    assert len(result.sensors) == 14 and result.errors == []


def test_arista_precision_and_names_from_descr_when_name_is_empty():
    result = MODULE.parse(*capture(ARISTA, MODULE))
    cpu = _by_name(result.sensors)["Cpu temp sensor"]
    assert cpu.value == pytest.approx(28.2) and cpu.unit == "celsius" and cpu.status == "ok"
    kinds = {s.kind for s in result.sensors}
    assert {"temperature", "fan", "voltage", "current", "power"} <= kinds


@pytest.mark.parametrize(("value", "scale", "precision", "expected"), [
    (415, 9, 1, 41.5), (12, 8, 0, 0.012), (3, 10, 0, 3000.0), (5, 9, -2, 500.0),
])
def test_scale_and_precision(value: int, scale: int, precision: int, expected: float):
    assert scaled(value, scale, precision) == pytest.approx(expected)


def test_out_of_range_scale_gives_no_value_and_a_note():
    assert scaled(1, 2**31 - 1, 0) is None and scaled(1, 9, 10) is None
    scale = (*TYPE[:-1], 2)
    columns = {TYPE: [((*TYPE, 1), Tag.INTEGER, 8)], VALUE: [((*VALUE, 1), Tag.INTEGER, 40)],
               scale: [((*scale, 1), Tag.INTEGER, 400)]}
    result = MODULE.parse({}, columns)
    assert result.sensors[0].value is None and "out of range" in result.errors[0]


def test_truth_value_supply_sensor_is_a_power_supply():
    assert kind_of(12, "PowerSupply1 status") == ("power_supply", "")
    assert kind_of(99, "x") == ("other", "")


def test_a_string_sensor_value_is_ignored_with_a_note():
    columns = {TYPE: [((*TYPE, 1), Tag.INTEGER, 8), ((*TYPE, 2), Tag.INTEGER, 8)],
               VALUE: [((*VALUE, 1), Tag.OCTET_STRING, b"41"), ((*VALUE, 2), Tag.INTEGER, 40)]}
    result = MODULE.parse({}, columns)
    assert [(s.name, s.value, s.status) for s in result.sensors] == [
        ("sensor 2", 40.0, "unknown")]
    assert "expected an integer, got OCTET STRING" in result.errors[0]
