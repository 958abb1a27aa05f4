"""The ICMP monitor confirms an outage within one interval by re-probing only the silent.

Real fping on loopback; nftables (root) drops one address like a dead device.
With ``confirm_cycles: 2`` and a re-probe ``recheck_delay`` after the cycle,
the device is down after ONE cycle of the monitor; without the re-probe it
takes a second cycle. Addresses that answer are never probed twice.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from inventory.catalog import CatDevice
from noc.icmp_monitor import IcmpMonitor
from noc.lab.faults import Firewall
from noc.settings import IcmpSettings
from noc.state import State

pytestmark = pytest.mark.integration
DEAD, ALIVE = "127.61.0.1", "127.61.0.2"


def _device(name: str, address: str) -> CatDevice:
    return CatDevice(name, "Q7", "Q7", "workstation", address, 161, None, "icmp")


@pytest.fixture
def firewall() -> Iterator[Firewall]:
    if shutil.which("fping") is None or shutil.which("nft") is None or os.geteuid() != 0:
        pytest.fail("needs fping, nftables and root (make test installs and runs them)")
    wall = Firewall()
    try:
        wall.apply([DEAD])
        assert wall.enabled, "nftables refused the rule"
        yield wall
    finally:
        wall.close()


def _monitor(recheck: float) -> tuple[IcmpMonitor, State, list[list[str]]]:
    state = State()
    changed: list[list[str]] = []
    settings = IcmpSettings(interval=5, count=2, timeout_ms=300, confirm_cycles=2,
                            recheck_delay=recheck)
    monitor = IcmpMonitor(settings, state, on_change=changed.append)
    monitor.set_devices([_device("ws-dead", DEAD), _device("ws-alive", ALIVE)])
    return monitor, state, changed


async def test_one_cycle_and_a_recheck_confirm_the_outage(firewall: Firewall) -> None:
    monitor, state, _ = _monitor(recheck=0.5)
    await monitor.cycle()
    assert state.device("ws-dead").up is False and state.device("ws-dead").icmp_up is False
    assert state.device("ws-alive").up is True
    assert monitor.stats.rechecks == 1 and monitor.stats.cycles == 1


async def test_without_recheck_one_cycle_is_not_enough(firewall: Firewall) -> None:
    monitor, state, _ = _monitor(recheck=0)
    await monitor.cycle()
    assert state.device("ws-dead").icmp_up is not False  # one silent cycle proves nothing yet
    await monitor.cycle()
    assert state.device("ws-dead").icmp_up is False
    assert monitor.stats.rechecks == 0


async def test_nothing_silent_means_no_recheck(firewall: Firewall) -> None:
    firewall.apply([])
    monitor, state, _ = _monitor(recheck=0.5)
    await monitor.cycle()
    assert monitor.stats.rechecks == 0
    assert state.device("ws-dead").up is True
