"""IP-MIB ARP tables on a Linux capture; index decoding; the size limit."""

from __future__ import annotations

from collectors.base import ArpEntry, DeviceFacts
from collectors.snmp.ber import Tag
from collectors.snmp.modules.arp import (
    IP_NET_TO_MEDIA_PHYS_ADDRESS,
    IP_NET_TO_PHYSICAL_PHYS_ADDRESS,
    MAX_ROWS,
    MODULE,
    media_address,
    physical_address,
)

from .captures import LINUX, capture

GATEWAY = ArpEntry(15, "10.10.10.254", "00:03:0f:b9:7b:8c")


def test_linux_arp_cache_from_ip_net_to_physical():
    result = MODULE.parse(*capture(LINUX, MODULE))
    assert GATEWAY in result.entries and result.errors == []
    facts = DeviceFacts()
    MODULE.apply(result, facts)
    assert facts.arp == result.entries


def test_old_ip_net_to_media_table_when_the_new_one_is_empty():
    scalars, columns = capture(LINUX, MODULE)
    result = MODULE.parse(scalars, {**columns, IP_NET_TO_PHYSICAL_PHYS_ADDRESS: []})
    assert GATEWAY in result.entries


def test_index_decoding():
    assert physical_address((3, 1, 4, 192, 168, 1, 1)) == (3, "192.168.1.1")
    assert physical_address((3, 1, 192, 168, 1, 1)) == (3, "192.168.1.1")  # no length arc
    assert physical_address((3, 2, 16, 0xFE, 0x80, *([0] * 13), 1)) == (3, "fe80::1")
    assert physical_address((3, 1, 4, 300, 1, 1, 1)) is None
    assert physical_address((3, 9, 1)) is None
    assert media_address((2, 10, 0, 0, 1)) == (2, "10.0.0.1")
    assert media_address((2, 10, 0, 1)) is None


def test_more_entries_than_the_limit_are_skipped_with_a_note():
    col = IP_NET_TO_MEDIA_PHYS_ADDRESS
    rows = [((*col, 1, 10, (i >> 16) & 255, (i >> 8) & 255, i & 255), Tag.OCTET_STRING,
             bytes(6)) for i in range(MAX_ROWS + 1)]
    result = MODULE.parse({}, {col: rows})
    assert result.entries == [] and "skipped" in result.errors[0]
