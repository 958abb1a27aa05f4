"""Prometheus exposition: metric families built from a state snapshot at scrape time.

No per-sample Gauge objects and no I/O in ``collect()``: the collector reads
the in-memory state and the catalog. Inventory labels (agency, site, class,
vendor, model) live on ``noc_device_info`` so hot series carry only
``device`` and ``interface`` (the ifName); join them in PromQL with ``* on(device)
group_left(agency) noc_device_info``. Raw interface counters are exported as
counters (Prometheus' ``rate()`` handles wraps and resets); the NOC's own
rates are gauges.

**Scopes.** ``/metrics?shard=i&of=n`` (1-based ``i``) exports the device
series (device, interface, module, engine and health families) of the devices
whose name hashes to shard ``i`` (:func:`noc.scheduler.in_shard`, the same
split as the poller's); agency and self metrics go to shard 1 only, so the n
shards together hold every series exactly once. ``?agency=CODE`` exports that
agency's devices and its own agency series, no self metrics. See
:func:`parse_scope` and :func:`render` (gzip when the scraper accepts it).

**Counter64 precision.** Prometheus stores every sample as a float64, so the
exporter writes ``float(value)``. Up to 2^53 (9 PB: ~8 days of a saturated
100G link, ~83 days at 10G) that is the exact integer, and the text form
(``repr``-based, shortest round-trip) parses back to exactly it. Above 2^53 the
value is rounded to the nearest float64 (ties to even): for a value in
[2^e, 2^(e+1)) the error is at most 2^(e-53), i.e. at most 1 KiB near 2^64, so
``rate()`` over a window of Δt seconds is off by at most 2^(e-52)/Δt B/s
(137 B/s over 15 s at 2^64; 0.002 % of a 100G link). Exporting the counter
modulo 2^53 instead would make ``rate()`` see a reset at every fold and lose a
whole interval: worse. Tested in ``tests/unit/noc/test_metrics.py``.
"""

from __future__ import annotations

import dataclasses
import gc
import gzip
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from inventory.catalog import Catalog
from noc.icmp_monitor import IcmpStats
from noc.influx.metrics import InfluxStats, influx_families
from noc.metrics_alerting import AlertingMetrics, alerting_families
from noc.metrics_health import health_families
from noc.metrics_icmp import icmp_device_families, icmp_self_families
from noc.metrics_ssh import ssh_self_families
from noc.metrics_text import Family, write_text
from noc.scheduler import SchedulerStats, in_shard
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
    influx: InfluxStats | None = None  # None: InfluxDB export off
    icmp: IcmpStats | None = None  # None: ICMP job off
    ssh: SshJobStats | None = None  # None: SSH job off
    alerting: AlertingMetrics | None = None  # None: alerting off


if TYPE_CHECKING:
    from noc.ssh_job import SshJobStats  # keeps netmiko out of the /metrics import

GZIP_LEVEL = 1  # 5-6x smaller than plain text at a fraction of level 6's CPU (bench)
MAX_SHARDS = 1024


@dataclass(frozen=True, slots=True)
class Scope:
    """Which part of the state one scrape exports (see the module docstring)."""

    shard: int = 1
    of: int = 1
    agency: str | None = None

    @property
    def whole(self) -> bool:
        """True for a plain ``/metrics``."""
        return self.of == 1 and self.agency is None

    @property
    def with_globals(self) -> bool:
        """Whether agency and self metrics belong to this scope."""
        return self.shard == 1 and self.agency is None

    def wants(self, device: str, agency: str | None) -> bool:
        """Whether a device (of ``agency``) belongs to this scope."""
        return (self.agency is None or agency == self.agency) and in_shard(device, self.shard,
                                                                           self.of)


def _positive_int(params: Mapping[str, str], key: str) -> int:
    raw = params[key]
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{key}={raw!r}: expected a positive integer")
    return int(raw)


def parse_scope(params: Mapping[str, str], agencies: Collection[str]) -> Scope:
    """The scope of ``/metrics`` query parameters; ValueError says what is wrong."""
    unknown = sorted(set(params) - {"shard", "of", "agency"})
    if unknown:
        raise ValueError(f"unknown parameter(s) {', '.join(unknown)}: use shard&of or agency")
    if ("shard" in params) != ("of" in params):
        raise ValueError("shard and of go together: ?shard=i&of=n (1 <= i <= n)")
    shard = of = 1
    if "shard" in params:
        shard, of = _positive_int(params, "shard"), _positive_int(params, "of")
        if shard > of or of > MAX_SHARDS:
            raise ValueError(f"shard={shard}&of={of}: need 1 <= shard <= of <= {MAX_SHARDS}")
    agency = params.get("agency")
    if agency is not None and agency not in agencies:
        raise ValueError(f"agency={agency!r}: no such agency code")
    return Scope(shard, of, agency)


class NocCollector(Collector):
    """A prometheus-client collector over the NOC's live state."""

    def __init__(self, snapshot: Callable[[], Snapshot]) -> None:
        self._snapshot = snapshot

    def collect(self) -> Iterable[Metric]:
        """Yield every metric family of the current state."""
        for fam in self.families(Scope()):
            yield fam.metric() if isinstance(fam, Family) else fam

    def families(self, scope: Scope) -> Iterator[Family | Metric]:
        """The metric families of one scope of the current state (see :func:`write_text`)."""
        snap = self._snapshot()
        if not scope.whole:
            snap = restrict(snap, scope)
        yield from _device_families(snap)
        yield from _interface_families(snap.devices)
        yield from _agency_families(snap.agencies)
        yield from _module_families(snap.devices)
        yield from _engine_families(snap.engines)
        yield from health_families(snap.devices)
        yield from icmp_device_families(snap.devices)
        if scope.with_globals:
            yield from _self_families(snap)
            yield from influx_families(snap.influx)
            yield from icmp_self_families(snap.icmp)
            yield from ssh_self_families(snap.ssh)
            yield from alerting_families(snap.alerting)


def restrict(snap: Snapshot, scope: Scope) -> Snapshot:
    """The part of a snapshot one scope exports."""
    cat = snap.catalog
    agency_of = {name: dev.agency for name, dev in cat.devices.items()}
    keep = {name for name in agency_of.keys() | snap.devices.keys()
            if scope.wants(name, agency_of.get(name))}
    engines = {
        "engines": {d: e for d, e in snap.engines.get("engines", {}).items() if d in keep},
        "duplicates": {e: [d for d in devs if d in keep]
                       for e, devs in snap.engines.get("duplicates", {}).items()},
    }
    agencies = ([a for a in snap.agencies if a.code == scope.agency] if scope.agency
                else snap.agencies if scope.with_globals else [])
    catalog = dataclasses.replace(cat, devices={n: d for n, d in cat.devices.items() if n in keep})
    return dataclasses.replace(snap, catalog=catalog, agencies=agencies, engines=engines,
                               devices={n: d for n, d in snap.devices.items() if n in keep})


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` header allows gzip (and does not refuse it with q=0)."""
    for part in accept_encoding.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            q = params.strip().removeprefix("q=").strip()
            return not q or _q_positive(q)
    return False


def _q_positive(q: str) -> bool:
    try:
        return float(q) > 0
    except ValueError:
        return True


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC during a render.

    Its ~10^5 fresh tuples would trigger full collections over the whole state
    (bench/metrics_render.py measured the family building up to 2x slower).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render(collector: NocCollector, scope: Scope, accept_encoding: str = "",
           attempts: int = 3) -> tuple[bytes, dict[str, str]]:
    """The exposition text of a scope and its extra headers (gzip when accepted).

    Runs in a worker thread while polls update the state: a dict that grows
    during the scrape (a new device or ifIndex) raises RuntimeError; try again.
    """
    for attempt in range(attempts):
        try:
            with _gc_paused():
                body = write_text(collector.families(scope))
            break
        except RuntimeError:
            if attempt == attempts - 1:
                raise
    headers = {"Vary": "Accept-Encoding"}
    if accepts_gzip(accept_encoding):
        body = gzip.compress(body, compresslevel=GZIP_LEVEL)
        headers["Content-Encoding"] = "gzip"
    return body, headers


def _device_families(snap: Snapshot) -> Iterator[Family]:
    info = Family("noc_device_info", "gauge", "Inventory facts of a device (value 1).",
                  ["device", "agency", "site", "class", "vendor", "model"])
    up = Family("noc_device_up", "gauge", "1 if the device answered its last SNMP poll, else 0.",
                ["device"])
    uptime = Family("noc_device_uptime_seconds", "gauge", "Agent uptime (sysUpTime).", ["device"])
    duration = Family("noc_device_poll_duration_seconds", "gauge",
                      "Duration of the device's last poll.", ["device"])
    for dev in snap.catalog.devices.values():
        info.add((dev.name, dev.agency, dev.site, dev.device_class, dev.vendor, dev.model), 1)
    polled = {name for name, dev in snap.catalog.devices.items() if dev.polled}
    for name, state in snap.devices.items():
        if state.up is None or name not in polled:
            continue  # ICMP-only assets: noc_icmp_up
        lv = (name,)
        up.add(lv, 1 if state.up else 0)
        duration.add(lv, state.last_duration)
        if state.up and state.system:
            uptime.add(lv, state.system.uptime_ticks / 100)
    yield from (info, up, uptime, duration)


def _interface_families(devices: dict[str, DeviceState]) -> Iterator[Family]:
    labels = ["device", "interface"]  # ifName; snake_case keeps promtool lint clean
    counters = [(key, Family(name.removesuffix("_total"), "counter", help_, labels))
                for key, (name, help_) in _IF_COUNTERS.items()]
    oper = Family("noc_interface_oper_up", "gauge", "1 if ifOperStatus is up.", labels)
    admin = Family("noc_interface_admin_up", "gauge", "1 if ifAdminStatus is up.", labels)
    speed = Family("noc_interface_speed_bytes", "gauge",
                   "Interface speed in bytes per second (ifHighSpeed/ifSpeed / 8).", labels)
    rx = Family("noc_interface_receive_bytes_per_second", "gauge",
                "Inbound traffic rate computed by the NOC.", labels)
    tx = Family("noc_interface_transmit_bytes_per_second", "gauge",
                "Outbound traffic rate computed by the NOC.", labels)
    for name, dev in devices.items():
        if not dev.up:
            continue
        for iface in dev.interfaces.values():
            sample = iface.sample
            lv = (name, sample.name or str(sample.if_index))
            values = sample.counters
            for key, family in counters:
                if key in values:
                    family.rows.append((lv, values[key]))
            oper.rows.append((lv, 1 if sample.oper_status == 1 else 0))
            admin.rows.append((lv, 1 if sample.admin_status == 1 else 0))
            speed.rows.append((lv, sample.speed_bps // 8 if sample.speed_bps % 8 == 0
                               else sample.speed_bps / 8))
            in_bps, out_bps = iface.in_bps, iface.out_bps
            if in_bps is not None:
                rx.rows.append((lv, in_bps / 8))
            if out_bps is not None:
                tx.rows.append((lv, out_bps / 8))
    yield from (family for _, family in counters)
    yield from (oper, admin, speed, rx, tx)


def _agency_families(agencies: list[AgencyStatus]) -> Iterator[Family]:
    info = Family("noc_agency_info", "gauge", "Agency names and kind (value 1).",
                  ["agency", "kind", "name"])
    connected = Family("noc_agency_connected", "gauge",
                       "1 if the agency is reachable (up or degraded), else 0.", ["agency"])
    status = Family("noc_agency_status", "gauge", "1 for the agency's current status.",
                    ["agency", "status"])
    for ag in agencies:
        info.add((ag.code, ag.kind, ag.name_vi), 1)
        if ag.status != "unknown":
            connected.add((ag.code,), 1 if ag.status in ("up", "degraded") else 0)
        status.add((ag.code, ag.status), 1)
    yield from (info, connected, status)


def _module_families(devices: dict[str, DeviceState]) -> Iterator[Family]:
    labels = ["device", "module"]
    duration = Family("noc_poll_module_duration_seconds", "gauge",
                      "Duration of the module's part of the last poll.", labels)
    families = {
        key: Family(f"noc_poll_module_{key}", "counter", help_, labels)
        for key, help_ in (("pdus", "SNMP requests sent by the module (without retries)."),
                           ("retries", "SNMP retransmissions by the module."),
                           ("timeouts", "SNMP requests of the module that got no answer."),
                           ("errors", "Polls in which the module failed."))
    }
    for name, dev in devices.items():
        for module, totals in dev.modules.items():
            lv = (name, module)
            duration.add(lv, totals.last_duration)
            for key, family in families.items():
                family.add(lv, getattr(totals, key))
    yield duration
    yield from families.values()


def _engine_families(summary: dict[str, Any]) -> Iterator[Family]:
    boots = Family("noc_snmp_engine_boots", "gauge", "SNMPv3 snmpEngineBoots of the device.",
                   ["device"])
    dup = Family("noc_snmp_engine_duplicate", "gauge",
                 "1 if the device shares its SNMPv3 engine ID with another device.",
                 ["device", "engine_id"])
    for device, engine in summary.get("engines", {}).items():
        boots.add((device,), engine["boots"])
    for engine_id, devices in summary.get("duplicates", {}).items():
        for device in devices:
            dup.add((device, engine_id), 1)
    yield from (boots, dup)


def _self_families(snap: Snapshot) -> Iterator[Family]:
    s = snap.scheduler
    errors = sum(d.poll_errors for d in snap.devices.values())
    for name, kind, help_, value in (
            ("noc_polls", "counter", "Polls started.", s.started),
            ("noc_polls_skipped", "counter", "Polls skipped: previous poll still running.",
             s.skipped),
            ("noc_scheduler_lag_seconds", "gauge", "How late the last poll started.",
             s.lag_seconds),
            ("noc_poll_errors", "counter", "Polls that failed.", errors)):
        family = Family(name, kind, help_)
        family.add((), value)
        yield family
    snmp = Family("noc_snmp_client_events", "counter", "SNMP client events by kind.", ["event"])
    for key, value in sorted(snap.client_stats.items()):
        snmp.add((key,), value)
    yield snmp
