"""HTTP transports: one blocking ``send(payload)`` per batch, called from a worker thread.

:class:`V2Transport` uses influxdb-client's generated ``/api/v2/write``
service (org, bucket, token; gzip level 1). :class:`V1Transport` posts to
``/write`` (database, retention policy, basic auth in a header, never in the
URL) with a gzip body. Both raise :class:`WriteError` saying whether a retry
can help; messages never contain the token or the password.
"""

from __future__ import annotations

import base64
import gzip
import http.client
import urllib.parse
from typing import Any, Protocol

from noc.influx.points import PRECISION
from noc.settings import InfluxSettings

GZIP_LEVEL = 1  # line protocol compresses ~10x even at level 1; level 9 costs 5x the CPU


class WriteError(Exception):
    """A write the server did not acknowledge."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def retryable(self) -> bool:
        """Connection problems, throttling, server errors and auth/config errors are retried.

        Only a 400 (bad line protocol) or 413 (batch too large) is final: resending
        the same bytes cannot succeed. Everything else may heal (a token fixed, a
        bucket created), and the data is kept meanwhile.
        """
        return self.status not in (400, 413)


class Transport(Protocol):
    """Sends one batch of line protocol; raises :class:`WriteError` unless acknowledged."""

    def send(self, payload: bytes) -> None:
        """Send and wait for the server's 2xx."""

    def close(self) -> None:
        """Release connections."""


class V1Transport:
    """InfluxDB 1.x ``POST /write`` over one kept-alive connection."""

    def __init__(self, cfg: InfluxSettings) -> None:
        url = urllib.parse.urlsplit(cfg.url)
        self._https = url.scheme == "https"
        self._host = url.netloc
        self._timeout = cfg.timeout
        query = {"db": cfg.database, "precision": PRECISION}
        if cfg.retention_policy:
            query["rp"] = cfg.retention_policy
        self._path = url.path.rstrip("/") + "/write?" + urllib.parse.urlencode(query)
        self._headers = {"Content-Type": "text/plain; charset=utf-8", "Content-Encoding": "gzip"}
        if cfg.username:
            raw = f"{cfg.username}:{cfg.password.get_secret_value()}".encode()
            self._headers["Authorization"] = "Basic " + base64.b64encode(raw).decode()
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._conn = cls(self._host, timeout=self._timeout)
        return self._conn

    def send(self, payload: bytes) -> None:
        """POST the gzipped batch; 204/2xx is success."""
        body = gzip.compress(payload, GZIP_LEVEL)
        try:
            conn = self._connection()
            conn.request("POST", self._path, body, self._headers)
            resp = conn.getresponse()
            detail = resp.read(300).decode("utf-8", "replace").strip()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise WriteError(f"write failed: {type(exc).__name__}: {exc}") from None
        if not 200 <= resp.status < 300:
            raise WriteError(f"server answered {resp.status}: {detail}", resp.status)

    def close(self) -> None:
        """Close the connection (reopened on the next send)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class V2Transport:
    """InfluxDB 2.x API (or VictoriaMetrics) through influxdb-client's write service."""

    def __init__(self, cfg: InfluxSettings) -> None:
        from influxdb_client.client.influxdb_client import InfluxDBClient
        from influxdb_client.service.write_service import WriteService

        self._cfg = cfg
        self._client: Any = InfluxDBClient(url=cfg.url, token=cfg.token.get_secret_value(),
                                           org=cfg.org, timeout=int(cfg.timeout * 1000),
                                           retries=False)
        # the generated write service, not WriteApi: WriteApi.write() drops the
        # Content-Encoding argument, and its own gzip is level 9 (5x our CPU)
        service: Any = WriteService  # generated code, untyped
        self._service: Any = service(self._client.api_client)

    def send(self, payload: bytes) -> None:
        """POST the batch gzipped; any exception becomes :class:`WriteError`."""
        try:
            self._service.post_write(org=self._cfg.org, bucket=self._cfg.bucket,
                                     body=gzip.compress(payload, GZIP_LEVEL),
                                     precision=PRECISION, content_encoding="gzip",
                                     content_type="text/plain; charset=utf-8")
        except Exception as exc:  # urllib3 errors and ApiException alike
            status = getattr(exc, "status", None)
            reason = getattr(exc, "reason", "") or type(exc).__name__
            raise WriteError(f"write failed: {status or ''} {reason}".strip(),
                             status if isinstance(status, int) else None) from None

    def close(self) -> None:
        """Close influxdb-client's connection pool."""
        self._client.close()


def make_transport(cfg: InfluxSettings) -> Transport:
    """The transport for ``cfg.kind``."""
    return V1Transport(cfg) if cfg.kind == "v1" else V2Transport(cfg)
