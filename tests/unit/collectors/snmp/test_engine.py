"""SNMPv3 engine discovery: codec (vs pysnmp and a net-snmp capture), fuzzing, UDP, registry."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyasn1.codec.ber import decoder, encoder
from pysnmp.proto import api
from pysnmp.proto.mpmod.rfc3412 import SNMPv3Message
from pysnmp.proto.secmod.rfc3414.service import UsmSecurityParameters

from collectors.snmp import ber
from collectors.snmp.ber import Tag, encode_integer, tlv
from collectors.snmp.engine import (
    MAX_BOOTS,
    USM_STATS_UNKNOWN_ENGINE_IDS,
    EngineInfo,
    EngineRegistry,
    MalformedReportError,
    decode_report,
    discover_engine,
    encode_discovery,
)
from collectors.snmp.errors import SnmpProtocolError, SnmpTimeout

# What net-snmp 5.9.3's snmpd answered to encode_discovery(1234): a literal capture.
NET_SNMP_REPORT = bytes.fromhex(
    "306d020103300f020204d2020300ffe30401000201030421301f041180001f8880f504c50e0f4e036b00"
    "0000000201010201000400040004003034041180001f8880f504c50e0f4e036b000000000400a81d0202"
    "04d20201000201003011300f060a2b060106030f01010400410101")
NET_SNMP_ENGINE_ID = bytes.fromhex("80001f8880f504c50e0f4e036b00000000")
V2C = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]


def pyasn1_report(msg_id: int, engine_id: bytes, boots: int, engine_time: int, *,
                  counter: int = 1, flags: bytes = b"\x00", pdu: Any = None) -> bytes:
    """A REPORT as pysnmp/pyasn1 encode it (the reference implementation)."""
    if pdu is None:
        pdu = V2C.ReportPDU()
        V2C.apiPDU.set_defaults(pdu)
        V2C.apiPDU.set_request_id(pdu, msg_id)
        V2C.apiPDU.set_varbinds(pdu, [(USM_STATS_UNKNOWN_ENGINE_IDS, V2C.Counter32(counter))])
    usm = UsmSecurityParameters()
    for name, value in (("msgAuthoritativeEngineId", engine_id),
                        ("msgAuthoritativeEngineBoots", boots),
                        ("msgAuthoritativeEngineTime", engine_time), ("msgUserName", b""),
                        ("msgAuthenticationParameters", b""), ("msgPrivacyParameters", b"")):
        usm[name] = value
    msg = SNMPv3Message()
    msg["msgVersion"] = 3
    header = msg["msgGlobalData"]
    header["msgID"], header["msgMaxSize"] = msg_id, 65507
    header["msgFlags"], header["msgSecurityModel"] = flags, 3
    msg["msgSecurityParameters"] = encoder.encode(usm)
    scoped = msg["msgData"]["plaintext"]
    scoped["contextEngineId"], scoped["contextName"] = engine_id, b""
    scoped["data"].setComponentByType(pdu.tagSet, pdu)
    return bytes(encoder.encode(msg))


# --------------------------------------------------------------------------- codec

def test_discovery_probe_is_what_rfc_3414_asks_for() -> None:
    msg, rest = decoder.decode(encode_discovery(1234), asn1Spec=SNMPv3Message())
    assert rest == b""
    assert int(msg["msgVersion"]) == 3
    header = msg["msgGlobalData"]
    assert (int(header["msgID"]), int(header["msgMaxSize"])) == (1234, 65507)
    assert bytes(header["msgFlags"]) == b"\x04"  # reportable, noAuthNoPriv
    assert int(header["msgSecurityModel"]) == 3
    usm, _ = decoder.decode(bytes(msg["msgSecurityParameters"]), asn1Spec=UsmSecurityParameters())
    names = ("msgAuthoritativeEngineId", "msgUserName", "msgAuthenticationParameters",
             "msgPrivacyParameters")
    assert [bytes(usm[n]) for n in names] == [b""] * 4
    assert int(usm["msgAuthoritativeEngineBoots"]) == int(usm["msgAuthoritativeEngineTime"]) == 0
    scoped = msg["msgData"]["plaintext"]
    assert bytes(scoped["contextEngineId"]) == bytes(scoped["contextName"]) == b""
    pdu = scoped["data"].getComponent()
    assert pdu.tagSet == V2C.GetRequestPDU.tagSet
    assert int(V2C.apiPDU.get_request_id(pdu)) == 1234
    assert list(V2C.apiPDU.get_varbinds(pdu)) == []


def test_discovery_probe_rejects_an_out_of_range_msg_id() -> None:
    with pytest.raises(ValueError, match="msgID"):
        encode_discovery(2**31)


def test_net_snmp_report_capture_decodes() -> None:
    report = decode_report(NET_SNMP_REPORT)
    assert (report.msg_id, report.request_id) == (1234, 1234)
    assert report.engine_id == NET_SNMP_ENGINE_ID
    assert (report.boots, report.time) == (1, 0)
    assert report.varbinds == [(USM_STATS_UNKNOWN_ENGINE_IDS, Tag.COUNTER32, 1)]
    assert report.unknown_engine_ids == 1


@given(msg_id=st.integers(0, 2**31 - 1), engine_id=st.binary(min_size=5, max_size=32),
       boots=st.integers(0, 2**31 - 1), engine_time=st.integers(0, 2**31 - 1),
       counter=st.integers(0, 2**32 - 1))
def test_reports_encoded_by_pysnmp_decode_the_same(msg_id: int, engine_id: bytes, boots: int,
                                                   engine_time: int, counter: int) -> None:
    report = decode_report(pyasn1_report(msg_id, engine_id, boots, engine_time, counter=counter))
    assert (report.msg_id, report.engine_id, report.boots, report.time) == (
        msg_id, engine_id, boots, engine_time)
    assert report.unknown_engine_ids == counter


def _usm_params(engine_id: bytes, boots: bytes = b"\x02\x01\x01") -> bytes:
    empty = tlv(Tag.OCTET_STRING, b"")
    return tlv(Tag.OCTET_STRING, tlv(Tag.SEQUENCE, tlv(Tag.OCTET_STRING, engine_id) + boots
                                     + encode_integer(5) + empty * 3))


def _replace_usm(data: bytes, params: bytes) -> bytes:
    """NET_SNMP_REPORT with other msgSecurityParameters (lengths recomputed)."""
    start = 2 + 3 + 2 + data[6]  # after the outer header, msgVersion and msgGlobalData
    head, body = data[2:start], data[start + 2 + data[start + 1]:]
    return tlv(Tag.SEQUENCE, head + params + body)


@pytest.mark.parametrize(("data", "why"), [
    (b"", "truncated"),
    (NET_SNMP_REPORT[:-1], "runs past the end"),
    (NET_SNMP_REPORT + b"\x00", "trailing"),
    (NET_SNMP_REPORT.replace(b"\x02\x01\x03\x30", b"\x02\x01\x01\x30", 1), "not SNMPv3"),
    (NET_SNMP_REPORT.replace(b"\x04\x01\x00\x02\x01\x03", b"\x04\x01\x03\x02\x01\x03"),
     "not a plaintext USM"),
    (NET_SNMP_REPORT.replace(b"\x04\x01\x00\x02\x01\x03", b"\x04\x01\x00\x02\x01\x02"),
     "not a plaintext USM"),
    (NET_SNMP_REPORT.replace(b"\xa8\x1d", b"\xa2\x1d"), "REPORT PDU"),
    (_replace_usm(NET_SNMP_REPORT, _usm_params(b"\x80\x00\x1f\x88")), "engine ID of 4"),
    (_replace_usm(NET_SNMP_REPORT, _usm_params(b"", )), "engine ID of 0"),
    (_replace_usm(NET_SNMP_REPORT, _usm_params(b"E" * 33)), "engine ID of 33"),
    (_replace_usm(NET_SNMP_REPORT, _usm_params(NET_SNMP_ENGINE_ID, b"\x02\x01\xff")),
     "EngineBoots -1 out of range"),
    (_replace_usm(NET_SNMP_REPORT, _usm_params(NET_SNMP_ENGINE_ID, b"\x04\x01\x01")),
     "EngineBoots: expected tag 0x02"),
])
def test_malformed_reports_raise_a_clear_error(data: bytes, why: str) -> None:
    with pytest.raises(MalformedReportError, match=why) as info:
        decode_report(data)
    assert isinstance(info.value, SnmpProtocolError)


def test_replacing_usm_params_keeps_a_valid_report_valid() -> None:
    report = decode_report(_replace_usm(NET_SNMP_REPORT, _usm_params(NET_SNMP_ENGINE_ID)))
    assert (report.engine_id, report.boots, report.time) == (NET_SNMP_ENGINE_ID, 1, 5)


def test_a_v2c_message_or_a_get_is_not_a_report() -> None:
    v2c = ber.encode_request(ber.VERSION_V2C, b"public", ber.PduType.REPORT, 7, [])
    with pytest.raises(MalformedReportError, match="not SNMPv3"):
        decode_report(v2c)
    pdu = V2C.GetRequestPDU()
    V2C.apiPDU.set_defaults(pdu)
    with pytest.raises(MalformedReportError, match="REPORT PDU"):
        decode_report(pyasn1_report(7, NET_SNMP_ENGINE_ID, 1, 2, pdu=pdu))


def _never_crashes(data: bytes) -> None:
    try:
        report = decode_report(data)
    except MalformedReportError:
        return
    assert 5 <= len(report.engine_id) <= 32
    assert 0 <= report.boots <= MAX_BOOTS and 0 <= report.time <= MAX_BOOTS


@given(st.binary(max_size=300))
def test_fuzz_random_bytes_only_raise_malformed_report(data: bytes) -> None:
    _never_crashes(data)


@given(st.data())
def test_fuzz_mutated_reports_only_raise_malformed_report(data: st.DataObject) -> None:
    raw = bytearray(NET_SNMP_REPORT)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(raw) - 1))
        op = data.draw(st.sampled_from(("flip", "cut", "insert", "delete")))
        if op == "flip":
            raw[i] = data.draw(st.integers(0, 255))
        elif op == "cut":
            del raw[i:]
        elif op == "insert":
            raw[i:i] = data.draw(st.binary(min_size=1, max_size=8))
        else:
            del raw[i]
        if not raw:
            break
    _never_crashes(bytes(raw))


@given(st.lists(st.tuples(st.integers(0, 255), st.binary(max_size=40)), max_size=6))
def test_fuzz_nested_tlvs_only_raise_malformed_report(parts: list[tuple[int, bytes]]) -> None:
    body = b"".join(tlv(tag, content) for tag, content in parts)
    _never_crashes(tlv(Tag.SEQUENCE, encode_integer(3) + body))


# --------------------------------------------------------------------------- UDP

class FakeAgent(asyncio.DatagramProtocol):
    """Answers discovery probes with ``reply(msgID, probe number)`` datagrams (none: a drop)."""

    def __init__(self, reply: Callable[[int, int], list[bytes]]) -> None:
        self.reply = reply
        self.probes = 0
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        msg, _ = decoder.decode(data, asn1Spec=SNMPv3Message())
        self.probes += 1
        assert self.transport is not None
        for datagram in self.reply(int(msg["msgGlobalData"]["msgID"]), self.probes):
            self.transport.sendto(datagram, addr)


@pytest.fixture
async def agent_factory() -> AsyncIterator[Callable[..., Any]]:
    transports: list[asyncio.DatagramTransport] = []

    async def start(reply: Callable[[int, int], list[bytes]]) -> tuple[FakeAgent, int]:
        transport, agent = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: FakeAgent(reply), local_addr=("127.0.0.1", 0))
        transports.append(transport)
        return agent, int(transport.get_extra_info("sockname")[1])

    yield start
    for transport in transports:
        transport.close()


def good(msg_id: int, _probe: int) -> list[bytes]:
    return [pyasn1_report(msg_id, NET_SNMP_ENGINE_ID, 3, 4242, counter=9)]


async def test_discover_engine_returns_the_reported_engine(agent_factory: Any) -> None:
    _, port = await agent_factory(good)
    info = await discover_engine("127.0.0.1", port, 1.0, 0, clock=lambda: 1000.5)
    assert info == EngineInfo(NET_SNMP_ENGINE_ID, 3, 4242, 1000.5, 9)


async def test_discover_engine_retransmits_after_a_lost_probe(agent_factory: Any) -> None:
    agent, port = await agent_factory(lambda mid, n: good(mid, n) if n == 2 else [])
    info = await discover_engine("127.0.0.1", port, 0.2, 2)
    assert info.engine_id == NET_SNMP_ENGINE_ID
    assert agent.probes == 2


async def test_discover_engine_ignores_other_msg_ids_and_garbage(agent_factory: Any) -> None:
    def reply(msg_id: int, _probe: int) -> list[bytes]:
        return [b"\x30\x00garbage", pyasn1_report(msg_id + 1, b"other-engine", 1, 1),
                *good(msg_id, 1)]

    _, port = await agent_factory(reply)
    assert (await discover_engine("127.0.0.1", port, 1.0, 0)).engine_id == NET_SNMP_ENGINE_ID


async def test_discover_engine_times_out_after_all_retries(agent_factory: Any) -> None:
    agent, port = await agent_factory(lambda _mid, _n: [])
    with pytest.raises(SnmpTimeout, match="after 3 attempt"):
        await discover_engine("127.0.0.1", port, 0.05, 2)
    assert agent.probes == 3


async def test_discover_engine_reports_garbage_rather_than_a_timeout(agent_factory: Any) -> None:
    _, port = await agent_factory(lambda _mid, _n: [b"\x30\x03\x02\x01\x01"])
    with pytest.raises(MalformedReportError, match="not SNMPv3"):
        await discover_engine("127.0.0.1", port, 0.05, 0)


async def test_discover_engine_validates_its_arguments() -> None:
    with pytest.raises(ValueError, match="timeout"):
        await discover_engine("127.0.0.1", 161, 0, 0)


# --------------------------------------------------------------------------- registry

A, B = b"\x80\x00\x1f\x88\x80" + b"A" * 8, b"\x80\x00\x1f\x88\x80" + b"B" * 8


def registry_with(target: str = "sw1", *, engine_id: bytes = A, boots: int = 3,
                  engine_time: int = 1_000, at: float = 500.0) -> EngineRegistry:
    registry = EngineRegistry(clock=lambda: at)
    registry.record(target, EngineInfo(engine_id, boots, engine_time, at))
    return registry


def test_estimated_time_follows_the_local_clock() -> None:
    now = [500.0]
    registry = EngineRegistry(clock=lambda: now[0])
    assert registry.estimated_time("sw1") is None
    registry.record("sw1", EngineInfo(A, 3, 1_000, 500.0))
    now[0] = 620.7
    assert registry.estimated_time("sw1") == 1_120
    assert registry.estimated_time("sw1", now=500.0 + 86_400) == 87_400


def test_message_inside_the_150_second_window_needs_no_resync() -> None:
    registry = registry_with()
    assert not registry.needs_resync("sw1", 3, 1_060, now=560.0)
    assert not registry.needs_resync("sw1", 3, 1_060 - 150, now=560.0)
    assert not registry.needs_resync("sw1", 3, 1_060 + 150, now=560.0)


def test_message_outside_the_window_is_not_in_time_window() -> None:
    registry = registry_with()
    late = registry.needs_resync("sw1", 3, 1_060 - 151, now=560.0)
    assert late and "notInTimeWindow" in late.reason and not late.rebooted
    assert registry.needs_resync("sw1", 3, 1_060 + 151, now=560.0)


def test_boots_going_up_is_a_reboot() -> None:
    verdict = registry_with().needs_resync("sw1", 4, 12, now=560.0)
    assert verdict and verdict.rebooted and "rebooted (boots 3 -> 4)" in verdict.reason


def test_boots_going_down_needs_resync_but_is_no_reboot() -> None:
    verdict = registry_with().needs_resync("sw1", 2, 1_060, now=560.0)
    assert verdict and not verdict.rebooted and "boots went back" in verdict.reason


def test_latched_boots_need_reconfiguration() -> None:
    verdict = registry_with(boots=MAX_BOOTS).needs_resync("sw1", MAX_BOOTS, 1_000, now=500.0)
    assert verdict and "latched" in verdict.reason


def test_unknown_target_needs_discovery() -> None:
    verdict = EngineRegistry().needs_resync("sw9", 1, 1)
    assert verdict and verdict.reason == "engine never discovered"


def test_needs_resync_uses_the_injected_clock_by_default() -> None:
    now = [500.0]
    registry = EngineRegistry(clock=lambda: now[0])
    registry.record("sw1", EngineInfo(A, 3, 1_000, 500.0))
    now[0] = 900.0
    assert registry.needs_resync("sw1", 3, 1_000)  # 400 s later the agent says 1 000: stale
    assert not registry.needs_resync("sw1", 3, 1_400)


def test_rediscovery_reports_reboot_and_engine_id_change() -> None:
    registry = registry_with()
    assert not registry.record("sw1", EngineInfo(A, 3, 1_100, 600.0))
    reboot = registry.record("sw1", EngineInfo(A, 4, 30, 700.0))
    assert reboot.rebooted
    changed = registry.record("sw1", EngineInfo(B, 1, 5, 800.0))
    assert changed and "engine ID changed" in changed.reason
    assert registry.get("sw1") == EngineInfo(B, 1, 5, 800.0)


def test_shared_engine_ids_are_reported_as_duplicates() -> None:
    registry = EngineRegistry()
    for target, engine_id in (("sw2", A), ("sw1", A), ("r1", B), ("sw3", A)):
        registry.record(target, EngineInfo(engine_id, 1, 1, 0.0))
    assert registry.duplicates() == {A.hex(): ["sw1", "sw2", "sw3"]}
    registry.forget("sw2")
    registry.forget("sw3")
    assert registry.duplicates() == {}

