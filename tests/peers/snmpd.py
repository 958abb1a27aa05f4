"""A real net-snmp ``snmpd`` for tests: its own config and state in a temp dir, loopback only.

Use :class:`SnmpdPeer` as a context manager (or ``start()``/``stop()``), or the
session-scoped :func:`snmpd_peer` fixture::

    from tests.peers.snmpd import snmpd_peer  # noqa: F401

The agent serves this host's real MIB-2 data (system, ifTable, ifXTable...)
with community ``public`` (read-only, 127.0.0.0/8) and one authPriv user per
auth/priv pair in :data:`V3_USERS` (plus an authNoPriv and a noAuthNoPriv
user). A missing or silent snmpd raises :class:`RuntimeError` with the
agent's log: tests that need the peer fail, they never skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import pytest

from noc.procs import stop_process

if TYPE_CHECKING:
    from collectors.snmp.v3 import V3Credentials

AUTH_KEY = "noc-auth-passphrase"
PRIV_KEY = "noc-priv-passphrase"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
_SEARCH_PATH = os.pathsep.join((os.environ.get("PATH", ""), "/usr/sbin", "/sbin", "/usr/bin"))


@dataclass(frozen=True, slots=True)
class V3User:
    """A USM user of the peer; protocols spelled as net-snmp spells them ("" = none)."""

    name: str
    auth: str
    priv: str

    @property
    def level(self) -> str:
        """The net-snmp security level of the user (for ``rouser``)."""
        return "priv" if self.priv else "auth" if self.auth else "noauth"

    def config_lines(self) -> list[str]:
        """``createUser`` and ``rouser`` lines for snmpd.conf."""
        create = f"createUser {self.name}"
        if self.auth:
            create += f' {self.auth} "{AUTH_KEY}"'
        if self.priv:
            create += f' {self.priv} "{PRIV_KEY}"'
        return [create, f"rouser {self.name} {self.level}"]

    def credentials(self, *, auth_key: str = AUTH_KEY, priv_key: str = PRIV_KEY) -> V3Credentials:
        """Matching :class:`~collectors.snmp.v3.V3Credentials` (override keys to test bad ones)."""
        from collectors.snmp.v3 import V3Credentials

        priv = self.priv.replace("-C", "C")  # net-snmp AES-256-C == our AES256C (Cisco/Reeder)
        return V3Credentials(self.name, self.auth, auth_key if self.auth else "",
                             priv, priv_key if self.priv else "")


#: Every auth/priv pair net-snmp 5.9 on Debian 12 supports that we test.
V3_USERS: tuple[V3User, ...] = (
    V3User("noc-md5-des", "MD5", "DES"),
    V3User("noc-sha-des", "SHA", "DES"),
    V3User("noc-sha-aes", "SHA", "AES"),
    V3User("noc-md5-aes", "MD5", "AES"),
    V3User("noc-sha224-aes", "SHA-224", "AES"),
    V3User("noc-sha256-aes", "SHA-256", "AES"),
    V3User("noc-sha384-aes", "SHA-384", "AES"),
    V3User("noc-sha512-aes", "SHA-512", "AES"),
    V3User("noc-sha-aes192", "SHA", "AES-192"),  # needs key extension (Blumenthal)
    V3User("noc-sha-aes256", "SHA", "AES-256"),
    V3User("noc-sha256-aes256", "SHA-256", "AES-256"),
    V3User("noc-sha512-aes192", "SHA-512", "AES-192"),
    V3User("noc-md5-aes192c", "MD5", "AES-192-C"),  # Cisco (Reeder) key extension
    V3User("noc-sha-aes256c", "SHA", "AES-256-C"),
    V3User("noc-sha-authnopriv", "SHA", ""),
    V3User("noc-noauth", "", ""),
)


def free_udp_port(address: str = "127.0.0.1") -> int:
    """A UDP port free on ``address`` right now (bind to port 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


class SnmpdPeer:
    """One snmpd process listening on ``addresses`` (127.x.y.z) at one free UDP port."""

    def __init__(self, addresses: Sequence[str] = ("127.0.0.1",), *,
                 v3_users: Sequence[V3User] = V3_USERS, extra_config: Sequence[str] = (),
                 startup_timeout: float = 10.0) -> None:
        if not addresses or not all(a.startswith("127.") for a in addresses):
            raise ValueError("SnmpdPeer listens on loopback (127.x.y.z) addresses only")
        self.addresses = tuple(addresses)
        self.v3_users = tuple(v3_users)
        self.extra_config = tuple(extra_config)
        self.startup_timeout = startup_timeout
        self.port = 0
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    # ------------------------------------------------------------------ paths and env
    @property
    def directory(self) -> Path:
        """The peer's temp dir (config, pid file, log, persistent state)."""
        if self._tmp is None:
            raise RuntimeError("snmpd peer is not started")
        return Path(self._tmp.name)

    @property
    def log_path(self) -> Path:
        """The file snmpd writes its log (stdout and stderr) to."""
        return self.directory / "snmpd.log"

    @property
    def pid(self) -> int:
        """The snmpd process id."""
        if self._proc is None:
            raise RuntimeError("snmpd peer is not started")
        return self._proc.pid

    def env(self) -> dict[str, str]:
        """Environment for snmpd and the net-snmp CLI tools (no MIBs, private state dir)."""
        return {**os.environ, "MIBS": "", "SNMP_PERSISTENT_DIR": str(self.directory / "persist")}

    def endpoint(self, address: str | None = None) -> str:
        """``ADDR:PORT`` for the CLI tools."""
        return f"{address or self.addresses[0]}:{self.port}"

    def log(self) -> str:
        """What snmpd has logged so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> SnmpdPeer:
        """Write the config, start snmpd, wait until it answers; RuntimeError otherwise."""
        snmpd = shutil.which("snmpd", path=_SEARCH_PATH)
        if snmpd is None or shutil.which("snmpget", path=_SEARCH_PATH) is None:
            raise RuntimeError("net-snmp is not installed: apt-get install snmp snmpd")
        self._tmp = tempfile.TemporaryDirectory(prefix="noc-snmpd-")
        (self.directory / "persist").mkdir()
        for attempt in range(3):  # a port picked at run time can be taken before snmpd binds it
            self.port = free_udp_port(self.addresses[0])
            self._write_config()
            with self.log_path.open("wb") as log:
                self._proc = subprocess.Popen(
                    [snmpd, "-f", "-Lo", "-C", "-c", str(self.directory / "snmpd.conf"),
                     "-p", str(self.directory / "snmpd.pid"), "-m", "", "-I", "-smux"],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    env=self.env())
            if self._wait_ready():
                return self
            log_text = self.log()
            self._terminate()
            if attempt == 2 or "Error opening specified endpoint" not in log_text:
                self._cleanup()
                raise RuntimeError(f"snmpd did not come up on {self.addresses} port "
                                   f"{self.port}; its log:\n{log_text}")
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """Stop snmpd (by PID) and remove the temp dir."""
        self._terminate()
        self._cleanup()

    def __enter__(self) -> SnmpdPeer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _write_config(self) -> None:
        listen = ",".join(f"udp:{a}:{self.port}" for a in self.addresses)
        lines = [f"[snmp] persistentDir {self.directory / 'persist'}",
                 f"agentAddress {listen}", "rocommunity public 127.0.0.0/8", "master no",
                 "dontLogTCPWrappersConnects yes", "sysName noc-test-agent",
                 "sysLocation Metronet test rack", "sysContact noc@example.invalid"]
        for user in self.v3_users:
            lines += user.config_lines()
        lines += self.extra_config
        (self.directory / "snmpd.conf").write_text("\n".join(lines) + "\n")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + self.startup_timeout
        pending = list(self.addresses)
        while pending and time.monotonic() < deadline:
            if self._proc is None or self._proc.poll() is not None:
                return False
            probe = self.cli("snmpget", "-v2c", "-c", "public", "-On", "-t", "0.2", "-r", "0",
                             self.endpoint(pending[0]), SYS_UPTIME, check=False)
            if probe.returncode == 0:
                pending.pop(0)
            else:
                time.sleep(0.05)
        return not pending

    def _terminate(self) -> None:
        proc, self._proc = self._proc, None
        stop_process(proc, 5.0)

    def _cleanup(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # ------------------------------------------------------------------ CLI tools
    def cli(self, tool: str, *args: str, check: bool = True,
            timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
        """Run a net-snmp CLI tool (``snmpget``, ``snmpwalk``...) with ``-m ''`` and our env."""
        path = shutil.which(tool, path=_SEARCH_PATH) or tool
        return subprocess.run([path, "-m", "", *args], capture_output=True, text=True,
                              env=self.env(), check=check, timeout=timeout)

    def snmpwalk(self, oid: str, *options: str, address: str | None = None) -> str:
        """``snmpwalk -v2c -c public -On`` output (options such as ``-v1`` override)."""
        version = () if any(o.startswith("-v") for o in options) else ("-v2c",)
        return self.cli("snmpwalk", *version, "-c", "public", "-On", *options,
                        self.endpoint(address), oid).stdout


@pytest.fixture(scope="session")
def snmpd_peer() -> Iterator[SnmpdPeer]:
    """A session-wide snmpd on 127.0.0.1 and 127.0.0.2 (same port)."""
    with SnmpdPeer(("127.0.0.1", "127.0.0.2")) as peer:
        yield peer
