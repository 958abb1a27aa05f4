"""IF-MIB interfaces for discovery: MAC addresses, sparse rows, non-contiguous ifIndex."""

from __future__ import annotations

from collectors.base import DeviceFacts
from collectors.snmp import mibs
from collectors.snmp.ber import Tag
from collectors.snmp.modules.interfaces import MODULE

from .captures import C3560, capture, value

NAME = mibs.IFX_COLUMNS["name"]
DESCR, OPER = mibs.IF_COLUMNS["descr"], mibs.IF_COLUMNS["oper_status"]


def test_c3560_interfaces_with_macs():
    result = MODULE.parse(*capture(C3560, MODULE))
    by_index = {i.if_index: i for i in result.interfaces}
    gi049 = by_index[10149]
    assert gi049.name == "Gi0/49"
    raw = value(C3560, (*mibs.IF_PHYS_ADDRESS, 10149))
    assert gi049.mac == ":".join(f"{b:02x}" for b in raw) and len(gi049.mac) == 17
    assert len(result.interfaces) == 57


def test_sparse_non_contiguous_rows_and_wrong_types_do_not_crash():
    columns = {
        DESCR: [((*DESCR, 3), Tag.OCTET_STRING, b"eth0"), ((*DESCR, 1000), Tag.OCTET_STRING,
                                                            b"vlan1")],
        OPER: [((*OPER, 3), Tag.OCTET_STRING, b"up"), ((*OPER, 7), Tag.INTEGER, 1)],
        NAME: [((*NAME, 1000), Tag.INTEGER, 5)],
        mibs.IF_PHYS_ADDRESS: [((*mibs.IF_PHYS_ADDRESS, 3), Tag.OCTET_STRING, b"\x00\x01")],
    }
    result = MODULE.parse({}, columns)
    assert [(i.if_index, i.name, i.oper_status, i.mac) for i in result.interfaces] == [
        (3, "eth0", 0, ""), (7, "", 1, ""), (1000, "5", 0, "")]


def test_an_interface_that_disappears_between_polls_is_just_absent():
    facts = DeviceFacts()
    scalars, columns = capture(C3560, MODULE)
    MODULE.apply(MODULE.parse(scalars, columns), facts)
    before = {i.if_index for i in facts.interfaces}
    trimmed = {c: [vb for vb in vbs if vb[0][-1] != 10149] for c, vbs in columns.items()}
    MODULE.apply(MODULE.parse(scalars, trimmed), facts)
    assert before - {i.if_index for i in facts.interfaces} == {10149}
