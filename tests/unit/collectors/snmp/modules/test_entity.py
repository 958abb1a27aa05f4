"""ENTITY-MIB chassis and modules, on captures of real devices."""

from __future__ import annotations

from collectors.base import DeviceFacts
from collectors.snmp.ber import Tag
from collectors.snmp.modules.entity import COLUMNS, MODULE, pick_chassis

from .captures import ARISTA, C3560, HUAWEI, N5000, capture, value


def test_c3560_chassis_serial_is_the_recorded_chassis_serial():
    result = MODULE.parse(*capture(C3560, MODULE))
    assert result.chassis is not None and result.chassis.index == 1001
    assert result.chassis.serial == value(C3560, (*COLUMNS["serial"], 1001)).decode()
    assert result.chassis.serial == "FOC1408Z61U"
    assert result.chassis.model == "WS-C3560G-48TS-E"
    assert result.chassis.software_rev == "12.2(55)SE3"
    assert result.chassis.hardware_rev == "V05"
    assert result.errors == []


def test_apply_sets_identity_and_modules():
    facts = DeviceFacts()
    MODULE.apply(MODULE.parse(*capture(ARISTA, MODULE)), facts)
    assert (facts.model, facts.serial, facts.firmware, facts.manufacturer) == (
        "DCS-7150S-52-CL", "JPE15151458", "4.20.5F", "Arista Networks")


def test_huawei_chassis_has_no_model_name_and_version_prefix_is_dropped():
    result = MODULE.parse(*capture(HUAWEI, MODULE))
    assert result.chassis is not None and result.chassis.index == 67108867
    assert result.chassis.model == ""
    facts = DeviceFacts()
    MODULE.apply(result, facts)
    assert facts.serial == "210235956210F7000410"
    assert facts.firmware == "5.160 V200R007C00SPC500"
    assert [m.name for m in result.modules][:2] == ["MPU Board 0", "POWER Card 0/5"]


def test_n5000_lists_its_modules():
    result = MODULE.parse(*capture(N5000, MODULE))
    assert result.chassis is not None and result.chassis.serial == "SSI183706KP"
    assert [(m.index, m.model, m.serial) for m in result.modules] == [
        (22, "N5K-C5548UP", "FOC1842819V"), (24, "N55-D160L3-V2", "FOC16347APX")]


def test_chassis_is_the_lowest_chassis_index_else_the_first_serial():
    assert pick_chassis({5: 3, 2: 3, 1: 10}, {1: "X"}) == 2
    assert pick_chassis({1: 10, 4: 9, 3: 9}, {4: "B", 3: "A", 1: " "}) == 3
    assert pick_chassis({}, {}) is None


def test_sparse_rows_and_wrong_types_do_not_break_the_chassis():
    cls, serial, model = COLUMNS["class"], COLUMNS["serial"], COLUMNS["model"]
    columns = {
        cls: [((*cls, 1), Tag.INTEGER, 3), ((*cls, 7), Tag.OCTET_STRING, b"module")],
        serial: [((*serial, 1), Tag.OCTET_STRING, b"ABC123 ")],
        model: [((*model, 1), Tag.INTEGER, 42)],
    }
    result = MODULE.parse({}, columns)
    assert result.chassis is not None
    assert (result.chassis.serial, result.chassis.model) == ("ABC123", "")
    assert len(result.errors) == 2 and "expected a string" in result.errors[1]
