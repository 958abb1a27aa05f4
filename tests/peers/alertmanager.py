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
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from tests.helpers import free_tcp_port
from tests.peers.daemon import LoopbackDaemon

BINARY = "/usr/bin/prometheus-alertmanager"
DEFAULT_ROUTE: dict[str, Any] = {
    "group_by": ["alertname", "incident"], "group_wait": "1s", "group_interval": "2s",
    "repeat_interval": "1h",
}


class AlertmanagerPeer(LoopbackDaemon):
    """Alertmanager on a free loopback port with a webhook receiver, stopped by PID."""

    name = "alertmanager"

    def __init__(self, webhook_url: str, route: Mapping[str, Any] | None = None,
                 resolve_timeout: str = "5m", binary: str = BINARY) -> None:
        self.config: dict[str, Any] = {
            "global": {"resolve_timeout": resolve_timeout},
            "route": {**DEFAULT_ROUTE, **(route or {}), "receiver": "sink"},
            "receivers": [{"name": "sink", "webhook_configs": [
                {"url": webhook_url, "send_resolved": True}]}],
        }
        self.binary = binary
        super().__init__()

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
        self._launch([exe, f"--config.file={config_file}",
                      f"--storage.path={self.dir / 'data'}",
                      f"--web.listen-address=127.0.0.1:{self.port}", "--cluster.listen-address="],
                     timeout, append_log=True)
        return self

    def alerts(self, **filters: str) -> list[dict[str, Any]]:
        """``GET /api/v2/alerts``; ``filters`` are label equality matchers."""
        params = {"filter": [f'{name}="{value}"' for name, value in filters.items()]}
        reply = httpx.get(f"{self.url}/api/v2/alerts", params=params, timeout=10)
        if reply.status_code != 200:
            raise RuntimeError(f"GET /api/v2/alerts: HTTP {reply.status_code}: {reply.text}")
        return list(reply.json())

    def __enter__(self) -> AlertmanagerPeer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
