"""SnmpClient against a tiny in-test agent built on ber.py (loopback UDP, no real snmpd)."""

from __future__ import annotations

import asyncio
import bisect
import itertools
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import cast

import pytest

from collectors.snmp import ber, client
from collectors.snmp.ber import Message, Oid, PduType, Tag, Value
from collectors.snmp.client import (
    SnmpClient,
    SnmpError,
    SnmpProtocolError,
    SnmpTarget,
    SnmpTimeout,
)
from collectors.snmp.v3 import V3Credentials

IF_DESCR: Oid = (1, 3, 6, 1, 2, 1, 2, 2, 1, 2)
IF_IN_OCTETS: Oid = (1, 3, 6, 1, 2, 1, 2, 2, 1, 10)
IF_HC_IN: Oid = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6)
SYS_DESCR: Oid = (1, 3, 6, 1, 2, 1, 1, 1, 0)
SECRET = b"s3cr3t-community"


def build_mib(rows: int = 48) -> dict[Oid, tuple[int, Value]]:
    mib: dict[Oid, tuple[int, Value]] = {SYS_DESCR: (Tag.OCTET_STRING, b"test agent")}
    for i in range(1, rows + 1):
        mib[(*IF_DESCR, i)] = (Tag.OCTET_STRING, f"eth{i}".encode())
        mib[(*IF_IN_OCTETS, i)] = (Tag.COUNTER32, i * 1000)
        mib[(*IF_HC_IN, i)] = (Tag.COUNTER64, 2**64 - i)
    mib[(1, 3, 6, 1, 2, 1, 2, 2, 1, 3, 1)] = (Tag.INTEGER, 6)  # a 1-row column (ifType)
    return mib


class Agent(asyncio.DatagramProtocol):
    """Answers GET/GETNEXT/GETBULK from a dict, with knobs to misbehave."""

    def __init__(self, mib: dict[Oid, tuple[int, Value]]) -> None:
        self.mib = mib
        self.oids = sorted(mib)
        self.requests: list[Message] = []
        self.datagrams: list[bytes] = []
        self.drop = 0  # drop this many requests silently
        self.delay = 0.0  # answer this late
        self.too_big_above: int | None = None  # tooBig when max-repetitions is larger
        self.silent_above: int | None = None  # drop GETBULKs asking for more repetitions
        self.max_varbinds: int | None = None  # truncate responses (agents do)
        self.rewrite: Callable[[Message], Message] | None = None
        self.reply_via: asyncio.DatagramTransport | None = None  # answer from another socket
        self.mangle: list[Callable[[bytes], bytes]] = []  # applied to the next responses' bytes
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    @property
    def port(self) -> int:
        assert self.transport is not None
        return int(self.transport.get_extra_info("sockname")[1])

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.datagrams.append(data)
        req = ber.decode_message(data)
        self.requests.append(req)
        if self.drop:
            self.drop -= 1
            return
        if (self.silent_above is not None and req.pdu_type == PduType.GETBULK
                and req.error_index > self.silent_above):
            return
        rsp = self.respond(req)
        if self.rewrite is not None:
            rsp = self.rewrite(rsp)
        out = _encode(rsp)
        if self.mangle:
            out = self.mangle.pop(0)(out)
        via = self.reply_via or self.transport
        assert via is not None
        asyncio.get_running_loop().call_later(self.delay, via.sendto, out, addr)

    def respond(self, req: Message) -> Message:
        def reply(status: int = 0, index: int = 0,
                  vbs: list[ber.VarBind] | None = None) -> Message:
            return Message(req.version, req.community, PduType.RESPONSE, req.request_id,
                           status, index, req.varbinds if vbs is None else vbs)

        if req.pdu_type == PduType.GET:
            return reply(vbs=[(o, *self.mib.get(o, (Tag.NO_SUCH_OBJECT, None)))
                              for o, _, _ in req.varbinds])
        if req.pdu_type == PduType.GETNEXT:
            out = []
            for i, (o, _, _) in enumerate(req.varbinds):
                nxt = self.next(o)
                if nxt[1] == Tag.END_OF_MIB_VIEW and req.version == ber.VERSION_V1:
                    return reply(2, i + 1)  # v1 noSuchName
                out.append(nxt)
            return reply(vbs=out)
        if self.too_big_above is not None and req.error_index > self.too_big_above:
            return reply(1, 0)
        return reply(vbs=self.bulk(req)[:self.max_varbinds])

    def next(self, oid: Oid) -> ber.VarBind:
        i = bisect.bisect_right(self.oids, oid)
        if i == len(self.oids):
            return oid, Tag.END_OF_MIB_VIEW, None
        nxt = self.oids[i]
        return (nxt, *self.mib[nxt])

    def bulk(self, req: Message) -> list[ber.VarBind]:
        current = [o for o, _, _ in req.varbinds]
        out: list[ber.VarBind] = []
        for _ in range(req.error_index):
            row = [self.next(o) for o in current]
            out += row
            current = [vb[0] for vb in row]
        return out


def _encode(m: Message) -> bytes:
    body = b"".join(ber.encode_varbind(ber.encode_oid(o), ber.encode_value(t, v))
                    for o, t, v in m.varbinds)
    return ber.encode_message(m.version, m.community, m.pdu_type, m.request_id,
                              m.error_status, m.error_index, body)


async def _udp(protocol: asyncio.DatagramProtocol, address: str) -> asyncio.DatagramTransport:
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
        lambda: protocol, local_addr=(address, 0))
    return transport


@pytest.fixture
async def agent() -> AsyncIterator[Agent]:
    proto = Agent(build_mib())
    transport = await _udp(proto, "127.0.0.1")
    yield proto
    transport.close()


@pytest.fixture
async def snmp() -> AsyncIterator[SnmpClient]:
    async with SnmpClient("127.0.0.1") as c:
        yield c


def target(agent: Agent, **kw: object) -> SnmpTarget:
    return SnmpTarget("127.0.0.1", agent.port, **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- basics

async def test_get(agent: Agent, snmp: SnmpClient) -> None:
    vbs = await snmp.get(target(agent), [SYS_DESCR, (*IF_HC_IN, 3), (1, 3, 6, 9)])
    assert vbs == [(SYS_DESCR, Tag.OCTET_STRING, b"test agent"),
                   ((*IF_HC_IN, 3), Tag.COUNTER64, 2**64 - 3),
                   ((1, 3, 6, 9), Tag.NO_SUCH_OBJECT, None)]
    assert snmp.stats.requests == snmp.stats.responses == 1
    assert snmp.stats.bytes_sent > 0 and snmp.stats.bytes_received > 0


@pytest.mark.parametrize("version", ["1", "2c"])
async def test_walk_matches_the_mib(agent: Agent, snmp: SnmpClient, version: str) -> None:
    vbs = await snmp.walk(target(agent, version=version, max_repetitions=7), IF_DESCR)
    assert vbs == [((*IF_DESCR, i), Tag.OCTET_STRING, f"eth{i}".encode()) for i in range(1, 49)]
    pdu = PduType.GETNEXT if version == "1" else PduType.GETBULK
    assert {r.pdu_type for r in agent.requests} == {pdu}


async def test_walk_to_the_end_of_the_mib(agent: Agent, snmp: SnmpClient) -> None:
    # ifHCInOctets is the last column of this MIB: v2c ends on endOfMibView, v1 on noSuchName
    want = [((*IF_HC_IN, i), Tag.COUNTER64, 2**64 - i) for i in range(1, 49)]
    assert await snmp.walk(target(agent), IF_HC_IN) == want
    assert agent.requests[-1].pdu_type == PduType.GETBULK
    assert await snmp.walk(target(agent, version="1"), IF_HC_IN) == want


async def test_walk_of_an_empty_subtree(agent: Agent, snmp: SnmpClient) -> None:
    assert await snmp.walk(target(agent), (1, 3, 6, 1, 2, 1, 2, 2, 1, 4)) == []


async def test_request_ids_wrap_and_skip_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "_request_ids", itertools.count(2**31 - 3))
    assert [client.next_request_id() for _ in range(4)] == [2**31 - 2, 2**31 - 1, 1, 2]


# --------------------------------------------------------------------------- timeouts

async def test_retries_then_timeout(agent: Agent, snmp: SnmpClient) -> None:
    agent.drop = 100
    t0 = time.monotonic()
    with pytest.raises(SnmpTimeout):
        await snmp.get(target(agent, timeout=0.1, retries=2), [SYS_DESCR])
    elapsed = time.monotonic() - t0
    assert 0.3 <= elapsed < 1.0
    assert len(agent.datagrams) == 3 and len(set(agent.datagrams)) == 1  # same bytes, same id
    s = snmp.stats
    assert (s.requests, s.retries, s.timeouts, s.responses) == (1, 2, 1, 0)


async def test_retransmission_is_answered(agent: Agent, snmp: SnmpClient) -> None:
    agent.drop = 1
    vbs = await snmp.get(target(agent, timeout=0.1, retries=1), [SYS_DESCR])
    assert vbs[0][2] == b"test agent"
    assert (snmp.stats.retries, snmp.stats.timeouts) == (1, 0)


async def test_late_response_is_counted_unmatched(agent: Agent, snmp: SnmpClient) -> None:
    agent.delay = 0.15
    with pytest.raises(SnmpTimeout):
        await snmp.get(target(agent, timeout=0.05, retries=0), [SYS_DESCR])
    await asyncio.sleep(0.25)
    assert (snmp.stats.unmatched, snmp.stats.responses) == (1, 0)


async def test_duplicate_response_is_counted_unmatched(agent: Agent, snmp: SnmpClient) -> None:
    agent.delay = 0.08  # both transmissions get answered; the second answer is surplus
    await snmp.get(target(agent, timeout=0.05, retries=1), [SYS_DESCR])
    await asyncio.sleep(0.15)
    assert (snmp.stats.responses, snmp.stats.unmatched, snmp.stats.retries) == (1, 1, 1)


async def test_response_from_wrong_address_is_ignored(agent: Agent, snmp: SnmpClient) -> None:
    for other in ("127.0.0.3", "127.0.0.1"):  # another address; same address, another port
        impostor = await _udp(asyncio.DatagramProtocol(), other)
        agent.reply_via = impostor
        try:
            with pytest.raises(SnmpTimeout):
                await snmp.get(target(agent, timeout=0.1, retries=0), [SYS_DESCR])
        finally:
            impostor.close()
    assert (snmp.stats.unmatched, snmp.stats.responses) == (2, 0)


async def test_unreachable_target_does_not_delay_others(agent: Agent, snmp: SnmpClient) -> None:
    dead = SnmpTarget("127.0.0.1", 9, timeout=1.0, retries=1)
    slow = asyncio.create_task(snmp.get(dead, [SYS_DESCR]))
    t0 = time.monotonic()
    for _ in range(20):
        await snmp.get(target(agent), [SYS_DESCR])
    assert time.monotonic() - t0 < 0.5
    assert not slow.done()
    slow.cancel()  # a cancelled caller leaves nothing behind
    with pytest.raises(asyncio.CancelledError):
        await slow
    assert not snmp._pending


async def test_close_fails_outstanding_requests(agent: Agent) -> None:
    agent.drop = 10
    c = SnmpClient("127.0.0.1")
    await c.open()
    task = asyncio.create_task(c.get(target(agent, timeout=5), [SYS_DESCR]))
    await asyncio.sleep(0.05)
    await c.close()
    with pytest.raises(SnmpError, match="closed"):
        await task
    with pytest.raises(SnmpError, match="not open"):
        await c.get(target(agent), [SYS_DESCR])


# --------------------------------------------------------------------------- junk on the wire

async def test_malformed_and_mismatched_datagrams_are_dropped(agent: Agent,
                                                              snmp: SnmpClient) -> None:
    junk = await _udp(asyncio.DatagramProtocol(), "127.0.0.1")
    dest = ("127.0.0.1", snmp.local_port)
    junk.sendto(b"\x00garbage", dest)
    junk.sendto(b"\x30\x03\x02\x01", dest)
    await asyncio.sleep(0.05)
    junk.close()
    agent.rewrite = lambda m: replace(m, community=b"other")
    with pytest.raises(SnmpTimeout):
        await snmp.get(target(agent, timeout=0.1, retries=0), [SYS_DESCR])
    agent.rewrite = lambda m: replace(m, pdu_type=PduType.GET)
    with pytest.raises(SnmpTimeout):
        await snmp.get(target(agent, timeout=0.1, retries=0), [SYS_DESCR])
    assert (snmp.stats.malformed, snmp.stats.unmatched, snmp.stats.responses) == (2, 2, 0)


async def test_broken_body_with_valid_request_id_is_malformed(agent: Agent,
                                                              snmp: SnmpClient) -> None:
    name = ber.encode_oid(SYS_DESCR)
    agent.mangle = [lambda out: out.replace(name, b"\x04" + name[1:])]  # name not an OID
    vbs = await snmp.get(target(agent, timeout=0.1, retries=1), [SYS_DESCR])
    assert vbs[0][2] == b"test agent"
    assert (snmp.stats.malformed, snmp.stats.responses, snmp.stats.retries) == (1, 1, 1)


# --------------------------------------------------------------------------- error-status

async def test_too_big_halves_max_repetitions(agent: Agent, snmp: SnmpClient) -> None:
    agent.too_big_above = 5
    vbs = await snmp.walk(target(agent, max_repetitions=25), IF_IN_OCTETS)
    assert [v[2] for v in vbs] == [i * 1000 for i in range(1, 49)]
    reps = [r.error_index for r in agent.requests]
    assert reps[:4] == [25, 12, 6, 3] and set(reps[4:]) == {3}


async def test_timeouts_shrink_max_repetitions_twice_then_give_up(agent: Agent,
                                                                  snmp: SnmpClient) -> None:
    agent.silent_above = 10
    vbs = await snmp.walk(target(agent, max_repetitions=25, timeout=0.05, retries=0),
                          IF_IN_OCTETS)
    assert len(vbs) == 48
    assert [r.error_index for r in agent.requests][:3] == [25, 12, 6]
    agent.requests.clear()
    agent.silent_above = 2
    with pytest.raises(SnmpTimeout):
        await snmp.walk(target(agent, max_repetitions=25, timeout=0.05, retries=0),
                        IF_IN_OCTETS)
    assert [r.error_index for r in agent.requests] == [25, 12, 6]


async def test_too_big_at_one_repetition_raises(agent: Agent, snmp: SnmpClient) -> None:
    agent.too_big_above = 0
    with pytest.raises(SnmpProtocolError, match="tooBig") as info:
        await snmp.walk(target(agent, max_repetitions=4), IF_IN_OCTETS)
    assert info.value.error_status == 1
    assert [r.error_index for r in agent.requests] == [4, 2, 1]


async def test_error_status_raises_with_its_name(agent: Agent, snmp: SnmpClient) -> None:
    agent.rewrite = lambda m: replace(m, error_status=5, error_index=1)
    with pytest.raises(SnmpProtocolError, match="genErr"):
        await snmp.get(target(agent), [SYS_DESCR])
    with pytest.raises(SnmpProtocolError, match="genErr"):
        await snmp.walk(target(agent), IF_DESCR)
    with pytest.raises(SnmpProtocolError, match="genErr"):
        await snmp.walk(target(agent, version="1"), IF_DESCR)


async def test_v1_get_no_such_name_raises(agent: Agent, snmp: SnmpClient) -> None:
    agent.rewrite = lambda m: replace(m, error_status=2, error_index=1)
    with pytest.raises(SnmpProtocolError, match="noSuchName"):
        await snmp.get(target(agent, version="1"), [(1, 3, 6, 9)])


# --------------------------------------------------------------------------- walk edge cases

async def test_loop_detection(agent: Agent, snmp: SnmpClient) -> None:
    def stuck(m: Message) -> Message:  # always hands back the first row again
        return replace(m, varbinds=[((*IF_DESCR, 1), Tag.OCTET_STRING, b"eth1")] * 3)

    agent.rewrite = stuck
    with pytest.raises(SnmpProtocolError, match="not increasing"):
        await snmp.walk(target(agent), IF_DESCR)
    with pytest.raises(SnmpProtocolError, match="not increasing"):
        await snmp.walk(target(agent, version="1"), IF_DESCR)


async def test_walk_stops_on_exceptions_and_empty_responses(agent: Agent,
                                                           snmp: SnmpClient) -> None:
    agent.rewrite = lambda m: replace(m, varbinds=[((*IF_DESCR, 1), Tag.NO_SUCH_OBJECT, None)])
    assert await snmp.walk(target(agent), IF_DESCR) == []
    agent.rewrite = lambda m: replace(m, varbinds=[])
    with pytest.raises(SnmpProtocolError, match="empty"):
        await snmp.walk(target(agent), IF_DESCR)


async def test_walk_columns_of_different_lengths(agent: Agent, snmp: SnmpClient) -> None:
    if_type = (1, 3, 6, 1, 2, 1, 2, 2, 1, 3)
    absent = (1, 3, 6, 1, 2, 1, 2, 2, 1, 4)
    agent.mib.update({(*if_type, i): (Tag.INTEGER, 6) for i in range(2, 11)})
    agent.oids = sorted(agent.mib)
    cols = [IF_DESCR, if_type, absent, IF_HC_IN]
    got = await snmp.walk_columns(target(agent, max_repetitions=4), cols)
    assert list(got) == cols
    assert [len(got[c]) for c in cols] == [48, 10, 0, 48]
    assert got[IF_HC_IN][-1] == ((*IF_HC_IN, 48), Tag.COUNTER64, 2**64 - 48)
    widths = [len(r.varbinds) for r in agent.requests]
    assert widths[0] == 4 and widths[-1] == 2  # ended columns drop out of later requests
    assert got == await snmp.walk_columns(target(agent, version="1"), cols)


async def test_walk_columns_with_truncated_responses(agent: Agent, snmp: SnmpClient) -> None:
    agent.max_varbinds = 7  # partial last rows: 3 columns, 7 varbinds per response
    cols = [IF_DESCR, IF_IN_OCTETS, IF_HC_IN]
    got = await snmp.walk_columns(target(agent, max_repetitions=10), cols)
    assert [len(got[c]) for c in cols] == [48, 48, 48]
    assert [v[0][-1] for v in got[IF_IN_OCTETS]] == list(range(1, 49))


async def test_duplicate_columns_are_walked_once(agent: Agent, snmp: SnmpClient) -> None:
    got = await snmp.walk_columns(target(agent), [IF_DESCR, list(IF_DESCR)])  # type: ignore[list-item]
    assert list(got) == [IF_DESCR] and len(got[IF_DESCR]) == 48
    assert len(agent.requests[0].varbinds) == 1


# --------------------------------------------------------------------------- load

async def test_200_concurrent_gets(agent: Agent, snmp: SnmpClient) -> None:
    t = target(agent, timeout=2.0)
    results = await asyncio.gather(*(snmp.get(t, [(*IF_IN_OCTETS, i % 48 + 1)])
                                     for i in range(200)))
    assert [r[0][2] for r in results] == [(i % 48 + 1) * 1000 for i in range(200)]
    assert len({r.request_id for r in agent.requests}) == 200
    assert snmp.stats.responses == 200 and snmp.stats.retries == 0


async def test_concurrent_targets_share_one_socket(snmp: SnmpClient) -> None:
    agents = [Agent(build_mib(rows)) for rows in (3, 5, 8)]
    transports = [await _udp(a, "127.0.0.1") for a in agents]
    try:
        walks = await asyncio.gather(*(snmp.walk(target(a), IF_DESCR) for a in agents))
    finally:
        for tr in transports:
            tr.close()
    assert [len(w) for w in walks] == [3, 5, 8]


# --------------------------------------------------------------------------- secrets

async def test_community_never_in_repr_or_errors(agent: Agent, snmp: SnmpClient) -> None:
    t = target(agent, community=SECRET, timeout=0.05, retries=0)
    creds = V3Credentials("u", "SHA", "authsecret99", "AES", "privsecret99")
    t3 = SnmpTarget("127.0.0.1", 161, version="3", v3=creds)
    texts = [repr(t), str(t), repr(t3), str(t3), repr(creds)]
    agent.drop = 1
    with pytest.raises(SnmpTimeout) as timeout:
        await snmp.get(t, [SYS_DESCR])
    agent.rewrite = lambda m: replace(m, error_status=5)
    with pytest.raises(SnmpProtocolError) as proto:
        await snmp.get(t, [SYS_DESCR])
    texts += [str(timeout.value), repr(timeout.value), str(proto.value), repr(snmp.stats)]
    for text in texts:
        assert "s3cr3t" not in text and "secret99" not in text
    assert "127.0.0.1" in str(timeout.value)


def test_target_validation() -> None:
    for bad in [dict(address="router1"), dict(address="127.0.0.1", version="2"),
                dict(address="127.0.0.1", version="3"), dict(address="127.0.0.1", timeout=0),
                dict(address="127.0.0.1", max_repetitions=0)]:
        with pytest.raises(ValueError):  # noqa: PT011
            SnmpTarget(**bad)  # type: ignore[arg-type]
