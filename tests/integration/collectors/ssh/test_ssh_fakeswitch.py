"""Network CLI path against fake-switches (a simulated Cisco switch over SSH)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.ssh import KnownHosts, SshCredentials, SshPool, SshTarget, parse_command
from tests.peers.fakeswitch import FakeSwitchPeer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def switch() -> Iterator[FakeSwitchPeer]:
    with FakeSwitchPeer("q1-dist-sw1") as peer:
        yield peer


async def test_show_version_from_simulated_cisco_parses(switch: FakeSwitchPeer,
                                                        tmp_path: Path) -> None:
    store = KnownHosts(tmp_path / "known_hosts")
    store.trust(switch.host, switch.port)
    target = SshTarget("q1-dist-sw1", switch.host, "cisco_ios",
                       # the simulator's command line sets no enable password: empty works
                       SshCredentials(switch.username, password=switch.password),
                       port=switch.port, timeout=30.0, enable=True)
    async with SshPool(store, max_workers=1) as pool:
        session = await pool.run(target, ["show version"])
    assert session.prompt.endswith("#")  # enable() reached privileged mode
    facts = parse_command("cisco_ios", "show version", session.outputs["show version"])
    assert facts.system.name == "q1-dist-sw1"
    assert facts.vendor == "Cisco"
    assert facts.firmware  # e.g. 15.0(2)SE
    assert switch.password not in repr(session)
