"""Vendor from sysObjectID and model/firmware/serial from sysDescr (captured strings)."""

from __future__ import annotations

import pytest

from collectors.snmp.modules.identity import Description, describe, enterprise, vendor_of

from .captures import APC, C3560, HUAWEI, MX960, value

SYS_DESCR = (1, 3, 6, 1, 2, 1, 1, 1, 0)


@pytest.mark.parametrize(("object_id", "vendor"), [
    ("1.3.6.1.4.1.9.1.617", "Cisco"),
    ("1.3.6.1.4.1.2636.1.1.1.2.21", "Juniper"),
    ("1.3.6.1.4.1.2011.2.23.276", "Huawei"),
    ("1.3.6.1.4.1.25506.1.578", "H3C"),
    ("1.3.6.1.4.1.8072.3.2.10", "net-snmp"),
    ("1.3.6.1.4.1.318.1.3.4.6", "APC"),
    ("1.3.6.1.4.1.99999.1", "enterprise 99999"),
    ("", ""),
    ("1.3.6.1.2.1.1", ""),
])
def test_vendor_from_sys_object_id(object_id: str, vendor: str):
    assert vendor_of(object_id) == vendor


def test_enterprise_number():
    assert enterprise(".1.3.6.1.4.1.30065.1.3011") == 30065
    assert enterprise("1.3.6.1.4.1") is None


def test_cisco_ios_version_from_the_c3560_sys_descr():
    found = describe("Cisco", value(C3560, SYS_DESCR).decode())
    assert found == Description(model="C3560", firmware="12.2(55)SE3")


def test_huawei_vrp_model_and_version_from_the_s5720_sys_descr():
    found = describe("Huawei", value(HUAWEI, SYS_DESCR).decode())
    assert found.model == "S5720-36C-EI-AC"
    assert found.firmware == "5.160 (S5720 V200R007C00SPC500)"


def test_junos_version_from_the_mx960_sys_descr():
    assert describe("Juniper", value(MX960, SYS_DESCR).decode()).firmware == "13.3R9.13"


def test_apc_model_serial_and_firmware_from_the_ap8641_sys_descr():
    found = describe("APC", value(APC, SYS_DESCR).decode())
    assert found == Description("AP8641", "6.7.2", "5A26833B4526")


def test_literal_vrp_5170_descr():
    descr = ("Huawei Versatile Routing Platform Software\r\nVRP (R) software, Version 5.170 "
             "(S5700 V200R011C10SPC500)\r\nCopyright (C) 2000-2018 HUAWEI TECH CO., LTD\r\n"
             "HUAWEI S5700-28C-HI")
    assert describe("Huawei", descr) == Description("S5700-28C-HI",
                                                    "5.170 (S5700 V200R011C10SPC500)")


def test_unknown_vendor_describes_nothing():
    assert describe("", "whatever 1.2") == Description()
