"""SSH collection against a real OpenSSH sshd on 127.0.0.1 (this host's own /proc data)."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.ssh import (
    HostKeyChangedError,
    HostKeyUnknownError,
    KnownHosts,
    SshAuthError,
    SshCredentials,
    SshPool,
    SshTarget,
    SshTimeoutError,
    collect_linux,
)
from tests.peers.sshd import SshdPeer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sshd() -> Iterator[SshdPeer]:
    with SshdPeer() as peer:
        yield peer


def _target(peer: SshdPeer, *, password: str | None = None, timeout: float = 20.0,
            name: str = "q10-mon1") -> SshTarget:
    creds = SshCredentials(peer.user, password=peer.password if password is None else password)
    return SshTarget(name, peer.host, "linux", creds, port=peer.port, timeout=timeout)


@pytest.fixture
def known_hosts(tmp_path: Path, sshd: SshdPeer) -> KnownHosts:
    store = KnownHosts(tmp_path / "ssh" / "known_hosts")
    store.trust(sshd.host, sshd.port)
    return store


def _proc_uptime() -> float:
    return float(Path("/proc/uptime").read_text().split()[0])


def _meminfo_kb(key: str) -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise AssertionError(key)


async def test_linux_facts_match_this_hosts_proc(sshd: SshdPeer, known_hosts: KnownHosts) -> None:
    async with SshPool(known_hosts, max_workers=2) as pool:
        facts = await collect_linux(pool, _target(sshd))
    assert facts.errors == []
    real_uptime = _proc_uptime()
    assert facts.uptime_seconds is not None
    assert abs(facts.uptime_seconds - real_uptime) < 30
    assert len(facts.load_average) == 3 and all(v >= 0 for v in facts.load_average)
    assert facts.memory is not None
    assert facts.memory.total_bytes == _meminfo_kb("MemTotal") * 1024
    assert 0 < facts.memory.used_bytes < facts.memory.total_bytes
    root = next(d for d in facts.disks if d.name == "/")
    stat = os.statvfs("/")
    assert root.total_bytes == pytest.approx(stat.f_blocks * stat.f_frsize, rel=0.01)
    assert facts.top_processes and facts.top_processes[0].pid > 0
    assert len(facts.top_processes) <= 10
    assert facts.processes is not None and facts.processes > 0


async def test_unknown_host_key_is_refused_until_trusted(sshd: SshdPeer, tmp_path: Path) -> None:
    store = KnownHosts(tmp_path / "known_hosts")
    async with SshPool(store, max_workers=1) as pool:
        with pytest.raises(HostKeyUnknownError) as refused:
            await pool.run(_target(sshd), ["true"])
        assert f"{sshd.host}:{sshd.port}" in str(refused.value)
        assert "SHA256:" in str(refused.value)
        assert not store.path.exists()  # polling never stores a key
        fingerprint = store.trust(sshd.host, sshd.port)
        assert fingerprint == refused.value.fingerprint
        out = await pool.run(_target(sshd), ["echo hello-metronet"])
    assert out.outputs["echo hello-metronet"].strip() == "hello-metronet"


async def test_changed_host_key_names_host_and_both_fingerprints(tmp_path: Path) -> None:
    with SshdPeer() as peer:
        store = KnownHosts(tmp_path / "known_hosts")
        old = store.trust(peer.host, peer.port)
        peer.rekey()
        async with SshPool(store, max_workers=1) as pool:
            with pytest.raises(HostKeyChangedError) as changed:
                await pool.run(_target(peer), ["true"])
        message = str(changed.value)
        assert f"{peer.host}:{peer.port}" in message
        assert old in message and changed.value.offered in message
        assert changed.value.offered != old
        with pytest.raises(HostKeyChangedError):
            store.trust(peer.host, peer.port)  # re-trusting needs an explicit replace
        assert store.trust(peer.host, peer.port, replace=True) == changed.value.offered


async def test_wrong_password_is_an_auth_error_without_the_password(
        sshd: SshdPeer, known_hosts: KnownHosts, caplog: pytest.LogCaptureFixture) -> None:
    wrong = "Wr0ng-Secret-Value-xyz"
    async with SshPool(known_hosts, max_workers=1) as pool:
        with pytest.raises(SshAuthError) as failed:
            await pool.run(_target(sshd, password=wrong), ["true"])
    message = str(failed.value)
    assert "authentication failed" in message and sshd.user in message
    assert wrong not in message and wrong not in repr(failed.value)
    assert wrong not in caplog.text and sshd.password not in caplog.text
    assert wrong not in repr(_target(sshd, password=wrong))


async def test_dead_device_times_out_without_blocking_others(
        sshd: SshdPeer, known_hosts: KnownHosts) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts TCP (backlog) but never speaks SSH
    try:
        dead = SshTarget("q9-dead-sw1", "127.0.0.1", "linux",
                         SshCredentials("noc", password="x"), port=silent.getsockname()[1],
                         timeout=2.0)
        async with SshPool(known_hosts, max_workers=2) as pool:
            started = time.monotonic()
            ticks = 0

            async def tick() -> None:
                nonlocal ticks
                while time.monotonic() - started < 1.5:
                    ticks += 1
                    await asyncio.sleep(0.05)

            results = await asyncio.gather(pool.run(dead, ["true"]),
                                           pool.run(_target(sshd), ["echo alive"]), tick(),
                                           return_exceptions=True)
            elapsed = time.monotonic() - started
    finally:
        silent.close()
    assert isinstance(results[0], SshTimeoutError), results[0]
    assert "q9-dead-sw1" in str(results[0])
    assert not isinstance(results[1], BaseException), results[1]
    assert results[1].outputs["echo alive"].strip() == "alive"
    assert elapsed < 8.0
    assert ticks >= 20  # the event loop kept running while both sessions were busy
