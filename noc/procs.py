"""Stopping the child processes the NOC, its lab, tests and benches start."""

from __future__ import annotations

import signal
import subprocess
from typing import Any


def stop_process(proc: subprocess.Popen[Any] | None, grace: float = 10.0,
                 sig: int = signal.SIGTERM) -> None:
    """Signal a process we started (by its PID), wait ``grace`` seconds, then kill it."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
