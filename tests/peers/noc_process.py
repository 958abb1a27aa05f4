"""``noc run --lab --scale small`` as a process, the way the end-to-end tests run it.

:func:`launch_noc` starts it on a free loopback port with its own data dir and
log file, with the lab on a free UDP port, and waits for ``/healthz``; if the
process exits first, the error carries the tail of its log. Stopping is the
caller's (the tests check different ways of stopping it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from tests.helpers import free_tcp_port, free_udp_port, wait_for


@dataclass
class NocProcess:
    """A running ``noc run``: its base URL, data dir, process and log file."""

    base: str
    data_dir: Path
    proc: subprocess.Popen[bytes]
    log: IO[bytes]

    def log_tail(self) -> str:
        """The last 3000 characters of its log."""
        return (self.data_dir / "noc.log").read_text(errors="replace")[-3000:]

    def healthy(self) -> bool:
        """Whether /healthz answers (AssertionError with the log if the process exited)."""
        if self.proc.poll() is not None:
            raise AssertionError(f"noc run exited with {self.proc.returncode}:\n"
                                 f"{self.log_tail()}")
        try:
            return httpx.get(f"{self.base}/healthz", timeout=2).is_success
        except httpx.HTTPError:
            return False


def launch_noc(data_dir: Path, interval: float, scale: str = "small", timeout: float = 90,
               **env: str) -> NocProcess:
    """Start ``noc run --lab --scale SCALE`` with ``NOC_*`` settings ``env``; wait for /healthz."""
    http_port = free_tcp_port()
    environ = dict(os.environ, NOC_LAB__PORT=str(free_udp_port(("127.20.0.1", "127.22.1.1"))),
                   **env)
    log = (data_dir / "noc.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "noc", "run", "--lab", "--scale", scale, "--listen",
         f"127.0.0.1:{http_port}", "--data-dir", str(data_dir), "--interval", str(interval)],
        env=environ, stdout=log, stderr=subprocess.STDOUT)
    noc = NocProcess(f"http://127.0.0.1:{http_port}", data_dir, proc, log)
    try:
        wait_for("the NOC to answer /healthz", noc.healthy, timeout)
    except BaseException:
        proc.kill()
        proc.wait(10)
        log.close()
        raise
    return noc
