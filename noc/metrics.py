"""Prometheus exposition: metric families built from a state snapshot at scrape time.

No per-sample Gauge objects and no I/O in ``collect()``: the collector reads
the in-memory state and the catalog. Inventory labels (agency, site, class,
vendor, model) live on ``noc_device_info`` so hot series carry only
``device`` and ``interface`` (the ifName); join them in PromQL with ``* on(device)
group_left(agency) noc_device_info``. Raw interface counters are exported as
counters (Prometheus' ``rate()`` handles wraps and resets); the NOC's own
rates are gauges. Counter64 values are exported as floats: above 2^53 they
lose their lowest bits, which is harmless for ``rate()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from inventory.catalog import Catalog
from noc.metrics_health import health_families
from noc.scheduler import SchedulerStats
from noc.state import DeviceState
from noc.status import AgencyStatus

_IF_COUNTERS = {  # sample counter -> (metric name, HELP)
    "in_octets": ("noc_interface_receive_bytes_total", "Bytes received (ifHC/ifInOctets)."),
    "out_octets": ("noc_interface_transmit_bytes_total", "Bytes sent (ifHC/ifOutOctets)."),
    "in_errors": ("noc_interface_receive_errors_total", "Inbound errors (ifInErrors)."),
    "out_errors": ("noc_interface_transmit_errors_total", "Outbound errors (ifOutErrors)."),
    "in_discards": ("noc_interface_receive_discards_total", "Inbound discards (ifInDiscards)."),
    "out_discards": ("noc_interface_transmit_discards_total",
                     "Outbound discards (ifOutDiscards)."),
}


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything one scrape reads, taken at once."""

    catalog: Catalog
    devices: dict[str, DeviceState]
    agencies: list[AgencyStatus]
    scheduler: SchedulerStats
    client_stats: dict[str, int]
    engines: dict[str, Any] = field(default_factory=dict)  # noc.engines.EngineWatch.summary()


class NocCollector(Collector):
    """A prometheus-client collector over the NOC's live state."""

    def __init__(self, snapshot: Callable[[], Snapshot]) -> None:
        self._snapshot = snapshot

    def collect(self) -> Iterable[Metric]:
        """Yield every metric family of the current state."""
        snap = self._snapshot()
        yield from _device_families(snap)
        yield from _interface_families(snap.devices)
        yield from _agency_families(snap.agencies)
        yield from _module_families(snap.devices)
        yield from _engine_families(snap.engines)
        yield from health_families(snap.devices)
        yield from _self_families(snap)


def _device_families(snap: Snapshot) -> Iterator[Metric]:
    info = GaugeMetricFamily("noc_device_info", "Inventory facts of a device (value 1).",
                             labels=["device", "agency", "site", "class", "vendor", "model"])
    up = GaugeMetricFamily("noc_device_up", "1 if the device answered its last poll, else 0.",
                           labels=["device"])
    uptime = GaugeMetricFamily("noc_device_uptime_seconds", "Agent uptime (sysUpTime).",
                               labels=["device"])
    duration = GaugeMetricFamily("noc_device_poll_duration_seconds",
                                 "Duration of the device's last poll.", labels=["device"])
    for dev in snap.catalog.devices.values():
        info.add_metric([dev.name, dev.agency, dev.site, dev.device_class, dev.vendor,
                         dev.model], 1)
    for name, state in snap.devices.items():
        if state.up is None:
            continue
        up.add_metric([name], 1 if state.up else 0)
        duration.add_metric([name], state.last_duration)
        if state.up and state.system:
            uptime.add_metric([name], state.system.uptime_ticks / 100)
    yield from (info, up, uptime, duration)


def _interface_families(devices: dict[str, DeviceState]) -> Iterator[Metric]:
    labels = ["device", "interface"]  # ifName; snake_case keeps promtool lint clean
    counters = {key: CounterMetricFamily(name.removesuffix("_total"), help_, labels=labels)
                for key, (name, help_) in _IF_COUNTERS.items()}
    oper = GaugeMetricFamily("noc_interface_oper_up", "1 if ifOperStatus is up.", labels=labels)
    admin = GaugeMetricFamily("noc_interface_admin_up", "1 if ifAdminStatus is up.",
                              labels=labels)
    speed = GaugeMetricFamily("noc_interface_speed_bytes",
                              "Interface speed in bytes per second (ifHighSpeed/ifSpeed / 8).",
                              labels=labels)
    rx = GaugeMetricFamily("noc_interface_receive_bytes_per_second",
                           "Inbound traffic rate computed by the NOC.", labels=labels)
    tx = GaugeMetricFamily("noc_interface_transmit_bytes_per_second",
                           "Outbound traffic rate computed by the NOC.", labels=labels)
    for name, dev in devices.items():
        if not dev.up:
            continue
        for iface in dev.interfaces.values():
            sample = iface.sample
            lv = [name, sample.name or str(sample.if_index)]
            for key, family in counters.items():
                if key in sample.counters:
                    family.add_metric(lv, float(sample.counters[key]))
            oper.add_metric(lv, 1 if sample.oper_status == 1 else 0)
            admin.add_metric(lv, 1 if sample.admin_status == 1 else 0)
            speed.add_metric(lv, sample.speed_bps / 8)
            if iface.in_bps is not None:
                rx.add_metric(lv, iface.in_bps / 8)
            if iface.out_bps is not None:
                tx.add_metric(lv, iface.out_bps / 8)
    yield from counters.values()
    yield from (oper, admin, speed, rx, tx)


def _agency_families(agencies: list[AgencyStatus]) -> Iterator[Metric]:
    info = GaugeMetricFamily("noc_agency_info", "Agency names and kind (value 1).",
                             labels=["agency", "kind", "name"])
    connected = GaugeMetricFamily("noc_agency_connected",
                                  "1 if the agency is reachable (up or degraded), else 0.",
                                  labels=["agency"])
    status = GaugeMetricFamily("noc_agency_status", "1 for the agency's current status.",
                               labels=["agency", "status"])
    for ag in agencies:
        info.add_metric([ag.code, ag.kind, ag.name_vi], 1)
        if ag.status != "unknown":
            connected.add_metric([ag.code], 1 if ag.status in ("up", "degraded") else 0)
        status.add_metric([ag.code, ag.status], 1)
    yield from (info, connected, status)


def _module_families(devices: dict[str, DeviceState]) -> Iterator[Metric]:
    labels = ["device", "module"]
    duration = GaugeMetricFamily("noc_poll_module_duration_seconds",
                                 "Duration of the module's part of the last poll.", labels=labels)
    families = {
        key: CounterMetricFamily(f"noc_poll_module_{key}", help_, labels=labels)
        for key, help_ in (("pdus", "SNMP requests sent by the module (without retries)."),
                           ("retries", "SNMP retransmissions by the module."),
                           ("timeouts", "SNMP requests of the module that got no answer."),
                           ("errors", "Polls in which the module failed."))
    }
    for name, dev in devices.items():
        for module, totals in dev.modules.items():
            duration.add_metric([name, module], totals.last_duration)
            for key, family in families.items():
                family.add_metric([name, module], getattr(totals, key))
    yield duration
    yield from families.values()


def _engine_families(summary: dict[str, Any]) -> Iterator[Metric]:
    boots = GaugeMetricFamily("noc_snmp_engine_boots", "SNMPv3 snmpEngineBoots of the device.",
                              labels=["device"])
    dup = GaugeMetricFamily("noc_snmp_engine_duplicate",
                            "1 if the device shares its SNMPv3 engine ID with another device.",
                            labels=["device", "engine_id"])
    for device, engine in summary.get("engines", {}).items():
        boots.add_metric([device], engine["boots"])
    for engine_id, devices in summary.get("duplicates", {}).items():
        for device in devices:
            dup.add_metric([device, engine_id], 1)
    yield from (boots, dup)


def _self_families(snap: Snapshot) -> Iterator[Metric]:
    s = snap.scheduler
    yield CounterMetricFamily("noc_polls", "Polls started.", value=s.started)
    yield CounterMetricFamily("noc_polls_skipped", "Polls skipped: previous poll still running.",
                              value=s.skipped)
    yield GaugeMetricFamily("noc_scheduler_lag_seconds", "How late the last poll started.",
                            value=s.lag_seconds)
    errors = sum(d.poll_errors for d in snap.devices.values())
    yield CounterMetricFamily("noc_poll_errors", "Polls that failed.", value=errors)
    snmp = CounterMetricFamily("noc_snmp_client_events", "SNMP client events by kind.",
                               labels=["event"])
    for key, value in sorted(snap.client_stats.items()):
        snmp.add_metric([key], value)
    yield snmp
