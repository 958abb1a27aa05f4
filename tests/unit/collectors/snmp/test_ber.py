"""The lean BER codec: known vectors, round trips, differential tests against pysnmp, fuzzing."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyasn1.codec.ber import decoder, encoder
from pyasn1.type import univ
from pysnmp.proto import api, rfc1905

from collectors.snmp import ber
from collectors.snmp.ber import BerError, Message, Oid, PduType, Tag
from collectors.snmp.v3 import convert_varbind

U32 = 2**32 - 1
U64 = 2**64 - 1
I32 = (-(2**31), 2**31 - 1)

# --------------------------------------------------------------------------- known vectors

# The classic "GET sysDescr.0, community public, request-id 1" v2c message.
GET_SYSDESCR = bytes.fromhex(
    "302602010104067075626c6963a019020101020100020100300e300c06082b060102010101000500")


def test_known_get_request_vector() -> None:
    data = ber.encode_request(ber.VERSION_V2C, b"public", PduType.GET, 1,
                              [(1, 3, 6, 1, 2, 1, 1, 1, 0)])
    assert data == GET_SYSDESCR
    msg = ber.decode_message(GET_SYSDESCR)
    assert msg == Message(1, b"public", PduType.GET, 1, 0, 0,
                          [((1, 3, 6, 1, 2, 1, 1, 1, 0), Tag.NULL, None)])


@pytest.mark.parametrize(("tag", "value", "hex_tlv"), [
    (Tag.INTEGER, 0, "020100"),
    (Tag.INTEGER, -1, "0201ff"),
    (Tag.INTEGER, 127, "02017f"),
    (Tag.INTEGER, 128, "02020080"),
    (Tag.INTEGER, -128, "020180"),
    (Tag.INTEGER, -129, "0202ff7f"),
    (Tag.INTEGER, 2**31 - 1, "02047fffffff"),
    (Tag.INTEGER, -(2**31), "020480000000"),
    (Tag.COUNTER32, 0, "410100"),
    (Tag.COUNTER32, U32, "410500ffffffff"),
    (Tag.GAUGE32, 2**31, "42050080000000"),
    (Tag.TIMETICKS, 100, "430164"),
    (Tag.COUNTER64, U64, "460900ffffffffffffffff"),
    (Tag.COUNTER64, 0, "460100"),
    (Tag.OCTET_STRING, b"", "0400"),
    (Tag.OCTET_STRING, b"vm", "0402766d"),
    (Tag.IPADDRESS, bytes([10, 1, 2, 3]), "40040a010203"),
    (Tag.OPAQUE, b"\x9f\x78\x04\x3f\x80\x00\x00", "44079f78043f800000"),
    (Tag.NULL, None, "0500"),
    (Tag.OID, (1, 3, 6, 1, 4, 1, 2680), "06072b060104019478"),
    (Tag.OID, (2, 999, 3), "0603883703"),
    (Tag.OID, (1, 3, 6, 1, 4, 1, 2**32 - 1), "060a2b06010401" + "8fffffff7f"),
    (Tag.NO_SUCH_OBJECT, None, "8000"),
    (Tag.NO_SUCH_INSTANCE, None, "8100"),
    (Tag.END_OF_MIB_VIEW, None, "8200"),
])
def test_known_value_vectors(tag: int, value: ber.Value, hex_tlv: str) -> None:
    tlv = bytes.fromhex(hex_tlv)
    assert ber.encode_value(tag, value) == tlv
    msg = _response([((1, 3, 6), tag, value)])
    assert ber.decode_message(msg).varbinds == [((1, 3, 6), tag, value)]


@pytest.mark.parametrize(("n", "hex_len"), [
    (0, "00"), (127, "7f"), (128, "8180"), (200, "81c8"), (255, "81ff"), (256, "820100"),
    (65535, "82ffff"), (65536, "83010000"), (70000, "83011170")])
def test_known_lengths(n: int, hex_len: str) -> None:
    assert ber.encode_length(n) == bytes.fromhex(hex_len)
    s = bytes(range(256)) * (n // 256) + bytes(n % 256)
    msg = _response([((1, 3, 6, 1), Tag.OCTET_STRING, s)])
    assert ber.decode_message(msg).varbinds[0][2] == s


def test_long_octet_strings_match_pyasn1() -> None:
    """> 65535 octets: beyond SNMP's SIZE (0..65535), so checked against plain univ.OctetString."""
    for n in (128, 65535, 65536, 300_000):
        s = b"\xa5" * n
        tlv = ber.encode_value(Tag.OCTET_STRING, s)
        value, rest = decoder.decode(tlv, asn1Spec=univ.OctetString())
        assert rest == b"" and bytes(value) == s
        assert encoder.encode(univ.OctetString(s)) == tlv


def test_encode_rejects_bad_values() -> None:
    bad: list[tuple[int, ber.Value]] = [
        (Tag.COUNTER32, -1), (Tag.COUNTER32, 2**32), (Tag.COUNTER64, 2**64), (Tag.TIMETICKS, -5),
        (Tag.IPADDRESS, b"\x01\x02\x03"), (Tag.INTEGER, b"1"), (Tag.OCTET_STRING, 1),
        (Tag.OID, b"x"), (0x99, 1)]
    for tag, value in bad:
        with pytest.raises(BerError):
            ber.encode_value(tag, value)
    for oid in [(1,), (3, 1), (1, 40), (0, 50, 1), (1, 3, -1)]:
        with pytest.raises(BerError):
            ber.encode_oid(oid)


def test_peek_request_id() -> None:
    assert ber.peek_request_id(GET_SYSDESCR) == 1
    big = ber.encode_request(1, b"c", PduType.GETBULK, 2**31 - 1, [(1, 3)], 0, 25)
    assert ber.peek_request_id(big) == 2**31 - 1
    assert ber.peek_request_id(b"") is None
    assert ber.peek_request_id(GET_SYSDESCR[:16]) is None


# --------------------------------------------------------------------------- strategies

ARC = st.one_of(st.integers(0, 127), st.integers(128, 2**32 - 1), st.integers(2**32, 2**70))
OIDS = st.one_of(
    st.tuples(st.integers(0, 1), st.integers(0, 39)),
    st.tuples(st.just(2), st.integers(0, 2**40)),
).flatmap(lambda head: st.lists(ARC, max_size=24).map(lambda rest: (*head, *rest)))


def _unsigned(top: int) -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from([0, 1, top]), st.integers(0, top))


V1_VALUES: dict[int, st.SearchStrategy[Any]] = {
    Tag.INTEGER: st.one_of(st.sampled_from([0, -1, *I32]), st.integers(*I32)),
    Tag.OCTET_STRING: st.one_of(st.binary(max_size=40), st.binary(min_size=120, max_size=600)),
    Tag.NULL: st.none(),
    Tag.OID: OIDS,
    Tag.IPADDRESS: st.binary(min_size=4, max_size=4),
    Tag.COUNTER32: _unsigned(U32),
    Tag.GAUGE32: _unsigned(U32),
    Tag.TIMETICKS: _unsigned(U32),
    Tag.OPAQUE: st.binary(max_size=40),
}
V2_VALUES: dict[int, st.SearchStrategy[Any]] = {
    **V1_VALUES,
    Tag.COUNTER64: _unsigned(U64),
    Tag.NO_SUCH_OBJECT: st.none(),
    Tag.NO_SUCH_INSTANCE: st.none(),
    Tag.END_OF_MIB_VIEW: st.none(),
}
V1_PDUS = [PduType.GET, PduType.GETNEXT, PduType.RESPONSE, PduType.SET]
V2_PDUS = [*V1_PDUS, PduType.GETBULK, PduType.INFORM, PduType.TRAP_V2, PduType.REPORT]


@st.composite
def varbinds(draw: st.DrawFn, values: dict[int, st.SearchStrategy[Any]]) -> ber.VarBind:
    tag = draw(st.sampled_from(sorted(values)))
    return draw(OIDS), tag, draw(values[tag])


@st.composite
def messages(draw: st.DrawFn) -> Message:
    version = draw(st.sampled_from([ber.VERSION_V1, ber.VERSION_V2C]))
    values, pdus, max_status = ((V1_VALUES, V1_PDUS, 5) if version == ber.VERSION_V1
                                else (V2_VALUES, V2_PDUS, 18))
    pdu_type = draw(st.sampled_from(pdus))
    if pdu_type == PduType.GETBULK:
        status, index = draw(st.integers(0, 2**31 - 1)), draw(st.integers(0, 2**31 - 1))
    else:
        status, index = draw(st.integers(0, max_status)), draw(st.integers(0, 2**31 - 1))
    return Message(version, draw(st.binary(max_size=200)), pdu_type,
                   draw(st.integers(*I32)), status, index,
                   draw(st.lists(varbinds(values), max_size=12)))


def encode(m: Message) -> bytes:
    body = b"".join(ber.encode_varbind(ber.encode_oid(o), ber.encode_value(t, v))
                    for o, t, v in m.varbinds)
    return ber.encode_message(m.version, m.community, m.pdu_type, m.request_id,
                              m.error_status, m.error_index, body)


def _response(vbs: list[ber.VarBind]) -> bytes:
    return encode(Message(1, b"public", PduType.RESPONSE, 7, 0, 0, vbs))


# --------------------------------------------------------------------------- pysnmp reference

def _pdu_tag(obj: Any) -> int:
    outer = obj.tagSet[-1]
    return int(outer.tagClass | outer.tagFormat | outer.tagId)


def pysnmp_decode(data: bytes) -> Message:
    """Decode with pyasn1 + pysnmp's message spec (v1 or v2c, picked from our decode)."""
    pmod = api.PROTOCOL_MODULES[ber.decode_message(data).version]
    msg, rest = decoder.decode(data, asn1Spec=pmod.Message())
    assert rest == b""
    pdu = pmod.apiMessage.get_pdu(msg)
    pdu_type = _pdu_tag(pdu)
    fields = (("non-repeaters", "max-repetitions") if pdu_type == PduType.GETBULK
              else ("error-status", "error-index"))
    return Message(int(msg["version"]), bytes(msg["community"]), pdu_type,
                   int(pdu["request-id"]), int(pdu[fields[0]]), int(pdu[fields[1]]),
                   [convert_varbind(n, v) for n, v in pmod.apiPDU.get_varbinds(pdu)])


def _pysnmp_value(pmod: Any, tag: int, value: Any) -> Any:
    v1 = pmod is api.PROTOCOL_MODULES[0]
    classes: dict[int, Any] = {Tag.INTEGER: pmod.Integer, Tag.OCTET_STRING: pmod.OctetString,
               Tag.OID: pmod.ObjectIdentifier, Tag.IPADDRESS: pmod.IpAddress,
               Tag.COUNTER32: pmod.Counter if v1 else pmod.Counter32,
               Tag.GAUGE32: pmod.Gauge if v1 else pmod.Gauge32,
               Tag.TIMETICKS: pmod.TimeTicks, Tag.OPAQUE: pmod.Opaque}
    singletons: dict[int, Any] = {Tag.NULL: univ.Null(""), Tag.NO_SUCH_OBJECT: rfc1905.noSuchObject,
                  Tag.NO_SUCH_INSTANCE: rfc1905.noSuchInstance,
                  Tag.END_OF_MIB_VIEW: rfc1905.endOfMibView}
    if tag in singletons:
        return singletons[tag]
    if tag == Tag.COUNTER64:
        return pmod.Counter64(value)
    return classes[tag](value)


def pysnmp_encode(m: Message) -> bytes:
    """Encode with pysnmp's PDU classes and pyasn1's BER encoder."""
    pmod = api.PROTOCOL_MODULES[m.version]
    classes = {PduType.GET: "GetRequestPDU", PduType.GETNEXT: "GetNextRequestPDU",
               PduType.RESPONSE: "GetResponsePDU", PduType.SET: "SetRequestPDU",
               PduType.GETBULK: "GetBulkRequestPDU", PduType.INFORM: "InformRequestPDU",
               PduType.TRAP_V2: "SNMPv2TrapPDU", PduType.REPORT: "ReportPDU"}
    pdu = getattr(pmod, classes[PduType(m.pdu_type)])()
    if m.pdu_type == PduType.GETBULK:
        pmod.apiBulkPDU.set_defaults(pdu)
        pmod.apiBulkPDU.set_non_repeaters(pdu, m.error_status)
        pmod.apiBulkPDU.set_max_repetitions(pdu, m.error_index)
    else:
        pmod.apiPDU.set_defaults(pdu)
        pmod.apiPDU.set_error_status(pdu, m.error_status)
        pmod.apiPDU.set_error_index(pdu, m.error_index)
    pmod.apiPDU.set_request_id(pdu, m.request_id)
    pmod.apiPDU.set_varbinds(pdu, [(pmod.ObjectIdentifier(o), _pysnmp_value(pmod, t, v))
                                   for o, t, v in m.varbinds])
    msg = pmod.Message()
    pmod.apiMessage.set_defaults(msg)
    pmod.apiMessage.set_community(msg, m.community)
    pmod.apiMessage.set_pdu(msg, pdu)
    return bytes(encoder.encode(msg))


# --------------------------------------------------------------------------- properties

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(messages())
def test_round_trip(m: Message) -> None:
    data = encode(m)
    assert ber.decode_message(data) == m
    assert ber.peek_request_id(data) == m.request_id


@FAST
@given(messages())
def test_lean_encoding_decodes_identically_in_pysnmp(m: Message) -> None:
    assert pysnmp_decode(encode(m)) == m


@FAST
@given(messages())
def test_pysnmp_encoding_decodes_identically_in_lean(m: Message) -> None:
    data = pysnmp_encode(m)
    assert ber.decode_message(data) == m
    # No byte equality: pyasn1 0.6 encodes negative powers of two with a redundant 0xff
    # octet (-128 as ff80); ber.py emits X.690's minimal form (80). Both decode the same.


def test_getbulk_request_matches_pysnmp() -> None:
    oids: list[Oid] = [(1, 3, 6, 1, 2, 1, 2, 2, 1, c) for c in range(1, 23)]
    data = ber.encode_request(1, b"public", PduType.GETBULK, 123456, oids, 0, 25)
    ref = Message(1, b"public", PduType.GETBULK, 123456, 0, 25,
                  [(o, Tag.NULL, None) for o in oids])
    assert pysnmp_decode(data) == ref
    assert pysnmp_encode(ref) == data


# --------------------------------------------------------------------------- malformed input

def _decode_or_ber_error(data: bytes) -> None:
    with contextlib.suppress(BerError):
        ber.decode_message(data)
    ber.peek_request_id(data)  # never raises


@settings(max_examples=2000, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_random_bytes_raise_only_ber_error(data: bytes) -> None:
    _decode_or_ber_error(data)


@settings(max_examples=1000, deadline=None)
@given(st.binary(max_size=200).map(lambda b: b"\x30" + ber.encode_length(len(b)) + b))
def test_fuzz_sequence_framed_bytes_raise_only_ber_error(data: bytes) -> None:
    _decode_or_ber_error(data)


@settings(max_examples=200, deadline=None)
@given(messages())
def test_every_truncation_raises_ber_error(m: Message) -> None:
    data = encode(m)
    for cut in range(len(data)):
        with pytest.raises(BerError):
            ber.decode_message(data[:cut])


@settings(max_examples=500, deadline=None)
@given(messages(), st.data())
def test_mutated_messages_raise_only_ber_error(m: Message, data: st.DataObject) -> None:
    raw = bytearray(encode(m))
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    _decode_or_ber_error(bytes(raw))


def _frame(pdu_body: bytes, *, version: int = 1, pdu_tag: int = 0xA0) -> bytes:
    head = ber.tlv(2, bytes([version])) + ber.tlv(4, b"")
    return ber.tlv(0x30, head + ber.tlv(pdu_tag, pdu_body))


_HDR = bytes.fromhex("020100020100020100")  # request-id, error-status, error-index


def _with_varbind(content: bytes) -> bytes:
    return _frame(_HDR + ber.tlv(0x30, ber.tlv(0x30, content)))


MALFORMED = {
    "empty": b"",
    "tag only": b"\x30",
    "indefinite length": b"\x30\x80\x00\x00",
    "5-octet length": bytes.fromhex("30850000000001") + b"\x00",
    "length past the end": b"\x30\x82\x00\x10\x02\x01\x01",
    "not a SEQUENCE": ber.tlv(0x31, b"\x02\x01\x01"),
    "no community": ber.tlv(0x30, b"\x02\x01\x01"),
    "community not OCTET STRING": ber.tlv(0x30, b"\x02\x01\x01\x02\x01\x00"),
    "no PDU": ber.tlv(0x30, b"\x02\x01\x01\x04\x00"),
    "version 3": _frame(_HDR + b"\x30\x00", version=3),
    "v1 trap PDU": _frame(_HDR + b"\x30\x00", pdu_tag=0xA4),
    "unknown PDU": _frame(_HDR + b"\x30\x00", pdu_tag=0xA9),
    "missing error-index": _frame(_HDR[:6]),
    "missing varbind list": _frame(_HDR),
    "request-id not INTEGER": _frame(b"\x04\x01\x00" + _HDR[3:] + b"\x30\x00"),
    "empty request-id": _frame(b"\x02\x00" + _HDR[3:] + b"\x30\x00"),
    "varbind list not a SEQUENCE": _frame(_HDR + b"\x31\x00"),
    "varbind not a SEQUENCE": _frame(_HDR + ber.tlv(0x30, b"\x05\x00")),
    "name not an OID": _with_varbind(b"\x04\x01\x01\x05\x00"),
    "missing value": _with_varbind(b"\x06\x01\x2b"),
    "empty OID": _with_varbind(b"\x06\x00\x05\x00"),
    "truncated OID arc": _with_varbind(b"\x06\x02\x2b\x81\x05\x00"),
    "empty INTEGER": _with_varbind(b"\x06\x01\x2b\x02\x00"),
    "empty Counter32": _with_varbind(b"\x06\x01\x2b\x41\x00"),
    "unknown value tag": _with_varbind(b"\x06\x01\x2b\x99\x00"),
    "value overruns varbind": _with_varbind(b"\x06\x01\x2b\x04\x05ab"),
}


@pytest.mark.parametrize("data", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_vectors(data: bytes) -> None:
    with pytest.raises(BerError):
        ber.decode_message(data)
