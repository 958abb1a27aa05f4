"""LLDP-MIB and CISCO-CDP-MIB neighbours on captures of an MX960 and a Catalyst 3560."""

from __future__ import annotations

from collectors.base import DeviceFacts, InterfaceSample, Neighbor
from collectors.snmp.ber import Tag
from collectors.snmp.modules.lldp import (
    CDP_MODULE,
    LLDP_MODULE,
    REM_CHASSIS_ID,
    REM_CHASSIS_SUBTYPE,
    REM_SYS_NAME,
    lldp_id,
)

from .captures import C3560, MX960, N5000, capture


def test_mx960_lldp_neighbours():
    result = LLDP_MODULE.parse(*capture(MX960, LLDP_MODULE))
    assert len(result.neighbors) == 6 and result.errors == []
    first = result.neighbors[0]
    assert first == Neighbor(
        local_port="DataCenter-Device-Management", remote_name="DCGL-S5800",
        remote_port="GigabitEthernet1/1/1", protocol="lldp", local_if_index=606,
        remote_chassis_id="38:22:d6:b3:31:b5", remote_port_descr="GigabitEthernet1/1/1 Interface")


def test_local_port_number_that_is_the_if_index_gets_the_if_name():
    facts = DeviceFacts(interfaces=[InterfaceSample(606, name="ge-0/1/0", descr="ge-0/1/0",
                                                    alias="DataCenter-Device-Management")])
    LLDP_MODULE.apply(LLDP_MODULE.parse(*capture(MX960, LLDP_MODULE)), facts)
    assert facts.neighbors[0].local_port == "ge-0/1/0"
    assert facts.neighbors[1].local_port.startswith("Connect to")  # no such interface known


def test_n5000_has_lldp_neighbours_too():
    assert LLDP_MODULE.parse(*capture(N5000, LLDP_MODULE)).neighbors


def test_c3560_cdp_neighbour():
    result = CDP_MODULE.parse(*capture(C3560, CDP_MODULE))
    first = result.neighbors[0]
    assert (first.remote_name, first.remote_port, first.platform, first.remote_address) == (
        "OLD-ShiTang-WIRELESS", "GigabitEthernet0/2", "cisco WS-C3560-24PS", "10.1.100.181")
    assert (first.local_if_index, first.local_port, first.protocol) == (10149, "ifIndex 10149",
                                                                       "cdp")
    facts = DeviceFacts(interfaces=[InterfaceSample(10149, name="Gi0/49")])
    CDP_MODULE.apply(result, facts)
    assert facts.neighbors[0].local_port == "Gi0/49"


def test_ids_by_subtype():
    assert lldp_id(bytes.fromhex("0123456789ab"), 4, 4, 5) == "01:23:45:67:89:ab"
    assert lldp_id(bytes([1, 10, 0, 0, 1]), 5, 4, 5) == "10.0.0.1"
    assert lldp_id(b"sw-1", 7, 4, 5) == "sw-1"


def test_sparse_rows_fall_back_to_the_chassis_id_and_skip_bad_indexes():
    columns = {
        REM_CHASSIS_SUBTYPE: [((*REM_CHASSIS_SUBTYPE, 0, 3, 1), Tag.INTEGER, 4)],
        REM_CHASSIS_ID: [((*REM_CHASSIS_ID, 0, 3, 1), Tag.OCTET_STRING, bytes(6)),
                         ((*REM_CHASSIS_ID, 7), Tag.OCTET_STRING, b"short index")],
        REM_SYS_NAME: [((*REM_SYS_NAME, 0, 3, 1), Tag.INTEGER, 5)],
    }
    result = LLDP_MODULE.parse({}, columns)
    assert [(n.local_port, n.remote_name) for n in result.neighbors] == [
        ("3", "00:00:00:00:00:00")]
    assert len(result.errors) == 1
