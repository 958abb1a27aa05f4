"""SnmpClient against a real net-snmp snmpd (v1, v2c, v3 USM), checked against net-snmp's CLI."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator

import pytest

from collectors.snmp.ber import Oid, Tag, VarBind
from collectors.snmp.client import (
    SnmpClient,
    SnmpError,
    SnmpTarget,
    SnmpTimeout,
)
from collectors.snmp.v3 import close_v3_engine
from tests.peers.snmpd import V3_USERS, SnmpdPeer, V3User, free_udp_port
from tests.peers.snmpd import snmpd_peer as snmpd_peer

pytestmark = pytest.mark.integration

SYS_DESCR: Oid = (1, 3, 6, 1, 2, 1, 1, 1, 0)
SYS_UPTIME: Oid = (1, 3, 6, 1, 2, 1, 1, 3, 0)
SYS_NAME: Oid = (1, 3, 6, 1, 2, 1, 1, 5, 0)
IF_TABLE = "1.3.6.1.2.1.2.2.1"
IF_X_TABLE = "1.3.6.1.2.1.31.1.1.1"
IF_COLUMNS: list[Oid] = [(1, 3, 6, 1, 2, 1, 2, 2, 1, c) for c in range(1, 23)]
IFX_COLUMNS: list[Oid] = [(1, 3, 6, 1, 2, 1, 31, 1, 1, 1, c) for c in range(1, 20)]
NUMERIC = ("Counter32: ", "Counter64: ", "Gauge32: ", "")  # values that move between walks


# --------------------------------------------------------------------------- helpers

def render(vb: VarBind) -> tuple[str, str]:
    """A varbind as ``snmpwalk -On -Ox -Ot -Oe`` prints it: (dotted OID, value text)."""
    oid, tag, value = vb
    text: str
    if tag == Tag.OCTET_STRING:
        assert isinstance(value, bytes)
        text = "Hex-STRING: " + " ".join(f"{b:02X}" for b in value) if value else '""'
    elif tag == Tag.IPADDRESS:
        assert isinstance(value, bytes)
        text = "IpAddress: " + ".".join(map(str, value))
    elif tag == Tag.OID:
        assert isinstance(value, tuple)
        text = "OID: ." + ".".join(map(str, value))
    else:
        prefix = {Tag.INTEGER: "INTEGER: ", Tag.COUNTER32: "Counter32: ", Tag.GAUGE32: "Gauge32: ",
                  Tag.COUNTER64: "Counter64: ", Tag.TIMETICKS: ""}[Tag(tag)]
        assert isinstance(value, int)
        text = f"{prefix}{value}"
    return "." + ".".join(map(str, oid)), text


def parse_walk(output: str) -> dict[str, str]:
    """``OID = value`` lines (long Hex-STRINGs wrap onto continuation lines), spaces collapsed."""
    out: dict[str, str] = {}
    oid = ""
    for line in output.splitlines():
        if line.startswith(".") and " = " in line:
            oid, value = line.split(" = ", 1)
            out[oid] = value
        elif oid:
            out[oid] += " " + line
    return {k: " ".join(v.split()) for k, v in out.items()}


def cli_walk(peer: SnmpdPeer, *roots: str, version: str = "-v2c") -> dict[str, str]:
    out: dict[str, str] = {}
    for root in roots:
        out |= parse_walk(peer.snmpwalk(root, version, "-Ox", "-Ot", "-Oe"))
    return out


def assert_same_walk(ours: dict[str, str], before: dict[str, str], after: dict[str, str]) -> None:
    """Equal to net-snmp's text, except counters that moved between the two CLI walks."""
    assert ours.keys() == before.keys() == after.keys()
    for oid, text in ours.items():
        if before[oid] == after[oid]:
            assert text == before[oid], oid
            continue
        prefix = next(p for p in NUMERIC if before[oid].startswith(p))
        assert text.startswith(prefix), (oid, text, before[oid])
        assert int(before[oid][len(prefix):]) <= int(text[len(prefix):]) \
            <= int(after[oid][len(prefix):]), (oid, text, before[oid], after[oid])


def rendered(columns: dict[Oid, list[VarBind]]) -> dict[str, str]:
    return dict(render(vb) for vbs in columns.values() for vb in vbs)


def v3_target(peer: SnmpdPeer, user: V3User, **kw: object) -> SnmpTarget:
    creds = user.credentials(**kw)  # type: ignore[arg-type]
    return SnmpTarget(peer.addresses[0], peer.port, version="3", v3=creds, timeout=1.0, retries=1)


@pytest.fixture
async def snmp() -> AsyncIterator[SnmpClient]:
    async with SnmpClient("127.0.0.1") as c:
        yield c
    close_v3_engine()


@pytest.fixture
def v2(snmpd_peer: SnmpdPeer) -> SnmpTarget:
    return SnmpTarget(snmpd_peer.addresses[0], snmpd_peer.port, timeout=1.0, retries=1)


# --------------------------------------------------------------------------- v1 / v2c

async def test_get_system_scalars(snmpd_peer: SnmpdPeer, snmp: SnmpClient,
                                  v2: SnmpTarget) -> None:
    (d_oid, d_tag, descr), (u_oid, u_tag, uptime), name = await snmp.get(
        v2, [SYS_DESCR, SYS_UPTIME, SYS_NAME])
    assert name == (SYS_NAME, Tag.OCTET_STRING, b"noc-test-agent")
    assert (d_oid, d_tag, u_oid, u_tag) == (SYS_DESCR, Tag.OCTET_STRING, SYS_UPTIME, Tag.TIMETICKS)
    cli = snmpd_peer.cli("snmpget", "-v2c", "-c", "public", "-On", "-Ox", "-Ot",
                         snmpd_peer.endpoint(), "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.3.0").stdout
    texts = parse_walk(cli)
    assert texts[".1.3.6.1.2.1.1.1.0"] == render((SYS_DESCR, Tag.OCTET_STRING, descr))[1]
    assert isinstance(uptime, int) and abs(int(texts[".1.3.6.1.2.1.1.3.0"]) - uptime) < 500


async def test_every_listening_address_answers(snmpd_peer: SnmpdPeer,
                                               snmp: SnmpClient) -> None:
    for address in snmpd_peer.addresses:
        t = SnmpTarget(address, snmpd_peer.port)
        assert (await snmp.get(t, [SYS_NAME]))[0][2] == b"noc-test-agent"


async def test_walk_if_tables_matches_snmpwalk(snmpd_peer: SnmpdPeer,
                                               snmp: SnmpClient, v2: SnmpTarget) -> None:
    before = cli_walk(snmpd_peer, IF_TABLE, IF_X_TABLE)
    ours = rendered(await snmp.walk_columns(v2, IF_COLUMNS + IFX_COLUMNS))
    after = cli_walk(snmpd_peer, IF_TABLE, IF_X_TABLE)
    assert len(ours) >= 22 * 2  # at least lo and one more interface
    assert_same_walk(ours, before, after)


async def test_walk_subtree_matches_snmpwalk(snmpd_peer: SnmpdPeer,
                                             snmp: SnmpClient, v2: SnmpTarget) -> None:
    for root in ("1.3.6.1.2.1.1", "1.3.6.1.2.1.4.20", IF_TABLE):
        before = cli_walk(snmpd_peer, root)
        ours = dict(map(render, await snmp.walk(v2, tuple(map(int, root.split("."))))))
        assert_same_walk(ours, before, cli_walk(snmpd_peer, root))


async def test_v1_walk_matches_snmpwalk(snmpd_peer: SnmpdPeer,
                                        snmp: SnmpClient) -> None:
    v1 = SnmpTarget(snmpd_peer.addresses[0], snmpd_peer.port, version="1")
    before = cli_walk(snmpd_peer, IF_TABLE, version="-v1")
    ours = rendered(await snmp.walk_columns(v1, IF_COLUMNS))
    assert_same_walk(ours, before, cli_walk(snmpd_peer, IF_TABLE, version="-v1"))
    # v1 cannot carry Counter64: the agent skips ifHCInOctets, the walk just ends
    assert await snmp.walk(v1, (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6)) == []
    # walking off the end of the MIB ends on noSuchName
    assert await snmp.walk(v1, (1, 3, 6, 1, 6, 3, 99)) == []


async def test_wrong_community_times_out_quickly(snmpd_peer: SnmpdPeer,
                                                 snmp: SnmpClient) -> None:
    bad = SnmpTarget(snmpd_peer.addresses[0], snmpd_peer.port, community=b"not-public",
                     timeout=0.2, retries=1)
    t0 = time.monotonic()
    with pytest.raises(SnmpTimeout) as info:
        await snmp.get(bad, [SYS_NAME])
    assert time.monotonic() - t0 < 0.4 + 0.5
    assert "not-public" not in str(info.value)


async def test_silent_address_does_not_delay_good_requests(snmpd_peer: SnmpdPeer,
                                                           snmp: SnmpClient,
                                                           v2: SnmpTarget) -> None:
    dead = SnmpTarget("127.0.0.9", free_udp_port("127.0.0.9"), timeout=0.5, retries=1)
    t0 = time.monotonic()
    slow = asyncio.create_task(snmp.get(dead, [SYS_NAME]))
    await asyncio.sleep(0)
    (_, _, name), = await snmp.get(v2, [SYS_NAME])
    assert name == b"noc-test-agent" and time.monotonic() - t0 < 0.25
    with pytest.raises(SnmpTimeout):
        await slow
    assert 1.0 <= time.monotonic() - t0 < 1.0 + 0.5


async def test_walk_cpu_time(snmp: SnmpClient, v2: SnmpTarget) -> None:
    """IfTable + ifXTable side by side: CPU per walk stays small (hot-path budget)."""
    columns = IF_COLUMNS + IFX_COLUMNS
    await snmp.walk_columns(v2, columns)  # warm caches
    samples = []
    for _ in range(7):
        t0 = time.process_time()
        await snmp.walk_columns(v2, columns)
        samples.append(time.process_time() - t0)
    assert statistics.median(samples) < 0.05  # a handful of interfaces here: ~1 ms measured


# --------------------------------------------------------------------------- v3

@pytest.mark.parametrize("user", V3_USERS, ids=[u.name for u in V3_USERS])
async def test_v3_get_for_every_auth_priv_pair(snmpd_peer: SnmpdPeer,
                                               snmp: SnmpClient, user: V3User) -> None:
    vbs = await snmp.get(v3_target(snmpd_peer, user), [SYS_NAME, SYS_UPTIME, (1, 3, 6, 1, 9, 9)])
    assert vbs[0] == (SYS_NAME, Tag.OCTET_STRING, b"noc-test-agent")
    assert vbs[1][:2] == (SYS_UPTIME, Tag.TIMETICKS) and isinstance(vbs[1][2], int)
    assert vbs[2] == ((1, 3, 6, 1, 9, 9), Tag.NO_SUCH_OBJECT, None)


async def test_v3_walk_matches_snmpwalk(snmpd_peer: SnmpdPeer,
                                        snmp: SnmpClient) -> None:
    t = v3_target(snmpd_peer, V3_USERS[2])
    before = cli_walk(snmpd_peer, IF_TABLE, IF_X_TABLE)
    ours = rendered(await snmp.walk_columns(t, IF_COLUMNS + IFX_COLUMNS))
    assert_same_walk(ours, before, cli_walk(snmpd_peer, IF_TABLE, IF_X_TABLE))
    system = await snmp.walk(t, (1, 3, 6, 1, 2, 1, 1))
    assert (SYS_NAME, Tag.OCTET_STRING, b"noc-test-agent") in system


@pytest.mark.parametrize("wrong", ["auth_key", "priv_key"])
async def test_v3_wrong_key_fails_without_hanging(snmpd_peer: SnmpdPeer,
                                                  snmp: SnmpClient, wrong: str) -> None:
    user = next(u for u in V3_USERS if u.name == "noc-sha-aes")
    t = SnmpTarget(snmpd_peer.addresses[0], snmpd_peer.port, version="3", timeout=0.3, retries=1,
                   v3=user.credentials(**{wrong: "definitely-wrong-key"}))
    t0 = time.monotonic()
    with pytest.raises(SnmpError) as info:
        await snmp.get(t, [SYS_NAME])
    assert time.monotonic() - t0 < 0.6 + 1.5
    assert "definitely-wrong" not in str(info.value)
    # the right key still works afterwards on the same engine
    assert (await snmp.get(v3_target(snmpd_peer, user), [SYS_NAME]))[0][2] == b"noc-test-agent"


async def test_v3_unknown_user_fails(snmpd_peer: SnmpdPeer, snmp: SnmpClient) -> None:
    t = v3_target(snmpd_peer, V3User("noc-nobody", "SHA", "AES"))
    with pytest.raises(SnmpError):
        await snmp.get(t, [SYS_NAME])
