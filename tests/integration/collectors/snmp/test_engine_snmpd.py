"""SNMPv3 engine discovery against a real net-snmp snmpd, checked against its own MIB objects.

The agent's SNMP-FRAMEWORK-MIB objects (snmpEngineID, snmpEngineBoots,
snmpEngineTime) are read over v2c from the same agent and must match what
the discovery REPORT said.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from collectors.snmp.ber import Oid
from collectors.snmp.client import SnmpClient, SnmpTarget
from collectors.snmp.engine import EngineInfo, EngineRegistry, discover_engine
from collectors.snmp.errors import SnmpTimeout
from tests.peers.snmpd import SnmpdPeer, free_udp_port
from tests.peers.snmpd import snmpd_peer as snmpd_peer

pytestmark = pytest.mark.integration

SNMP_ENGINE_ID: Oid = (1, 3, 6, 1, 6, 3, 10, 2, 1, 1, 0)
SNMP_ENGINE_BOOTS: Oid = (1, 3, 6, 1, 6, 3, 10, 2, 1, 2, 0)
SNMP_ENGINE_TIME: Oid = (1, 3, 6, 1, 6, 3, 10, 2, 1, 3, 0)


@pytest.fixture
async def client() -> AsyncIterator[SnmpClient]:
    async with SnmpClient("127.0.0.1") as snmp:
        yield snmp


async def engine_objects(client: SnmpClient, address: str, port: int) -> tuple[bytes, int, int]:
    """(snmpEngineID, snmpEngineBoots, snmpEngineTime) read over v2c."""
    varbinds = await client.get(SnmpTarget(address, port, timeout=2.0),
                                [SNMP_ENGINE_ID, SNMP_ENGINE_BOOTS, SNMP_ENGINE_TIME])
    engine_id, boots, engine_time = (value for _, _, value in varbinds)
    assert isinstance(engine_id, bytes)
    assert isinstance(boots, int) and isinstance(engine_time, int)
    return engine_id, boots, engine_time


async def test_discovery_matches_the_agents_own_engine_objects(snmpd_peer: SnmpdPeer,
                                                                client: SnmpClient) -> None:
    info = await discover_engine("127.0.0.1", snmpd_peer.port, timeout=2.0, retries=1)
    engine_id, boots, engine_time = await engine_objects(client, "127.0.0.1", snmpd_peer.port)
    assert info.engine_id == engine_id
    assert info.boots == boots >= 1
    assert abs(info.time - engine_time) <= 2
    assert info.unknown_engine_ids is not None and info.unknown_engine_ids >= 1
    assert info.discovered_at <= time.monotonic()


async def test_discovery_matches_net_snmp_cli(snmpd_peer: SnmpdPeer) -> None:
    out = snmpd_peer.cli("snmpget", "-v2c", "-c", "public", "-On", "-Ox",
                         snmpd_peer.endpoint(), ".1.3.6.1.6.3.10.2.1.1.0").stdout
    hex_text = out.split("Hex-STRING:", 1)[1]
    info = await discover_engine("127.0.0.1", snmpd_peer.port, timeout=2.0)
    assert info.engine_id == bytes.fromhex("".join(hex_text.split()))


async def test_two_addresses_of_one_agent_are_reported_as_a_duplicate_engine(
        snmpd_peer: SnmpdPeer) -> None:
    registry = EngineRegistry()
    for address in snmpd_peer.addresses:
        info = await discover_engine(address, snmpd_peer.port, timeout=2.0)
        registry.record(f"{address}:{snmpd_peer.port}", info)
    first = registry.get(f"127.0.0.1:{snmpd_peer.port}")
    assert first is not None
    assert registry.duplicates() == {
        first.engine_id.hex(): sorted(f"{a}:{snmpd_peer.port}" for a in snmpd_peer.addresses)}


async def test_restart_with_the_same_persistent_state_bumps_boots(
        tmp_path: Path, client: SnmpClient) -> None:
    # snmpd runs with -C (no default config files), which also skips its persistent
    # snmpd.conf; include it explicitly so engineBoots and oldEngineID survive restarts
    (tmp_path / "snmpd.conf").touch()
    persistent = [f"[snmp] persistentDir {tmp_path}", f"includeFile {tmp_path}/snmpd.conf"]
    infos: list[EngineInfo] = []
    for _ in range(2):
        with SnmpdPeer(("127.0.0.1",), v3_users=(), extra_config=persistent) as peer:
            infos.append(await discover_engine("127.0.0.1", peer.port, timeout=2.0))
            engine_id, boots, _ = await engine_objects(client, "127.0.0.1", peer.port)
            assert (infos[-1].engine_id, infos[-1].boots) == (engine_id, boots)
    before, after = infos
    assert after.engine_id == before.engine_id
    assert after.boots == before.boots + 1
    registry = EngineRegistry()
    assert not registry.record("lab-agent", before)
    verdict = registry.needs_resync("lab-agent", after.boots, after.time, now=after.discovered_at)
    assert verdict and verdict.rebooted
    assert f"boots {before.boots} -> {after.boots}" in verdict.reason
    assert registry.record("lab-agent", after).rebooted
    assert not registry.needs_resync("lab-agent", after.boots, after.time,
                                     now=after.discovered_at)


async def test_silent_port_times_out() -> None:
    with pytest.raises(SnmpTimeout, match="after 2 attempt"):
        await discover_engine("127.0.0.1", free_udp_port(), timeout=0.2, retries=1)
