"""A real Alertmanager for tests: Debian's ``prometheus-alertmanager`` on loopback.

It routes everything to one webhook receiver (``send_resolved: true``)::

    with WebhookSink() as sink, AlertmanagerPeer(sink.url) as am:
        ...push alerts to am.url...
        pages = sink.wait_for(1, timeout=10)

The route groups by ``alertname`` and ``incident`` with ``group_wait: 1s``,
``group_interval: 2s``, ``repeat_interval: 1h``; pass ``route={...}`` or
``resolve_timeout`` to change them. :meth:`halt` stops the process but keeps
its port and storage directory, so :meth:`start` brings the same
Alertmanager back (an outage); :meth:`stop` also removes the directory. A
missing or failing binary raises :class:`RuntimeError` with its log: tests
that need the peer fail, they never skip.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from noc.procs import stop_process
from tests.helpers import free_tcp_port

BINARY = "/usr/bin/prometheus-alertmanager"
DEFAULT_ROUTE: dict[str, Any] = {
    "group_by": ["alertname", "incident"], "group_wait": "1s", "group_interval": "2s",
    "repeat_interval": "1h",
}


class AlertmanagerPeer:
    """Alertmanager on a free loopback port with a webhook receiver, stopped by PID."""

    def __init__(self, webhook_url: str, route: Mapping[str, Any] | None = None,
                 resolve_timeout: str = "5m", binary: str = BINARY) -> None:
        self.config: dict[str, Any] = {
            "global": {"resolve_timeout": resolve_timeout},
            "route": {**DEFAULT_ROUTE, **(route or {}), "receiver": "sink"},
            "receivers": [{"name": "sink", "webhook_configs": [
                {"url": webhook_url, "send_resolved": True}]}],
        }
        self.binary = binary
        self.port = 0
        self.url = ""
        self.dir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 30.0) -> AlertmanagerPeer:
        """Start (or restart on the same port and storage) and wait until ``/-/ready``."""
        exe = shutil.which(self.binary)
        if exe is None:
            raise RuntimeError(f"{self.binary!r} not found: "
                               "apt-get install prometheus-alertmanager")
        if self.dir is None:
            self.dir = Path(tempfile.mkdtemp(prefix="alertmanager-peer-"))
        config_file = self.dir / "alertmanager.yml"
        config_file.write_text(json.dumps(self.config, indent=1))  # YAML ⊃ JSON
        if not self.port:
            self.port = free_tcp_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log = open(self.dir / "alertmanager.log", "ab")  # noqa: SIM115 - closed below
        try:
            self._proc = subprocess.Popen(
                [exe, f"--config.file={config_file}", f"--storage.path={self.dir / 'data'}",
                 f"--web.listen-address=127.0.0.1:{self.port}", "--cluster.listen-address="],
                stdout=log, stderr=subprocess.STDOUT, cwd=self.dir)
        finally:
            log.close()
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                self._fail(f"alertmanager exited with {self._proc.returncode}")
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self._fail(f"alertmanager not ready after {timeout:g} s")

    def log(self) -> str:
        """The server's log so far (across restarts)."""
        path = self.dir / "alertmanager.log" if self.dir else None
        return path.read_text(errors="replace") if path and path.exists() else ""

    def _fail(self, why: str) -> None:
        log = self.log()
        self.stop()
        raise RuntimeError(f"{why}; log:\n{log[-4000:]}")

    def alerts(self, **filters: str) -> list[dict[str, Any]]:
        """``GET /api/v2/alerts``; ``filters`` are label equality matchers."""
        params = {"filter": [f'{name}="{value}"' for name, value in filters.items()]}
        reply = httpx.get(f"{self.url}/api/v2/alerts", params=params, timeout=10)
        if reply.status_code != 200:
            raise RuntimeError(f"GET /api/v2/alerts: HTTP {reply.status_code}: {reply.text}")
        return list(reply.json())

    def halt(self) -> None:
        """Stop the process by PID; keep port and storage so :meth:`start` resumes."""
        proc, self._proc = self._proc, None
        stop_process(proc, 10.0)

    def stop(self) -> None:
        """Stop the process by PID and remove its temp dir."""
        self.halt()
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self) -> AlertmanagerPeer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
