"""A real Prometheus server for tests: its own config and TSDB in a temp dir, loopback only.

Use :class:`PrometheusPeer` as a context manager (or ``start()``/``stop()``)::

    with PrometheusPeer(["http://127.0.0.1:8080/metrics"], rule_files=[rules]) as prom:
        wait_for("a sample", lambda: prom.query("noc_device_up"), 30)

Each scrape target is a URL (path and query string kept: ``/metrics?shard=1&of=2``
becomes ``metrics_path`` + ``params``) or a bare ``host:port`` (path ``/metrics``);
a mapping gives job names, a sequence gets ``job0``, ``job1``... Rules are
evaluated every ``scrape_interval``; ``alertmanagers`` are ``host:port``
strings. Prometheus syncs discovered targets every ~5 s, so the first
scrape comes 0-5 s after ``start()``: :meth:`wait_up` waits for it. A
missing or failing ``prometheus`` raises :class:`RuntimeError` with its log:
tests that need the peer fail, they never skip.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.helpers import free_tcp_port
from tests.peers.daemon import LoopbackDaemon


def _static_config(job: str, target: str, interval: str) -> dict[str, Any]:
    url = urlsplit(target if "://" in target else f"http://{target}")
    config: dict[str, Any] = {
        "job_name": job, "scrape_interval": interval, "scrape_timeout": interval,
        "scheme": url.scheme, "metrics_path": url.path or "/metrics",
        "static_configs": [{"targets": [url.netloc]}],
    }
    if url.query:
        config["params"] = parse_qs(url.query)
    return config


class PrometheusPeer(LoopbackDaemon):
    """Debian's ``prometheus`` on a free loopback port, stopped by PID."""

    name = "prometheus"

    def __init__(self, scrape_targets: Sequence[str] | Mapping[str, str],
                 scrape_interval: str = "1s", rule_files: Sequence[str | Path] = (),
                 alertmanagers: Sequence[str] = (), binary: str = "prometheus") -> None:
        jobs = (dict(scrape_targets) if isinstance(scrape_targets, Mapping)
                else {f"job{i}": t for i, t in enumerate(scrape_targets)})
        self.config: dict[str, Any] = {
            "global": {"scrape_interval": scrape_interval,
                       "evaluation_interval": scrape_interval},
            "rule_files": [str(Path(f).resolve()) for f in rule_files],
            "scrape_configs": [_static_config(j, t, scrape_interval) for j, t in jobs.items()],
        }
        if alertmanagers:
            self.config["alerting"] = {"alertmanagers": [
                {"static_configs": [{"targets": list(alertmanagers)}]}]}
        self.binary = binary
        super().__init__()

    def start(self, timeout: float = 30.0) -> PrometheusPeer:
        """Write the config, start the server and wait until ``/-/ready`` answers 200."""
        exe = shutil.which(self.binary)
        if exe is None:
            raise RuntimeError(f"{self.binary!r} not found: apt-get install prometheus")
        self.dir = Path(tempfile.mkdtemp(prefix="prometheus-peer-"))
        config_file = self.dir / "prometheus.yml"
        config_file.write_text(json.dumps(self.config, indent=1))  # YAML ⊃ JSON
        self.port = free_tcp_port()
        self._launch([exe, f"--config.file={config_file}",
                      f"--storage.tsdb.path={self.dir / 'data'}",
                      f"--web.listen-address=127.0.0.1:{self.port}", "--web.enable-lifecycle"],
                     timeout)
        return self

    def _api(self, path: str, params: dict[str, str] | None = None) -> Any:
        reply = httpx.get(f"{self.url}{path}", params=params, timeout=10)
        body = reply.json()
        if reply.status_code != 200 or body.get("status") != "success":
            raise RuntimeError(f"{path} {params}: HTTP {reply.status_code}: {body}")
        return body["data"]

    def query(self, promql: str, at: float | None = None) -> list[dict[str, Any]]:
        """Instant query: the ``result`` list (``[{"metric": {...}, "value": [t, "v"]}]``)."""
        params = {"query": promql} | ({"time": f"{at:.3f}"} if at is not None else {})
        data = self._api("/api/v1/query", params)
        return list(data["result"]) if isinstance(data["result"], list) else [data]

    def value(self, promql: str, at: float | None = None) -> float | None:
        """The single value of an instant vector query, or None when it is empty."""
        result = self.query(promql, at)
        if not result:
            return None
        if len(result) > 1:
            raise AssertionError(f"{promql}: {len(result)} series, expected one")
        return float(result[0]["value"][1])

    def targets(self) -> list[dict[str, Any]]:
        """The active scrape targets and their health."""
        return list(self._api("/api/v1/targets")["activeTargets"])

    def wait_up(self, timeout: float = 30.0) -> None:
        """Wait until every target was scraped successfully (the first sync takes ~5 s)."""
        deadline = time.monotonic() + timeout
        targets: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            targets = self.targets()
            if targets and all(t["health"] == "up" for t in targets):
                return
            time.sleep(0.2)
        raise RuntimeError(f"targets not up after {timeout:g} s: "
                           f"{[(t['scrapeUrl'], t['lastError']) for t in targets]}")

    def rules(self) -> list[dict[str, Any]]:
        """The loaded rule groups (``/api/v1/rules``)."""
        return list(self._api("/api/v1/rules")["groups"])

    def alerts(self) -> list[dict[str, Any]]:
        """Pending and firing alerts (``/api/v1/alerts``)."""
        return list(self._api("/api/v1/alerts")["alerts"])

    def reload(self) -> None:
        """Re-read the config and rule files (``POST /-/reload``)."""
        reply = httpx.post(f"{self.url}/-/reload", timeout=10)
        if reply.status_code != 200:
            raise RuntimeError(f"reload failed: HTTP {reply.status_code}: {reply.text}")

    def __enter__(self) -> PrometheusPeer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
