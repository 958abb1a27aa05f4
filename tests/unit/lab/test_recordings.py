"""Parsing snmpsim recordings: tag forms, malformed lines, caching, the lab's recordings."""

from __future__ import annotations

import bz2
from pathlib import Path

import pytest

from collectors.snmp.ber import Tag, encode_oid, encode_value
from noc.lab.recordings import (
    data_dir,
    ethernet_ports,
    load_recording,
    parse_recording,
    port_ifindex,
)
from noc.lab.snmprec import kept, parse_line

LAB_RECORDINGS = [
    *(f"{name}.snmprec.bz2" for name in (
        "network/router/juniper-mx960-13-3r9-13", "network/router/juniper-mx960-12-3r6-6",
        "network/router/vyatta-unknown", "network/switch/cisco-n5000",
        "cloud/arista-dcs-7150s-52-cl", "network/firewall/paloalto-pa-5000",
        "network/router/huawei-s5720", "network/switch/h3c-e528-2",
        "network/switch/ruijie-s5750-24gt12sfp", "network/switch/cisco-c3560",
        "network/switch/cisco-c3750", "network/switch/dlink-des3038",
        "network/switch/maipu-sm4200-16gef8ge-ac", "network/switch/brocade-icx6430-24",
        "os/linux/unknown-002", "os/linux/unknown-006", "os/linux/ibm-x3550-m3")),
    "UPS/apc-8641.snmprec",
]

SAMPLE = b"""#Sample device
1.3.6.1.2.1.1.1.0|4|Linux box
1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10
1.3.6.1.2.1.1.3.0|67:numeric|rate=100
1.3.6.1.2.1.1.4.0|4x|48656c6c6f
1.3.6.1.2.1.1.5.0|4:writecache|value=edge-1
1.3.6.1.2.1.1.7.0|2|-72
1.3.6.1.2.1.1.8.0|67|12345
1.3.6.1.2.1.2.2.1.10.1|65|4294967295
1.3.6.1.2.1.2.2.1.5.1|66|1000000000
1.3.6.1.2.1.2.2.1.10.2|65:numeric|initial=77,rate=5
1.3.6.1.2.1.4.20.1.1.10.0.0.1|64|10.0.0.1
1.3.6.1.2.1.4.20.1.3.10.0.0.1|64x|ffffff00
1.3.6.1.2.1.4.20.1.1.10.0.0.2|64|eEij
1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551615
1.3.6.1.4.1.2021.10.1.6.1|68x|0906033834452d32
1.3.6.1.4.1.6339.100.10.3.3.0|5|
1.3.6.1.2.1.1.9.1.2.1 no pipes at all
1.3.6.1.2.1.1.9.1.3.1|4|a value spanning
two lines
1.3.6.1.2.1.1.9.1.4.1|99|unknown tag
1.3.6.1.2.1.1.9.1.5.1|2|not-a-number
1.3.6.1.2.1.1.9.1.6.1|65|-1
1.3.6.1.2.1.1.9.1.7.1|64|1.2.3
1.3.6.1.2.1.1.9.1.8.1|6|1.99.3
1.3.6.1.2.1.10.7.2.1.1.1|2|1

"""


def test_every_tag_form() -> None:
    rec = parse_recording("sample", SAMPLE)
    assert rec.get((1, 3, 6, 1, 2, 1, 1, 1, 0)) == b"Linux box"
    assert rec.get((1, 3, 6, 1, 2, 1, 1, 2, 0)) == (1, 3, 6, 1, 4, 1, 8072, 3, 2, 10)
    assert rec.get((1, 3, 6, 1, 2, 1, 1, 4, 0)) == b"Hello"
    assert rec.get((1, 3, 6, 1, 2, 1, 1, 5, 0)) == b"edge-1"
    assert rec.get((1, 3, 6, 1, 2, 1, 1, 7, 0)) == -72
    assert rec.tag((1, 3, 6, 1, 2, 1, 1, 8, 0)) == Tag.TIMETICKS
    assert rec.get((1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 1)) == 2**32 - 1
    assert rec.tag((1, 3, 6, 1, 2, 1, 2, 2, 1, 5, 1)) == Tag.GAUGE32
    assert rec.get((1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 2)) == 77  # numeric variation: initial
    assert rec.get((1, 3, 6, 1, 2, 1, 4, 20, 1, 1, 10, 0, 0, 1)) == bytes((10, 0, 0, 1))
    assert rec.get((1, 3, 6, 1, 2, 1, 4, 20, 1, 3, 10, 0, 0, 1)) == bytes((255, 255, 255, 0))
    assert rec.get((1, 3, 6, 1, 2, 1, 4, 20, 1, 1, 10, 0, 0, 2)) == b"eEij"  # raw octets
    assert rec.get((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 1)) == 2**64 - 1
    assert rec.tag((1, 3, 6, 1, 4, 1, 2021, 10, 1, 6, 1)) == Tag.OPAQUE
    assert rec.tag((1, 3, 6, 1, 4, 1, 6339, 100, 10, 3, 3, 0)) is None  # vendor tree not kept


def test_preencoded_bytes_match_the_codec() -> None:
    rec = parse_recording("sample", SAMPLE)
    for oid, oid_tlv, value_tlv in zip(rec.oids, rec.oid_tlvs, rec.value_tlvs, strict=True):
        assert oid_tlv == encode_oid(oid)
        assert value_tlv[0] in {int(t) for t in Tag}
    i = rec.index((1, 3, 6, 1, 2, 1, 1, 7, 0))
    assert i is not None
    assert rec.value_tlvs[i] == encode_value(Tag.INTEGER, -72)


def test_malformed_lines_counted_not_fatal() -> None:
    rec = parse_recording("sample", SAMPLE)
    # no pipes, continuation line, unknown tag, bad int, negative counter, bad IP, bad OID
    assert rec.stats.malformed == 7
    assert rec.stats.variations == 1  # sysUpTime rate=100 has no static value
    assert rec.stats.filtered == 2  # 1.3.6.1.2.1.10 and the 6339 enterprise tree
    assert rec.index((1, 3, 6, 1, 2, 1, 1, 3, 0)) is None
    assert rec.index((1, 3, 6, 1, 2, 1, 1, 9, 1, 3, 1)) is not None  # first line kept


def test_sorted_and_deduplicated() -> None:
    data = b"1.3.6.1.2.1.1.5.0|4|b\n1.3.6.1.2.1.1.10.0|2|1\n1.3.6.1.2.1.1.5.0|4|c\n"
    rec = parse_recording("x", data)
    assert rec.oids == [(1, 3, 6, 1, 2, 1, 1, 5, 0), (1, 3, 6, 1, 2, 1, 1, 10, 0)]
    assert rec.get((1, 3, 6, 1, 2, 1, 1, 5, 0)) == b"c"


def test_keep_none_keeps_everything() -> None:
    rec = parse_recording("sample", SAMPLE, keep=None)
    assert rec.index((1, 3, 6, 1, 2, 1, 10, 7, 2, 1, 1, 1)) is not None
    assert not kept((1, 3, 6, 1, 2, 1, 10, 7))
    assert kept((1, 0, 8802, 1, 1, 2, 1, 4, 1, 1, 9, 0, 1, 1))


def test_parse_line_variation_without_value() -> None:
    assert parse_line(b"1.3.6.1.2.1.1.3.0|67:numeric|rate=100") is None
    record = parse_line(b"1.3.6.1.2.1.1.3.0|4x:writecache|hexvalue=4142")
    assert record is not None
    assert record.value == b"AB"


def test_load_plain_and_bz2_cached(tmp_path: Path) -> None:
    plain = tmp_path / "dev.snmprec"
    plain.write_bytes(SAMPLE)
    packed = tmp_path / "dev.snmprec.bz2"
    packed.write_bytes(bz2.compress(SAMPLE))
    a = load_recording(str(plain))
    b = load_recording(str(packed))
    assert a.oids == b.oids
    assert a.value_tlvs == b.value_tlvs
    assert load_recording(str(plain)) is a  # one parsed copy per path


def test_subtree_and_column() -> None:
    rec = parse_recording("sample", SAMPLE)
    system = [rec.oids[i] for i in rec.subtree((1, 3, 6, 1, 2, 1, 1))]
    assert system[0] == (1, 3, 6, 1, 2, 1, 1, 1, 0)
    assert all(o[:7] == (1, 3, 6, 1, 2, 1, 1) for o in system)
    assert rec.column((1, 3, 6, 1, 2, 1, 2, 2, 1, 10)) == {(1,): 2**32 - 1, (2,): 77}


def test_data_dir() -> None:
    assert (data_dir() / "network" / "switch").is_dir()


@pytest.mark.parametrize("path", LAB_RECORDINGS)
def test_lab_recordings_load(path: str) -> None:
    rec = load_recording(path)
    assert len(rec) > 500
    assert rec.stats.malformed == 0
    assert isinstance(rec.get((1, 3, 6, 1, 2, 1, 1, 1, 0)), bytes)  # sysDescr
    assert rec.oids == sorted(rec.oids)
    assert ethernet_ports(rec), path
    assert load_recording(path) is rec


def test_ethernet_ports_and_port_ifindex() -> None:
    path = "network/switch/cisco-c3750.snmprec.bz2"
    ports = ethernet_ports(load_recording(path))
    assert ports == sorted(ports)
    assert len(ports) == 12
    assert port_ifindex(path, 1) == ports[0] == 10101
    assert port_ifindex(path, 12) == ports[-1]
    with pytest.raises(ValueError, match="12 Ethernet ports"):
        port_ifindex(path, 13)
    with pytest.raises(ValueError, match="out of range"):
        port_ifindex(path, 0)


def test_port_types() -> None:
    rec = load_recording("network/switch/cisco-c3750.snmprec.bz2")
    types = rec.column((1, 3, 6, 1, 2, 1, 2, 2, 1, 3))
    for ifindex in ethernet_ports(rec):
        assert types[(ifindex,)] in (6, 62, 117)
