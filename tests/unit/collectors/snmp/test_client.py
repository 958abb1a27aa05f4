"""SnmpClient against a tiny in-test agent built on ber.py (loopback UDP, no real snmpd)."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import replace

import pytest

from collectors.snmp import ber, client
from collectors.snmp.ber import PduType, Tag
from collectors.snmp.client import (
    SnmpClient,
    SnmpError,
    SnmpTarget,
    SnmpTimeout,
)
from tests.unit.collectors.snmp.fake_agent import (
    IF_DESCR,
    IF_HC_IN,
    SYS_DESCR,
    Agent,
    _udp,
    target,
)

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
