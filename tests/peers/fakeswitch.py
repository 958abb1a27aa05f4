"""fake-switches (a Cisco-like switch simulator speaking SSH) as a test peer.

Runs ``VENV/bin/fake-switches --model cisco_generic`` from its own venv (made
by ``scripts/ensure-fake-switches.sh``; default ``.venv-fakeswitches`` at the
repository root) on a free 127.0.0.1 port, waits for the SSH banner, stops it
by PID. RuntimeError with its log when it is missing or does not come up.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from noc.procs import stop_process
from tests.helpers import free_tcp_port

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VENV = ROOT / ".venv-fakeswitches"


class FakeSwitchPeer:
    """One simulated ``cisco_generic`` switch called ``hostname``."""

    def __init__(self, hostname: str = "q1-dist-sw1", *, username: str = "noc",
                 password: str = "Sw-test-pass-42", venv: Path | None = None,
                 startup_timeout: float = 20.0) -> None:
        self.hostname = hostname
        self.username = username
        self.password = password
        self.venv = venv or Path(os.environ.get("NOC_FAKESWITCHES_VENV", DEFAULT_VENV))
        self.host = "127.0.0.1"
        self.port = 0
        self.startup_timeout = startup_timeout
        self._log: tempfile._TemporaryFileWrapper[bytes] | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    def log(self) -> str:
        """What fake-switches printed so far."""
        if self._log is None:
            return "(no log)"
        return Path(self._log.name).read_text(errors="replace")

    def start(self) -> FakeSwitchPeer:
        """Start the simulator and wait until it sends an SSH banner."""
        exe = self.venv / "bin" / "fake-switches"
        if not exe.exists():
            raise RuntimeError(f"{exe} missing: run scripts/ensure-fake-switches.sh {self.venv}")
        self.port = free_tcp_port()
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - lives until stop()
            prefix="noc-fakeswitch-", suffix=".log")
        self._proc = subprocess.Popen(
            [str(exe), "--model", "cisco_generic", "--hostname", self.hostname,
             "--username", self.username, "--password", self.password,
             "--listen-host", self.host, "--listen-port", str(self.port)],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline and self._proc.poll() is None:
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    if sock.recv(64).startswith(b"SSH-"):
                        return self
            except OSError:
                time.sleep(0.1)
        log = self.log()
        self.stop()
        raise RuntimeError(f"fake-switches did not come up on port {self.port}; log:\n{log}")

    def stop(self) -> None:
        """Stop the simulator by PID and drop its log."""
        proc, self._proc = self._proc, None
        stop_process(proc, 5.0)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> FakeSwitchPeer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
