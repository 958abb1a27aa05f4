"""The lab's SNMP responder, queried with net-snmp, pysnmp and raw BER."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.snmp.ber import (
    VERSION_V1,
    VERSION_V2C,
    Message,
    PduType,
    Tag,
    decode_message,
    encode_message,
    encode_oid,
    encode_request,
    encode_value,
    encode_varbind,
)
from noc.lab.agent import LabAgent
from noc.lab.live import DeviceView
from noc.lab.model import DeviceRole, LabDevice
from noc.lab.recordings import port_ifindex

C3750 = "network/switch/cisco-c3750.snmprec.bz2"
JUNIPER = "network/router/juniper-mx960-13-3r9-13.snmprec.bz2"
A, B = "127.20.0.1", "127.20.0.2"
SYS_NAME = (1, 3, 6, 1, 2, 1, 1, 5, 0)
SYS_UPTIME = (1, 3, 6, 1, 2, 1, 1, 3, 0)
IF_TABLE = (1, 3, 6, 1, 2, 1, 2, 2, 1)
HC_IN = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6)
T0 = 1_700_000_000.0




class Clock:
    """A settable clock for the agent."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def _views() -> list[DeviceView]:
    sw = LabDevice("q1-bn-sw1", "Q1-BN", DeviceRole.ACCESS_SWITCH, A, C3750, serial="FOC1",
                   counter_bits=32)
    rt = LabDevice("dc-r1", "DC", DeviceRole.ROUTER, B, JUNIPER, serial="JN1")
    return [DeviceView(sw, epoch=T0, link_ports={port_ifindex(C3750, 1): 1000},
                       location="Phường Bến Nghé"),
            DeviceView(rt, epoch=T0, link_ports={port_ifindex(JUNIPER, 1): 10000})]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def agent(clock: Clock) -> AsyncIterator[LabAgent]:
    lab = LabAgent(_views(), 0, clock=clock)
    await lab.start()
    try:
        yield lab
    finally:
        await lab.stop()


@pytest.fixture
def offline(clock: Clock) -> LabAgent:
    """An agent that is never started: tests call :meth:`LabAgent.handle` directly."""
    return LabAgent(_views(), 16100, clock=clock)


async def _run(*args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(*args, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode is not None
    return proc.returncode, out.decode()


class _Client(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.answer: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        if not self.answer.done():
            self.answer.set_result(data)


async def _query(address: str, port: int, data: bytes, wait: float = 1.0) -> bytes | None:
    loop = asyncio.get_running_loop()
    transport, client = await loop.create_datagram_endpoint(_Client,
                                                            remote_addr=(address, port))
    try:
        transport.sendto(data)
        return await asyncio.wait_for(client.answer, wait)
    except TimeoutError:
        return None
    finally:
        transport.close()


def _ask(agent: LabAgent, name: str, data: bytes) -> Message:
    response = agent.handle(agent.views[name], data)
    assert response is not None
    return decode_message(response)


def _snmp(tool: str, version: str, address: str, port: int, *args: str) -> list[str]:
    """A net-snmp command line: options in ``args``, then the agent, then the root OID."""
    return [tool, f"-v{version}", "-c", "public", "-On", "-m", "", "-t", "2", "-r", "1",
            *args[:-1], f"{address}:{port}", args[-1]]


# --------------------------------------------------------------------------- real clients


async def test_snmpget_cli(agent: LabAgent) -> None:
    code, out = await _run("snmpget", "-v2c", "-c", "public", "-On", "-m", "",
                           f"{A}:{agent.port}", "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.3.0")
    assert code == 0, out
    assert '.1.3.6.1.2.1.1.5.0 = STRING: "q1-bn-sw1"' in out
    assert ".1.3.6.1.2.1.1.3.0 = Timeticks:" in out
    code, out = await _run("snmpget", "-v2c", "-c", "public", "-On", "-m", "",
                           f"{B}:{agent.port}", "1.3.6.1.2.1.1.5.0")
    assert code == 0 and 'STRING: "dc-r1"' in out, out


async def test_snmpbulkwalk_iftable(agent: LabAgent) -> None:
    code, out = await _run(*_snmp("snmpbulkwalk", "2c", A, agent.port, "-Cr25",
                                  "1.3.6.1.2.1.2.2.1"))
    assert code == 0, out
    lines = out.strip().splitlines()
    expected = agent.views["q1-bn-sw1"].walk(IF_TABLE, T0)
    assert [line.split(" = ")[0] for line in lines] == [
        "." + ".".join(map(str, oid)) for oid, _tag, _value in expected]
    port = port_ifindex(C3750, 1)
    assert any(line.startswith(f".1.3.6.1.2.1.2.2.1.10.{port} = Counter32: ") for line in lines)
    assert agent.stats.responses >= len(lines) // 25


async def test_snmpwalk_v1(agent: LabAgent) -> None:
    code, out = await _run(*_snmp("snmpwalk", "1", B, agent.port, "1.3.6.1.2.1.1"))
    assert code == 0, out
    assert 'STRING: "dc-r1"' in out
    assert ".1.3.6.1.2.1.1.1.0 = STRING: " in out
    # v1 cannot carry Counter64: the walk of ifXTable skips the HC columns
    code, out = await _run(*_snmp("snmpwalk", "1", B, agent.port, "1.3.6.1.2.1.31.1.1.1"))
    assert code == 0, out
    assert "Counter64" not in out
    assert ".1.3.6.1.2.1.31.1.1.1.1." in out  # ifName
    assert ".1.3.6.1.2.1.31.1.1.1.6." not in out


async def test_snmpbulkwalk_hc_counters(agent: LabAgent) -> None:
    code, out = await _run(*_snmp("snmpbulkwalk", "2c", B, agent.port, "1.3.6.1.2.1.31.1.1.1.6"))
    assert code == 0, out
    port = port_ifindex(JUNIPER, 1)
    value = agent.views["dc-r1"].get((*HC_IN, port), T0)
    assert value is not None
    assert f".1.3.6.1.2.1.31.1.1.1.6.{port} = Counter64: {value[1]}" in out
    # the 32-bit switch has no HC counters at all
    code, out = await _run(*_snmp("snmpbulkwalk", "2c", A, agent.port, "1.3.6.1.2.1.31.1.1.1.6"))
    assert "Counter64" not in out


async def test_pysnmp_walk(agent: LabAgent) -> None:
    import pysnmp.hlapi.v3arch.asyncio as hlapi
    engine = hlapi.SnmpEngine()
    target = await hlapi.UdpTransportTarget.create((A, agent.port), timeout=2, retries=1)
    rows = []
    async for error, status, _index, varbinds in hlapi.walk_cmd(
            engine, hlapi.CommunityData("public", mpModel=1), target, hlapi.ContextData(),
            hlapi.ObjectType(hlapi.ObjectIdentity("1.3.6.1.2.1.1")),
            lexicographicMode=False, lookupMib=False):
        assert error is None and not status
        rows.extend((tuple(vb[0]), vb[1]) for vb in varbinds)
    engine.close_dispatcher()
    assert len(rows) == len(agent.views["q1-bn-sw1"].walk((1, 3, 6, 1, 2, 1, 1), T0))
    assert dict(rows)[SYS_NAME].asOctets() == b"q1-bn-sw1"
    location = dict(rows)[(1, 3, 6, 1, 2, 1, 1, 6, 0)].asOctets()
    assert location.decode() == "Phường Bến Nghé"


# --------------------------------------------------------------------------- faults


async def test_malformed_counted_and_dropped(agent: LabAgent) -> None:
    rng = random.Random(7)
    junk = [bytes([rng.randrange(0x31, 256)]) + rng.randbytes(rng.randrange(0, 80))
            for _ in range(30)]
    valid = encode_request(VERSION_V2C, b"public", PduType.GET, 5, [SYS_NAME])
    junk += [valid[:-3], valid[:10], b"\x30\x00"]
    for data in junk:
        assert await _query(A, agent.port, data, wait=0.05) is None
    response = await _query(A, agent.port, valid)
    assert response is not None
    assert decode_message(response).varbinds == [(SYS_NAME, Tag.OCTET_STRING, b"q1-bn-sw1")]
    assert agent.stats.malformed == len(junk)
    assert agent.stats.requests == len(junk) + 1


async def test_set_down_silences_device(agent: LabAgent) -> None:
    agent.set_down({"q1-bn-sw1"})
    quick = ("-t", "0.3", "-r", "0")
    (code_a, out_a), (code_b, out_b) = await asyncio.gather(
        _run("snmpget", "-v2c", "-c", "public", *quick, f"{A}:{agent.port}", "1.3.6.1.2.1.1.5.0"),
        _run("snmpget", "-v2c", "-c", "public", *quick, f"{B}:{agent.port}", "1.3.6.1.2.1.1.5.0"))
    assert code_a != 0 and "Timeout" in out_a
    assert code_b == 0 and "dc-r1" in out_b
    assert agent.stats.dropped_down >= 1
    assert agent.down == frozenset({"q1-bn-sw1"})
    agent.set_down([])
    code_a, out_a = await _run("snmpget", "-v2c", "-c", "public", *quick, f"{A}:{agent.port}",
                               "1.3.6.1.2.1.1.5.0")
    assert code_a == 0, out_a


async def test_wrong_community_gets_no_answer(agent: LabAgent) -> None:
    request = encode_request(VERSION_V2C, b"private", PduType.GET, 9, [SYS_NAME])
    assert await _query(A, agent.port, request, wait=0.3) is None
    assert agent.stats.bad_community == 1
    assert agent.stats.responses == 0
    assert agent.stats.per_device["q1-bn-sw1"] == 1


def test_reboot(offline: LabAgent, clock: Clock) -> None:
    clock.now = T0 + 100
    offline.reboot("dc-r1")
    clock.now = T0 + 105
    msg = _ask(offline, "dc-r1", encode_request(VERSION_V2C, b"public", PduType.GET, 1,
                                                [SYS_UPTIME]))
    assert msg.varbinds == [(SYS_UPTIME, Tag.TIMETICKS, 500)]


# --------------------------------------------------------------------------- protocol


def test_counter_delta_over_the_wire(offline: LabAgent, clock: Clock) -> None:
    view = offline.views["dc-r1"]
    oid = (*HC_IN, port_ifindex(JUNIPER, 1))
    request = encode_request(VERSION_V2C, b"public", PduType.GET, 1, [oid])
    clock.now = T0 + 3600
    first = _ask(offline, "dc-r1", request).varbinds[0]
    clock.now += 60
    second = _ask(offline, "dc-r1", request).varbinds[0]
    assert first[1] == second[1] == Tag.COUNTER64
    assert isinstance(first[2], int) and isinstance(second[2], int)
    assert second[2] - first[2] == view.expected_octets(oid[-1], T0 + 3600, T0 + 3660, "in")


def test_get_exceptions_v2c_and_v1(offline: LabAgent) -> None:
    absent_object = (1, 3, 6, 1, 2, 1, 1, 99, 0)
    absent_instance = (1, 3, 6, 1, 2, 1, 1, 5, 7)
    msg = _ask(offline, "dc-r1", encode_request(VERSION_V2C, b"public", PduType.GET, 3,
                                                [SYS_NAME, absent_object, absent_instance]))
    assert msg.pdu_type == PduType.RESPONSE and msg.request_id == 3
    assert [tag for _oid, tag, _value in msg.varbinds] == [
        Tag.OCTET_STRING, Tag.NO_SUCH_OBJECT, Tag.NO_SUCH_INSTANCE]
    msg = _ask(offline, "dc-r1", encode_request(VERSION_V1, b"public", PduType.GET, 4,
                                                [SYS_NAME, absent_object]))
    assert (msg.version, msg.error_status, msg.error_index) == (VERSION_V1, 2, 2)
    assert [oid for oid, _tag, _value in msg.varbinds] == [SYS_NAME, absent_object]
    hc = (*HC_IN, port_ifindex(JUNIPER, 1))  # Counter64 is not a v1 type
    msg = _ask(offline, "dc-r1", encode_request(VERSION_V1, b"public", PduType.GET, 5, [hc]))
    assert (msg.error_status, msg.error_index) == (2, 1)


def test_getnext_and_bulk_end_of_mib(offline: LabAgent) -> None:
    view = offline.views["q1-bn-sw1"]
    last = view.layout.oids[-1]
    msg = _ask(offline, "q1-bn-sw1", encode_request(VERSION_V2C, b"public", PduType.GETBULK,
                                                    6, [view.layout.oids[-3], last], 0, 5))
    tags = [tag for _oid, tag, _value in msg.varbinds]
    assert msg.error_status == 0
    assert tags[0] != Tag.END_OF_MIB_VIEW and tags[1] == Tag.END_OF_MIB_VIEW
    assert tags[-2:] == [Tag.END_OF_MIB_VIEW, Tag.END_OF_MIB_VIEW]
    assert msg.varbinds[1][0] == last
    msg = _ask(offline, "q1-bn-sw1", encode_request(VERSION_V2C, b"public", PduType.GETNEXT, 7,
                                                    [last]))
    assert msg.varbinds == [(last, Tag.END_OF_MIB_VIEW, None)]
    msg = _ask(offline, "q1-bn-sw1", encode_request(VERSION_V1, b"public", PduType.GETNEXT, 8,
                                                    [last]))
    assert (msg.error_status, msg.error_index) == (2, 1)


def test_bulk_non_repeaters_and_size_cap(offline: LabAgent) -> None:
    if_descr = (1, 3, 6, 1, 2, 1, 2, 2, 1, 2)
    msg = _ask(offline, "dc-r1", encode_request(VERSION_V2C, b"public", PduType.GETBULK, 9,
                                                [(1, 3, 6, 1, 2, 1, 1, 3), if_descr], 1, 4))
    assert msg.varbinds[0][0] == SYS_UPTIME
    assert len(msg.varbinds) == 5
    assert all(oid[:10] == if_descr for oid, _tag, _value in msg.varbinds[1:])
    request = encode_request(VERSION_V2C, b"public", PduType.GETBULK, 10, [IF_TABLE], 0, 1000)
    response = offline.handle(offline.views["dc-r1"], request)
    assert response is not None and len(response) <= offline.max_size
    msg = decode_message(response)
    assert msg.error_status == 0 and len(msg.varbinds) > 10


def test_get_too_big(offline: LabAgent) -> None:
    sys_descr = (1, 3, 6, 1, 2, 1, 1, 1, 0)
    msg = _ask(offline, "dc-r1", encode_request(VERSION_V2C, b"public", PduType.GET, 11,
                                                [sys_descr] * 20))
    assert (msg.error_status, msg.error_index, msg.varbinds) == (1, 0, [])


def test_set_not_writable(offline: LabAgent) -> None:
    body = encode_varbind(encode_oid(SYS_NAME), encode_value(Tag.OCTET_STRING, b"x"))
    for version, status in ((VERSION_V2C, 17), (VERSION_V1, 4)):
        msg = _ask(offline, "dc-r1", encode_message(version, b"public", PduType.SET, 12, 0, 0,
                                                    body))
        assert (msg.error_status, msg.error_index) == (status, 1)
        assert msg.varbinds == [(SYS_NAME, Tag.OCTET_STRING, b"x")]
    view = offline.views["dc-r1"]
    assert view.get(SYS_NAME, T0) == (Tag.OCTET_STRING, b"dc-r1")


def test_v1_bulk_and_responses_dropped(offline: LabAgent) -> None:
    view = offline.views["dc-r1"]
    bulk_v1 = encode_request(VERSION_V1, b"public", PduType.GETBULK, 13, [SYS_NAME], 0, 5)
    assert offline.handle(view, bulk_v1) is None
    response = encode_message(VERSION_V2C, b"public", PduType.RESPONSE, 14, 0, 0, b"")
    assert offline.handle(view, response) is None
    assert offline.stats.malformed == 2


_OIDS = st.one_of(
    st.lists(st.integers(0, 2**32), min_size=0, max_size=12).map(
        lambda tail: (1, 3, 6, 1, *tail)),
    st.sampled_from([SYS_NAME, SYS_UPTIME, IF_TABLE, HC_IN, (1, 3), (2, 999), (0, 0)]),
)


@settings(max_examples=300, deadline=None)
@given(version=st.sampled_from([VERSION_V1, VERSION_V2C]),
       pdu=st.sampled_from([PduType.GET, PduType.GETNEXT, PduType.GETBULK, PduType.SET]),
       oids=st.lists(_OIDS, min_size=0, max_size=8),
       non_repeaters=st.integers(-5, 10), repetitions=st.integers(-5, 300))
def test_any_request_gets_a_bounded_answer(version: int, pdu: int, oids: list[tuple[int, ...]],
                                           non_repeaters: int, repetitions: int) -> None:
    lab = LabAgent(_views(), 16100, clock=Clock())
    for view in lab.views.values():
        request = encode_request(version, b"public", pdu, 77, oids, non_repeaters, repetitions)
        response = lab.handle(view, request)
        if version == VERSION_V1 and pdu == PduType.GETBULK:
            assert response is None
            continue
        assert response is not None and len(response) <= lab.max_size
        msg = decode_message(response)
        assert (msg.version, msg.pdu_type, msg.request_id) == (version, PduType.RESPONSE, 77)
        if pdu in (PduType.GET, PduType.GETNEXT) and msg.error_status == 0:
            assert len(msg.varbinds) == len(oids)
        if pdu == PduType.GETNEXT and msg.error_status == 0:
            for asked, (got, tag, _value) in zip(oids, msg.varbinds, strict=True):
                assert got > asked or tag == Tag.END_OF_MIB_VIEW
