"""Prometheus families of the InfluxDB writer's self-monitoring (``noc_influx_*``).

Built from an :class:`~noc.influx.writer.InfluxStats` snapshot: no I/O at
scrape time, and no settings (so no token or password) ever reach ``/metrics``.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from noc.influx.writer import InfluxStats

__all__ = ["InfluxStats", "influx_families"]


def influx_families(stats: InfluxStats | None) -> Iterator[Metric]:
    """The writer's buffer gauges and write counters (nothing when export is off)."""
    if stats is None:
        return
    yield GaugeMetricFamily("noc_influx_buffer_bytes",
                            "Bytes of batches on disk not yet acknowledged by InfluxDB.",
                            value=stats.buffer_bytes)
    yield GaugeMetricFamily("noc_influx_buffer_points",
                            "Points buffered (disk and memory) not yet acknowledged.",
                            value=stats.buffer_points)
    yield GaugeMetricFamily("noc_influx_buffer_oldest_age_seconds",
                            "Age of the oldest unacknowledged point (0: buffer empty).",
                            value=stats.oldest_age_seconds)
    yield CounterMetricFamily("noc_influx_points_written",
                              "Points acknowledged by InfluxDB.", value=stats.points_written)
    yield CounterMetricFamily("noc_influx_points_dropped",
                              "Points given up: oldest batches over buffer_max_bytes, or "
                              "batches the server refused for good.",
                              value=stats.points_dropped)
    yield CounterMetricFamily("noc_influx_write_retries",
                              "Writes retried after a failure.", value=stats.write_retries)
    yield CounterMetricFamily("noc_influx_write_errors",
                              "Writes that failed (retried or not).", value=stats.write_errors)
