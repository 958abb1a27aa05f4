"""A real InfluxDB 1.6 (``influxd``) for tests: own meta/data/wal dirs, HTTP on loopback.

Writes go to ``/write`` (v1 API; there is no ``/api/v2`` in 1.6), reads to
InfluxQL ``/query`` (:meth:`InfluxdPeer.query`). Reporting is off and every
other listener is disabled or bound to loopback.
"""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import free_tcp_port
from tests.peers.victoriametrics import DaemonPeer

_CONFIG = """\
reporting-disabled = true
bind-address = "127.0.0.1:{rpc}"
[meta]
  dir = "{dir}/meta"
[data]
  dir = "{dir}/data"
  wal-dir = "{dir}/wal"
  query-log-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:{port}"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
"""


class InfluxdPeer(DaemonPeer):
    """``influxd run -config F``."""

    binary = "influxd"
    ready_path = "/ping"

    def command(self) -> list[str]:
        """Write the config (once) and run in the foreground."""
        config = self.dir / "influxd.conf"
        if not config.exists():
            config.write_text(_CONFIG.format(dir=self.dir, port=self.port,
                                             rpc=free_tcp_port()))
        return ["influxd", "run", "-config", str(config)]

    def query(self, q: str, db: str = "") -> list[dict[str, Any]]:
        """Run InfluxQL; the series of the first statement's result."""
        params = {"q": q, "epoch": "ms"} | ({"db": db} if db else {})
        body = json.loads(self.post("/query", **params))
        result = body["results"][0]
        if "error" in result:
            raise RuntimeError(result["error"])
        return list(result.get("series", []))

    def create_database(self, name: str) -> None:
        """CREATE DATABASE."""
        self.query(f'CREATE DATABASE "{name}"')
