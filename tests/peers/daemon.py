"""What the Prometheus and Alertmanager peers share: a Go daemon on a loopback port.

:class:`LoopbackDaemon` starts the binary with its own temp dir and log file,
waits for ``/-/ready``, reports a failure with the tail of the log (tests that
need the peer fail, they never skip), and stops the process by PID.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx

from noc.procs import stop_process


class LoopbackDaemon:
    """Process, port, URL, temp dir and log of one daemon; subclasses build the command."""

    name = "daemon"  # log file stem and the name in error messages

    def __init__(self) -> None:
        self.port = 0
        self.url = ""
        self.dir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def _launch(self, argv: list[str], timeout: float, append_log: bool = False) -> None:
        """Run ``argv`` in the temp dir with its output in the log; wait until ready."""
        assert self.dir is not None
        self.url = f"http://127.0.0.1:{self.port}"
        log = open(self.dir / f"{self.name}.log", "ab" if append_log else "wb")  # noqa: SIM115
        try:
            self._proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                          cwd=self.dir)
        finally:
            log.close()  # the child keeps its own descriptor
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                self._fail(f"{self.name} exited with {self._proc.returncode}")
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self._fail(f"{self.name} not ready after {timeout:g} s")

    def log(self) -> str:
        """The daemon's log so far."""
        path = self.dir / f"{self.name}.log" if self.dir else None
        return path.read_text(errors="replace") if path and path.exists() else ""

    def _fail(self, why: str) -> None:
        log = self.log()
        self.stop()
        raise RuntimeError(f"{why}; log:\n{log[-4000:]}")

    def halt(self) -> None:
        """Stop the process by PID; keep port and temp dir (a later start resumes)."""
        proc, self._proc = self._proc, None
        stop_process(proc, 10.0)

    def stop(self) -> None:
        """Stop the process by PID and remove its temp dir."""
        self.halt()
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
