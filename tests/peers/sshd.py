"""A real OpenSSH ``sshd`` for tests: own config, host key and user, on 127.0.0.1.

:class:`SshdPeer` (context manager) writes a config into a temp dir, makes an
ed25519 host key with ``ssh-keygen``, creates a throw-away local user
(``useradd -m``, password via ``chpasswd``; removed again on stop) and runs
``/usr/sbin/sshd -D -e -f CONFIG`` on a free port, stopped by PID.
:meth:`SshdPeer.rekey` replaces the host key and restarts (a "changed key").
A missing sshd or one that does not come up raises RuntimeError with its log.
Needs root (useradd, sshd).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from noc.procs import stop_process
from tests.helpers import free_tcp_port

SSHD = "/usr/sbin/sshd"


class SshdPeer:
    """One sshd on 127.0.0.1:``port`` that lets ``user``/``password`` in."""

    def __init__(self, *, startup_timeout: float = 10.0) -> None:
        self.user = f"noctest{secrets.token_hex(3)}"
        self.password = "Mk-" + secrets.token_urlsafe(12)
        self.host = "127.0.0.1"
        self.port = 0
        self.startup_timeout = startup_timeout
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._user_created = False

    @property
    def directory(self) -> Path:
        """The temp dir with the config, host key, pid file and log."""
        if self._tmp is None:
            raise RuntimeError("sshd peer is not started")
        return Path(self._tmp.name)

    def log(self) -> str:
        """What sshd logged so far."""
        try:
            return (self.directory / "sshd.log").read_text(errors="replace")
        except OSError:
            return "(no log)"

    def start(self) -> SshdPeer:
        """Create user, key and config; start sshd; wait for its banner."""
        if not os.access(SSHD, os.X_OK):
            raise RuntimeError(f"{SSHD} missing: apt-get install openssh-server")
        if os.geteuid() != 0:
            raise RuntimeError("the sshd peer needs root (useradd, sshd)")
        self._tmp = tempfile.TemporaryDirectory(prefix="noc-sshd-")
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        self._create_user()
        self._keygen()
        self.port = free_tcp_port()
        self._write_config()
        self._launch()
        return self

    def rekey(self) -> None:
        """Replace the host key by a new one and restart sshd on the same port."""
        self._terminate()
        (self.directory / "host_ed25519").unlink()
        (self.directory / "host_ed25519.pub").unlink()
        self._keygen()
        self._launch()

    def stop(self) -> None:
        """Stop sshd by PID, remove the user and the temp dir."""
        self._terminate()
        if self._user_created:
            subprocess.run(["userdel", "-r", self.user], capture_output=True, check=False)
            self._user_created = False
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> SshdPeer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _create_user(self) -> None:
        subprocess.run(["useradd", "-m", "-s", "/bin/bash", self.user], check=True,
                       capture_output=True)
        self._user_created = True
        subprocess.run(["chpasswd"], input=f"{self.user}:{self.password}\n".encode(),
                       check=True, capture_output=True)

    def _keygen(self) -> None:
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "noc-test-peer",
                        "-f", str(self.directory / "host_ed25519")], check=True,
                       capture_output=True)

    def _write_config(self) -> None:
        lines = [f"Port {self.port}", f"ListenAddress {self.host}",
                 f"HostKey {self.directory / 'host_ed25519'}",
                 f"PidFile {self.directory / 'sshd.pid'}", "UsePAM no",
                 "PasswordAuthentication yes", "KbdInteractiveAuthentication no",
                 "PubkeyAuthentication yes", f"AllowUsers {self.user}", "PermitRootLogin no",
                 "MaxStartups 50", "LogLevel INFO"]
        (self.directory / "sshd_config").write_text("\n".join(lines) + "\n")

    def _launch(self) -> None:
        with (self.directory / "sshd.log").open("ab") as log:
            self._proc = subprocess.Popen(
                [SSHD, "-D", "-e", "-f", str(self.directory / "sshd_config")],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                break
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    if sock.recv(64).startswith(b"SSH-"):
                        return
            except OSError:
                time.sleep(0.05)
        log_text = self.log()
        self._terminate()
        raise RuntimeError(f"sshd did not come up on {self.host}:{self.port}; log:\n{log_text}")

    def _terminate(self) -> None:
        proc, self._proc = self._proc, None
        stop_process(proc, 5.0)
