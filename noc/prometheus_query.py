"""Chart data from Prometheus' HTTP API (``/api/v1/query_range``) over the NOC's own metrics.

:func:`promql_for` maps a series-store key (:mod:`noc.timeseries_feed`) to
PromQL over what ``/metrics`` exports, in the store's units (bit/s, percent,
milliseconds...). :class:`PrometheusReader` runs it; any failure (connection
refused, timeout, HTTP error, an answer that is not a matrix) raises
:class:`PrometheusUnavailable`, which the pages show as "Prometheus
unavailable, showing the NOC's own history".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

RATE_WINDOW = "5m"
# link name -> (A-end device, A-end ifName, bandwidth in bit/s), from the catalog
LinkEnd = Callable[[str], tuple[str, str, float] | None]


class PrometheusUnavailable(Exception):  # noqa: N818 - reads as the condition it is
    """Prometheus did not answer usefully; the message says what happened."""


@dataclass(slots=True)
class Series:
    """One series of a range query: its labels and (time, value) points, oldest first."""

    labels: dict[str, str]
    points: list[tuple[float, float]] = field(default_factory=list)


def escape_label(value: str) -> str:
    """A label value as a PromQL double-quoted string body."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _sel(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{escape_label(v)}"' for k, v in labels.items()) + "}"


def _interface(device: str, ifname: str, metric: str) -> str | None:
    sel = _sel(device=device, interface=ifname)
    return {
        "in_bps": f"8 * noc_interface_receive_bytes_per_second{sel}",
        "out_bps": f"8 * noc_interface_transmit_bytes_per_second{sel}",
        "in_errors": f"rate(noc_interface_receive_errors_total{sel}[{RATE_WINDOW}])",
        "out_errors": f"rate(noc_interface_transmit_errors_total{sel}[{RATE_WINDOW}])",
    }.get(metric)


def _device(device: str, metric: str) -> str | None:
    sel = _sel(device=device)
    temp = _sel(device=device, kind="temperature", unit="celsius")
    return {
        "cpu": f"100 * noc_device_cpu_utilization_ratio{sel}",
        "mem_used_ratio": f"noc_device_memory_used_bytes{sel} / noc_device_memory_total_bytes{sel}",
        "temp_max_c": f"max(noc_sensor_value{temp})",
        "rtt_ms": f"1000 * noc_icmp_rtt_seconds{sel}",
        "loss_ratio": f"noc_icmp_loss_ratio{sel}",
        "up": f"max(noc_device_up{sel} or noc_icmp_up{sel})",
    }.get(metric)


def _link(name: str, metric: str, link_end: LinkEnd | None) -> str | None:
    end = link_end(name) if link_end is not None else None
    if end is None:
        return None
    device, ifname, bandwidth = end
    if metric in ("in_bps", "out_bps"):
        return _interface(device, ifname, metric)
    if metric == "util" and bandwidth > 0:
        sel = _sel(device=device, interface=ifname)
        return (f"8 * max(noc_interface_receive_bytes_per_second{sel} or "
                f"noc_interface_transmit_bytes_per_second{sel}) / {bandwidth:g}")
    return None


def promql_for(key: tuple[str, ...], link_end: LinkEnd | None = None) -> str | None:
    """PromQL giving ``key``'s values, or None when ``/metrics`` has nothing for it.

    Link keys need ``link_end`` (the catalog's A end of a link) since
    ``/metrics`` has interfaces, not links.
    """
    match key:
        case ("if", device, ifname, metric):
            return _interface(device, ifname, metric)
        case ("dev", device, metric):
            return _device(device, metric)
        case ("agency", code, "up"):
            return f"noc_agency_connected{_sel(agency=code)}"
        case ("link", name, metric):
            return _link(name, metric, link_end)
    return None


class PrometheusReader:
    """Range queries against one Prometheus server."""

    def __init__(self, base_url: str, timeout: float = 5.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(base_url=self.base_url, timeout=timeout,
                                         transport=transport)

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.aclose()

    async def range(self, query: str, start: float, end: float, step: float) -> list[Series]:
        """``query`` evaluated every ``step`` s over ``[start, end]`` (query_range)."""
        params = {"query": query, "start": f"{start:.3f}", "end": f"{end:.3f}",
                  "step": f"{max(step, 0.001):.3f}"}
        try:
            reply = await self._client.get("/api/v1/query_range", params=params)
        except httpx.TimeoutException as exc:
            raise PrometheusUnavailable(f"{self.base_url}: timed out") from exc
        except httpx.HTTPError as exc:
            raise PrometheusUnavailable(f"{self.base_url}: {exc or type(exc).__name__}") from exc
        return _matrix(self.base_url, reply)


def _matrix(where: str, reply: httpx.Response) -> list[Series]:
    try:
        body: Any = reply.json()
    except ValueError as exc:
        raise PrometheusUnavailable(f"{where}: HTTP {reply.status_code}, not JSON") from exc
    if not isinstance(body, dict) or body.get("status") != "success":
        error = body.get("error", "") if isinstance(body, dict) else ""
        raise PrometheusUnavailable(f"{where}: HTTP {reply.status_code} {error}".rstrip())
    data = body.get("data")
    if not isinstance(data, dict) or data.get("resultType") != "matrix":
        raise PrometheusUnavailable(f"{where}: the answer is not a range (matrix)")
    try:
        return [Series({str(k): str(v) for k, v in row["metric"].items()},
                       [(float(t), float(v)) for t, v in row["values"]])
                for row in data["result"]]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PrometheusUnavailable(f"{where}: malformed range result") from exc


def finite(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Points with a finite value."""
    return [(t, v) for t, v in points if math.isfinite(v)]
