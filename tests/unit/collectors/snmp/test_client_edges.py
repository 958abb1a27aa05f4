"""SnmpClient error statuses, walk edge cases, load and secrets (in-test agent)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from collectors.snmp.ber import Message, Tag
from collectors.snmp.client import (
    SnmpClient,
    SnmpProtocolError,
    SnmpTarget,
    SnmpTimeout,
)
from collectors.snmp.v3 import V3Credentials
from tests.unit.collectors.snmp.fake_agent import (
    IF_DESCR,
    IF_HC_IN,
    IF_IN_OCTETS,
    SECRET,
    SYS_DESCR,
    Agent,
    _udp,
    build_mib,
    target,
)

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
