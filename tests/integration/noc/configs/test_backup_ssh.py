"""Configuration backup against real SSH peers: fake-switches (Cisco-like) and OpenSSH sshd."""

from __future__ import annotations

import asyncio
import os
import pwd
from collections.abc import Iterator
from pathlib import Path

import pytest
from netmiko import ConnectHandler
from sqlalchemy.orm import Session, sessionmaker

from collectors.ssh import KnownHosts, SshCredentials, SshPool, SshTarget
from noc.configs import ConfigStore, backup_device
from noc.db import init_schema, make_engine, session_factory
from tests.peers.fakeswitch import FakeSwitchPeer
from tests.peers.sshd import SshdPeer

pytestmark = pytest.mark.integration


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ConfigStore]:
    engine = make_engine(f"sqlite:///{tmp_path / 'noc.sqlite3'}")
    init_schema(engine)
    sessions: sessionmaker[Session] = session_factory(engine)
    yield ConfigStore(tmp_path / "configs", sessions)
    engine.dispose()


@pytest.fixture(scope="module")
def switch() -> Iterator[FakeSwitchPeer]:
    with FakeSwitchPeer("q1-dist-sw1") as peer:
        yield peer


def _configure(switch: FakeSwitchPeer, commands: list[str]) -> str:
    """Change the simulated switch's running configuration the way a technician would."""
    conn = ConnectHandler(device_type="cisco_ios", host=switch.host, port=switch.port,
                          username=switch.username, password=switch.password, secret="",
                          allow_agent=False, use_keys=False)
    try:
        conn.enable()
        # the simulator knows no "end": leave interface and configuration mode with "exit"
        output = str(conn.send_config_set(commands, exit_config_mode=False))
        for _ in range(2):
            output += str(conn.send_command_timing("exit"))
        return output
    finally:
        conn.disconnect()


async def test_cisco_running_config_versions(switch: FakeSwitchPeer, store: ConfigStore,
                                             tmp_path: Path) -> None:
    known = KnownHosts(tmp_path / "known_hosts")
    known.trust(switch.host, switch.port)
    target = SshTarget("q1-dist-sw1", switch.host, "cisco_ios",
                       SshCredentials(switch.username, password=switch.password),
                       port=switch.port, timeout=30.0, enable=True)
    async with SshPool(known, max_workers=1) as pool:
        first = await backup_device(pool, target, store)
        assert first is not None and first.first and first.rev == 1
        assert "hostname q1-dist-sw1" in store.text("q1-dist-sw1", platform="cisco_ios")
        assert await backup_device(pool, target, store) is None  # unchanged: no version

        await asyncio.to_thread(_configure, switch, [
            "interface FastEthernet0/1", "description uplink to q2-core ward-7"])
        change = await backup_device(pool, target, store)
    assert change is not None and change.rev == 2 and not change.first
    assert "+ description uplink to q2-core ward-7" in change.diff
    assert change.lines_added >= 1
    assert switch.password not in change.diff
    assert [v.rev for v in store.versions("q1-dist-sw1")] == [1, 2]
    assert store.diff("q1-dist-sw1", platform="cisco_ios") == change.diff


@pytest.fixture(scope="module")
def sshd() -> Iterator[SshdPeer]:
    with SshdPeer() as peer:
        yield peer


def _write_user_file(peer: SshdPeer, name: str, text: str) -> None:
    """A file in the test user's home, owned by that user."""
    user = pwd.getpwnam(peer.user)
    path = Path(user.pw_dir) / name
    path.write_text(text)
    os.chown(path, user.pw_uid, user.pw_gid)


async def test_linux_file_backup_masks_secrets_in_diff(sshd: SshdPeer, store: ConfigStore,
                                                       tmp_path: Path) -> None:
    known = KnownHosts(tmp_path / "known_hosts")
    known.trust(sshd.host, sshd.port)
    target = SshTarget("q10-mon1", sshd.host, "linux",
                       SshCredentials(sshd.user, password=sshd.password), port=sshd.port)
    command = "cat ~/collector.conf"
    _write_user_file(sshd, "collector.conf",
                     "[snmp]\ncommunity = Lx-Old-Comm-71\ntimeout = 5\n")
    async with SshPool(known, max_workers=1) as pool:
        first = await backup_device(pool, target, store, command=command)
        assert first is not None and first.rev == 1
        assert await backup_device(pool, target, store, command=command) is None
        _write_user_file(sshd, "collector.conf",
                         "[snmp]\ncommunity = Lx-New-Comm-72\ntimeout = 10\n")
        change = await backup_device(pool, target, store, command=command)
    assert change is not None and change.rev == 2
    assert "-community = <masked>\n-timeout = 5\n+community = <masked>\n+timeout = 10\n" \
        in change.diff
    assert "Lx-Old-Comm-71" not in change.diff and "Lx-New-Comm-72" not in change.diff
    assert "Lx-New-Comm-72" in store.text("q10-mon1", masked=False)
