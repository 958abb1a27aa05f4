"""A real VictoriaMetrics for tests (InfluxDB-compatible writes), loopback only, own data dir.

``VictoriaMetricsPeer`` accepts influxdb-client writes at ``/api/v2/write``;
read back with :meth:`VictoriaMetricsPeer.export` (``/api/v1/export``, series
named ``<measurement>_<field>``). :class:`DaemonPeer` is the start / stop by
PID / restart-on-the-same-port-and-data-dir machinery shared with
:mod:`tests.peers.influxd`. A daemon that does not come up raises
:class:`RuntimeError` with its log: tests fail, they never skip.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from noc.procs import stop_process
from tests.helpers import free_tcp_port


class DaemonPeer:
    """An HTTP daemon in a temp dir; ``stop()``/``start()`` keep port and data."""

    binary = ""
    ready_path = "/health"

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=f"noc-{self.binary}-"))
        self.port = free_tcp_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self._log = self.dir / "daemon.log"

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """The command line (subclasses)."""
        raise NotImplementedError

    def log(self) -> str:
        """The daemon's output so far (last 3000 characters)."""
        return self._log.read_text(errors="replace")[-3000:] if self._log.exists() else ""

    def start(self) -> DaemonPeer:
        """Start (again) and wait until it answers HTTP."""
        if shutil.which(self.command()[0]) is None:
            raise RuntimeError(f"{self.binary} is not installed (apt-get install it)")
        with self._log.open("ab") as log:
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url + self.ready_path, timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.binary} did not start on port {self.port}:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the process by PID (the data dir stays)."""
        if self.proc is None:
            return
        stop_process(self.proc, 15.0, sig)
        self.proc = None

    def close(self) -> None:
        """Stop and delete the data dir."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def get(self, path: str, **params: str) -> bytes:
        """GET a path with query parameters."""
        url = f"{self.url}{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=10) as resp:
            return bytes(resp.read())

    def post(self, path: str, **params: str) -> bytes:
        """POST a path with form parameters."""
        data = urllib.parse.urlencode(params).encode()
        with urllib.request.urlopen(self.url + path, data=data, timeout=10) as resp:
            return bytes(resp.read())

    def __enter__(self) -> DaemonPeer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class VictoriaMetricsPeer(DaemonPeer):
    """``victoria-metrics`` with its own storage dir."""

    binary = "victoria-metrics"

    def command(self) -> list[str]:
        """Single-node VictoriaMetrics, no query latency offset."""
        return ["victoria-metrics", f"-httpListenAddr=127.0.0.1:{self.port}",
                f"-storageDataPath={self.dir / 'data'}", "-search.latencyOffset=0s",
                "-loggerLevel=WARN"]

    def export(self, match: str) -> list[dict[str, Any]]:
        """Every series matching ``match`` with all its raw samples (after a flush)."""
        self.get("/internal/force_flush")
        body = self.get("/api/v1/export", **{"match[]": match})
        return [json.loads(line) for line in body.splitlines() if line.strip()]
