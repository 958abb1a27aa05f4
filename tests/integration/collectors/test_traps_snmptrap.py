"""TrapReceiver against net-snmp's real snmptrap/snmpinform (v1, v2c, v3 USM) and the lab sender."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from collectors.snmp.v3 import V3Credentials
from collectors.traps import Trap, TrapReceiver
from noc.lab.traps import encode_v2c_trap, send_datagram, send_link_trap

pytestmark = pytest.mark.integration

COMMUNITY = "noc-trap-comm"
USERS = [V3Credentials("noc-aes", "SHA", "trapauth123", "AES", "trappriv123"),
         V3Credentials("noc-md5", "MD5", "trapauth456", "", ""),
         V3Credentials("noc-des", "SHA256", "trapauth789", "DES", "trappriv789")]
ENGINE = "0x80001f8880c0ffee01"
LINK_DOWN, LINK_UP = "1.3.6.1.6.3.1.1.5.3", "1.3.6.1.6.3.1.1.5.4"
COLD, WARM, AUTH = "1.3.6.1.6.3.1.1.5.1", "1.3.6.1.6.3.1.1.5.2", "1.3.6.1.6.3.1.1.5.5"
IF_VARBINDS = ["1.3.6.1.2.1.2.2.1.1.4", "i", "4", "1.3.6.1.2.1.2.2.1.2.4", "s", "Gi0/4"]


class Peer:
    """A started receiver, what it delivered, and net-snmp's command-line senders."""

    def __init__(self, receiver: TrapReceiver, got: list[Trap], tmp: Path) -> None:
        self.receiver = receiver
        self.got = got
        self.target = f"127.0.0.1:{receiver.bound_port}"
        self.env = {**os.environ, "SNMP_PERSISTENT_DIR": str(tmp), "SNMPCONFPATH": str(tmp),
                    "MIBS": ""}

    async def run(self, tool: str, *args: str) -> int:
        proc = await asyncio.create_subprocess_exec(
            tool, "-m", "", "-On", *args, env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(proc.communicate(), 10)
        assert proc.returncode is not None
        if proc.returncode:
            print(err.decode(errors="replace"))
        return proc.returncode

    async def v2c(self, oid: str, *varbinds: str, community: str = COMMUNITY) -> None:
        assert await self.run("snmptrap", "-v2c", "-c", community, self.target, "", oid,
                              *varbinds) == 0

    async def v1(self, enterprise: str, generic: int, specific: int, *varbinds: str) -> None:
        assert await self.run("snmptrap", "-v1", "-c", COMMUNITY, self.target, enterprise,
                              "127.0.0.9", str(generic), str(specific), "", *varbinds) == 0

    async def v3(self, *security: str, oid: str = COLD) -> None:
        assert await self.run("snmptrap", "-v3", "-e", ENGINE, *security, self.target, "",
                              oid, *IF_VARBINDS) == 0

    async def wait(self, predicate: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 5.0
        while not predicate():
            assert time.monotonic() < deadline, f"timed out; stats {self.receiver.stats}"
            await asyncio.sleep(0.01)

    async def traps(self, count: int) -> list[Trap]:
        """The first ``count`` traps delivered (waiting for them)."""
        await self.wait(lambda: len(self.got) >= count)
        return self.got[:count]


@pytest.fixture
async def peer(tmp_path: Path) -> AsyncIterator[Peer]:
    got: list[Trap] = []
    receiver = TrapReceiver([COMMUNITY.encode(), b"public"], USERS, on_trap=got.append)
    await receiver.start("127.0.0.1", 0)
    try:
        yield Peer(receiver, got, tmp_path)
    finally:
        await receiver.stop()


async def test_v1_generic_and_enterprise_specific_traps(peer: Peer) -> None:
    await peer.v1("1.3.6.1.4.1.8072.3.2.10", 2, 0, *IF_VARBINDS)
    await peer.v1("1.3.6.1.4.1.8072.3.2.10", 0, 0)
    await peer.v1("1.3.6.1.4.1.318", 6, 5)
    down, cold, ups = await peer.traps(3)
    assert (down.version, down.trap_oid, down.kind, down.if_index) == ("1", LINK_DOWN,
                                                                       "link_down", 4)
    assert down.summary() == "linkDown ifIndex 4 (Gi0/4)"
    assert down.agent_address == "127.0.0.9" and down.enterprise == "1.3.6.1.4.1.8072.3.2.10"
    assert (cold.trap_oid, cold.kind) == (COLD, "cold_start")
    assert (ups.trap_oid, ups.name, ups.kind) == ("1.3.6.1.4.1.318.0.5", "upsOnBattery",
                                                  "vendor")
    assert all(t.source == "127.0.0.1" for t in (down, cold, ups))


async def test_v2c_traps_are_classified(peer: Peer) -> None:
    await peer.v2c(LINK_DOWN, *IF_VARBINDS)
    await peer.v2c(LINK_UP, *IF_VARBINDS)
    await peer.v2c(COLD)
    await peer.v2c(WARM)
    await peer.v2c(AUTH)
    await peer.v2c("1.3.6.1.2.1.47.2.0.1")
    await peer.v2c("1.3.6.1.4.1.9.9.13.3.0.4", "1.3.6.1.4.1.9.9.13.1.4.1.2.1", "s", "Fan 1",
                   "1.3.6.1.4.1.9.9.13.1.4.1.3.1", "i", "3")
    await peer.v2c("1.3.6.1.4.1.99999.0.42", "1.3.6.1.4.1.99999.1", "s", "mystery")
    traps = await peer.traps(8)
    assert [t.kind for t in traps] == ["link_down", "link_up", "cold_start", "warm_start",
                                       "auth_failure", "entity", "vendor", "unknown"]
    assert traps[1].clears and traps[1].if_index == 4
    fan = traps[6]
    assert (fan.name, fan.severity, fan.clears) == ("ciscoEnvMonFanNotification", "critical",
                                                    False)
    assert fan.summary() == "ciscoEnvMonFanNotification: Fan 1"
    unknown = traps[7]
    assert (unknown.name, unknown.trap_oid) == ("", "1.3.6.1.4.1.99999.0.42")
    assert unknown.varbinds == (("1.3.6.1.4.1.99999.1", "mystery"),)
    assert peer.receiver.stats.by_kind["unknown"] == 1
    assert all(t.version == "2c" and t.uptime_ticks is not None for t in traps)


async def test_v3_auth_priv_and_auth_no_priv(peer: Peer) -> None:
    await peer.v3("-l", "authPriv", "-u", "noc-aes", "-a", "SHA", "-A", "trapauth123",
                  "-x", "AES", "-X", "trappriv123", oid=LINK_DOWN)
    await peer.v3("-l", "authNoPriv", "-u", "noc-md5", "-a", "MD5", "-A", "trapauth456")
    await peer.v3("-l", "authPriv", "-u", "noc-des", "-a", "SHA-256", "-A", "trapauth789",
                  "-x", "DES", "-X", "trappriv789", oid=WARM)
    aes, md5, des = await peer.traps(3)
    assert (aes.version, aes.user, aes.kind, aes.if_index) == ("3", "noc-aes", "link_down", 4)
    assert (md5.user, md5.kind) == ("noc-md5", "cold_start")
    assert (des.user, des.kind) == ("noc-des", "warm_start")


async def test_wrong_community_and_wrong_v3_key_are_bad_auth(peer: Peer) -> None:
    await peer.v2c(COLD, community="guessed")
    await peer.v3("-l", "authPriv", "-u", "noc-aes", "-a", "SHA", "-A", "not-the-key",
                  "-x", "AES", "-X", "trappriv123")
    await peer.v3("-l", "authNoPriv", "-u", "stranger", "-a", "MD5", "-A", "whatever1")
    await peer.wait(lambda: peer.receiver.stats.bad_auth == 3)
    await peer.v2c(WARM)  # the receiver still works and the good one still passes
    [trap] = await peer.traps(1)
    assert trap.kind == "warm_start"
    assert peer.receiver.stats.accepted == 1 and peer.got == [trap]


async def test_v2c_inform_is_acknowledged(peer: Peer) -> None:
    code = await peer.run("snmpinform", "-v2c", "-c", COMMUNITY, "-r", "0", "-t", "3",
                          peer.target, "", WARM)
    assert code == 0  # snmpinform exits non-zero when no Response comes back
    [trap] = await peer.traps(1)
    assert trap.kind == "warm_start"


def _flood(port: int, count: int) -> None:
    message = encode_v2c_trap(COMMUNITY.encode(), COLD, 1, [])
    other = encode_v2c_trap(COMMUNITY.encode(), WARM, 1, [])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as flood, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as quiet:
        flood.bind(("127.0.0.1", 0))
        quiet.bind(("127.0.0.2", 0))
        for i in range(count):
            flood.sendto(message, ("127.0.0.1", port))
            if i == count // 2:
                quiet.sendto(other, ("127.0.0.1", port))


async def test_flood_is_rate_limited_and_other_sources_still_get_through(peer: Peer) -> None:
    started = time.monotonic()
    await asyncio.to_thread(_flood, peer.receiver.bound_port, 3000)
    elapsed = time.monotonic() - started
    await peer.wait(lambda: any(t.source == "127.0.0.2" for t in peer.got))
    await asyncio.sleep(0.1)  # let the rest of the flood drain
    stats = peer.receiver.stats
    from_flood = sum(1 for t in peer.got if t.source == "127.0.0.1")
    assert from_flood <= 200 + 50 * (elapsed + 0.5) + 1
    assert stats.rate_limited >= stats.received - from_flood - 1 > 1000
    assert stats.drops == stats.rate_limited and stats.accepted == from_flood + 1
    assert [t.kind for t in peer.got if t.source == "127.0.0.2"] == ["warm_start"]


async def test_lab_link_trap_comes_from_the_device_address(peer: Peer) -> None:
    send_link_trap("127.0.0.77", ("127.0.0.1", peer.receiver.bound_port), COMMUNITY.encode(),
                   up=False, if_index=7, if_name="ge-0/0/7", uptime_ticks=4200)
    [trap] = await peer.traps(1)
    assert (trap.source, trap.kind, trap.if_index) == ("127.0.0.77", "link_down", 7)
    assert trap.summary() == "linkDown ifIndex 7 (ge-0/0/7)"
    assert trap.uptime_ticks == 4200


def test_lab_sender_never_raises_on_network_errors() -> None:
    assert not send_datagram("192.0.2.1", ("127.0.0.1", 9), b"x")  # address not ours
    assert not send_datagram("127.0.0.1", ("127.0.0.1", 0), b"x")  # port 0
    send_link_trap("192.0.2.1", ("127.0.0.1", 9), b"c", True, 1, "x", 1)
