"""Real fping on loopback: 500 targets per cycle, nftables outages, and the lab.

Every 127.x.y.z answers ping; :class:`noc.lab.faults.Firewall` (root, nftables,
input hook) makes chosen addresses time out like a real outage. Only
127.0.0.0/8 addresses are used.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.icmp import FpingOptions, FpingRunner, ReachabilityTracker, Transition
from collectors.snmp.ber import Oid
from collectors.snmp.client import SnmpClient, SnmpTarget
from collectors.snmp.errors import SnmpTimeout
from noc.lab.control import request
from noc.lab.faults import Firewall, unreachable
from noc.lab.process import LabProcess
from noc.lab.topology import build_topology
from tests.helpers import free_udp_port

pytestmark = pytest.mark.integration

SYS_UPTIME: Oid = (1, 3, 6, 1, 2, 1, 1, 3, 0)
INTERVAL = 2.0  # seconds between cycle starts (10 s in production)
CONFIRM = 2
FAST = FpingOptions(count=3, period_ms=200, timeout_ms=500, interval_ms=1.0, deadline_s=4.0)
# the tracker's bound: confirm_cycles * interval + one cycle's deadline
DOWN_WITHIN = CONFIRM * INTERVAL + FAST.deadline_s


def _need_root_nft() -> None:
    if shutil.which("fping") is None:
        pytest.fail("fping is not installed (apt-get install fping)")
    if os.geteuid() != 0 or shutil.which("nft") is None:
        pytest.fail("these tests need root and nftables to make addresses unreachable")


@pytest.fixture
def firewall() -> Iterator[Firewall]:
    _need_root_nft()
    wall = Firewall()
    try:
        yield wall
    finally:
        wall.close()


async def _cycles_until(runner: FpingRunner, tracker: ReachabilityTracker,
                        addresses: list[str], done: set[str], state: str,
                        limit: float) -> list[Transition]:
    """Cycles every INTERVAL s until every address of ``done`` is in ``state`` (or ``limit``)."""
    changes: list[Transition] = []
    began = time.monotonic()
    while time.monotonic() - began < limit:
        started = time.monotonic()
        samples = await runner.cycle(addresses)
        changes += tracker.update(samples, time.time())
        if all(tracker.state(a) == state for a in done):
            break
        await asyncio.sleep(max(0.0, INTERVAL - (time.monotonic() - started)))
    return changes


async def test_one_process_answers_500_loopback_addresses():
    _need_root_nft()
    addresses = [f"127.41.{i // 250}.{i % 250 + 1}" for i in range(500)]
    runner = FpingRunner(FpingOptions(count=3, period_ms=100, timeout_ms=500, interval_ms=0.5,
                                      chunk_size=1000, deadline_s=5.0))
    samples = await runner.cycle(addresses)
    assert runner.last.processes == 1
    assert runner.last.overran == 0
    assert runner.last.errors == []
    assert set(samples) == set(addresses)
    assert all(s.sent == 3 and s.received == 3 and s.complete for s in samples.values())
    assert all(s.rtt_max_ms is not None and s.rtt_max_ms < 100 for s in samples.values())
    assert runner.last.duration < 5.0


async def test_dropped_addresses_go_down_within_budget_and_come_back(firewall: Firewall):
    addresses = [f"127.42.0.{i}" for i in range(1, 201)]
    dropped = {"127.42.0.7", "127.42.0.50", "127.42.0.51", "127.42.0.199"}
    runner = FpingRunner(FAST)
    tracker = ReachabilityTracker(confirm_cycles=CONFIRM, stale_after=60.0)
    await _cycles_until(runner, tracker, addresses, set(addresses), "up", 10.0)
    assert set(tracker.states().values()) == {"up"}

    firewall.apply(dropped)
    assert firewall.enabled, "nftables refused the rule"
    t0 = time.time()
    changes = await _cycles_until(runner, tracker, addresses, dropped, "down",
                                  DOWN_WITHIN + INTERVAL)
    down = {c.address: c for c in changes if c.new == "down"}
    assert set(down) == dropped
    assert {a for a, s in tracker.states().items() if s != "up"} == dropped
    slowest = max(c.at for c in down.values()) - t0
    assert slowest <= DOWN_WITHIN
    assert all(c.reason == "no reply to 6 probes in 2 consecutive cycles"
               for c in down.values())

    firewall.apply([])
    healed = time.time()
    changes = await _cycles_until(runner, tracker, addresses, dropped, "up", 3 * INTERVAL)
    up = {c.address for c in changes if c.new == "up"}
    assert up == dropped
    assert all(c.at - healed <= INTERVAL + FAST.deadline_s for c in changes)


# --------------------------------------------------------------------------- the lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    _need_root_nft()
    data_dir = tmp_path_factory.mktemp("icmp-lab")
    port = free_udp_port(("127.20.0.1", "127.21.1.1", "127.22.1.1", "127.23.0.1"))
    proc = LabProcess("small", port, data_dir)
    proc.start()
    try:
        yield data_dir, port
    finally:
        proc.stop()


async def _snmp_silent(addresses: list[str], port: int) -> set[str]:
    """Addresses whose sysUpTime.0 GET times out."""
    async with SnmpClient("127.0.0.1") as client:
        async def one(address: str) -> str | None:
            target = SnmpTarget(address, port, community=b"public", timeout=0.5, retries=1)
            try:
                await client.get(target, [SYS_UPTIME])
            except SnmpTimeout:
                return address
            return None

        return {a for a in await asyncio.gather(*(one(a) for a in addresses)) if a}


async def test_lab_break_is_seen_alike_by_icmp_and_snmp(lab: tuple[Path, int]):
    data_dir, port = lab
    topo = build_topology("small")
    target = "q1-sw1"
    cut = unreachable(topo, {target})
    address_of = {d.name: d.address for d in topo.devices}
    everything = sorted(address_of.values())
    snmp_v2c = sorted(d.address for d in topo.devices if d.snmp and d.snmp_version == "2c")
    expected = {address_of[name] for name in cut}
    assert any(not topo.device(n).snmp for n in cut) and any(topo.device(n).snmp for n in cut)

    runner = FpingRunner(FAST)
    tracker = ReachabilityTracker(confirm_cycles=CONFIRM)
    await _cycles_until(runner, tracker, everything, set(everything), "up", 10.0)
    assert set(tracker.states().values()) == {"up"}
    assert await _snmp_silent(snmp_v2c, port) == set()

    reply = await asyncio.to_thread(request, data_dir, {"op": "break", "target": target})
    assert reply["ok"] and reply["firewall"], reply
    assert reply["unreachable"] == len(cut)
    try:
        await _cycles_until(runner, tracker, everything, expected, "down", DOWN_WITHIN + INTERVAL)
        icmp_down = {a for a, s in tracker.states().items() if s == "down"}
        snmp_down = await _snmp_silent(snmp_v2c, port)
        assert icmp_down == expected
        assert snmp_down == expected & set(snmp_v2c)
        assert snmp_down  # the break cut off SNMP devices too
    finally:
        await asyncio.to_thread(request, data_dir, {"op": "heal"})
    await _cycles_until(runner, tracker, everything, expected, "up", 3 * INTERVAL)
    assert {a for a, s in tracker.states().items() if s != "up"} == set()
    assert await _snmp_silent(snmp_v2c, port) == set()
