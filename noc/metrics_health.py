"""Health and inventory metric families from the facts job (CPU, memory, disks, sensors).

Values come from :class:`collectors.base.DeviceFacts`, refreshed every
``poll.facts_interval``; units are Prometheus base units (ratios 0..1, bytes,
celsius, rpm, volts, amperes, watts).
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric

from noc.state import DeviceState

_SENSOR_OK = {"ok": 1.0, "warning": 0.5, "failed": 0.0}


def health_families(devices: dict[str, DeviceState]) -> Iterator[Metric]:
    """Yield the health families of every device that has facts."""
    cpu = GaugeMetricFamily("noc_device_cpu_utilization_ratio", "CPU busy, 0..1 (average).",
                            labels=["device"])
    mem_total = GaugeMetricFamily("noc_device_memory_total_bytes", "Memory size.",
                                  labels=["device"])
    mem_used = GaugeMetricFamily("noc_device_memory_used_bytes", "Memory in use.",
                                 labels=["device"])
    disk_total = GaugeMetricFamily("noc_device_disk_total_bytes", "Fixed disk size.",
                                   labels=["device", "disk"])
    disk_used = GaugeMetricFamily("noc_device_disk_used_bytes", "Fixed disk space used.",
                                  labels=["device", "disk"])
    sensor = GaugeMetricFamily("noc_sensor_value", "Sensor reading in base units.",
                               labels=["device", "sensor", "kind", "unit"])
    sensor_ok = GaugeMetricFamily("noc_sensor_ok", "1 ok, 0.5 warning, 0 failed.",
                                  labels=["device", "sensor", "kind"])
    for name, dev in devices.items():
        facts = dev.facts
        if facts is None or not dev.up:
            continue
        if facts.cpu_percent is not None:
            cpu.add_metric([name], facts.cpu_percent / 100)
        if facts.memory is not None:
            mem_total.add_metric([name], facts.memory.total_bytes)
            mem_used.add_metric([name], facts.memory.used_bytes)
        for disk in facts.disks:
            disk_total.add_metric([name, disk.name], disk.total_bytes)
            disk_used.add_metric([name, disk.name], disk.used_bytes)
        seen: set[tuple[str, str]] = set()
        for s in facts.sensors:
            if (s.name, s.kind) in seen:
                continue  # two sources naming the same sensor: keep the first
            seen.add((s.name, s.kind))
            if s.value is not None:
                sensor.add_metric([name, s.name, s.kind, s.unit], s.value)
            if s.status in _SENSOR_OK:
                sensor_ok.add_metric([name, s.name, s.kind], _SENSOR_OK[s.status])
    yield from (cpu, mem_total, mem_used, disk_total, disk_used, sensor, sensor_ok)
