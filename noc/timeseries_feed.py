"""What the runtime records into the series store, and under which keys.

Keys (the pages rely on them)::

    ("if", device, ifname, "in_bps" | "out_bps" | "in_errors" | "out_errors")
    ("dev", device, "cpu" | "mem_used_ratio" | "temp_max_c" | "rtt_ms" | "loss_ratio" | "up")
    ("agency", code, "up")
    ("link", link_name, "in_bps" | "out_bps" | "util")

``ifname`` is the interface's ifName (its ifIndex as text when it has none),
as in ``/metrics``. Units: bit/s, errors per second, CPU in percent, ratios
0..1, degrees Celsius, milliseconds; ``up`` is 1 or 0 (an agency is up when
up or degraded). ``link`` in/out are what :func:`noc.status.link_loads`
measures: at the A end when it answers.

**What is recorded** (city lab: 458 SNMP devices, ~500 links, 1,975 ICMP
assets): every device's ``dev`` series (up, CPU, memory and temperature of
SNMP devices; RTT, loss and up of pinged ones: ~7,300 series), every agency,
every link (~1,500) and the ``if`` series of **link ports only** (both ends
of every catalog link: ~4,000). Other ports are not recorded: 458 devices x
~48 ports x 4 is ~88,000 series (~9 GiB full), and their current values are in
``/metrics`` for Prometheus. Total ~13,000 series, ~1.4 GiB after 30 days
(:mod:`noc.timeseries`).
"""

from __future__ import annotations

from collections.abc import Iterable

from collectors.base import DeviceFacts
from collectors.icmp.parse import IcmpSample
from inventory.catalog import Catalog
from noc.state import DeviceState
from noc.status import AgencyStatus, LinkLoad
from noc.timeseries import SeriesStore

_ports_cache: tuple[Catalog, dict[str, frozenset[int]]] | None = None


def link_ports(catalog: Catalog) -> dict[str, frozenset[int]]:
    """The ifIndexes that are an end of a catalog link, by device (cached per catalog object)."""
    global _ports_cache
    if _ports_cache is not None and _ports_cache[0] is catalog:
        return _ports_cache[1]
    ports: dict[str, set[int]] = {}
    for link in catalog.links:
        for dev, index in ((link.a_device, link.a_if_index), (link.b_device, link.b_if_index)):
            if index is not None:
                ports.setdefault(dev, set()).add(index)
    frozen = {dev: frozenset(indexes) for dev, indexes in ports.items()}
    _ports_cache = (catalog, frozen)
    return frozen


def _put(store: SeriesStore, key: tuple[str, ...], at: float, value: float | None) -> None:
    if value is not None:
        store.record(key, at, value)


def feed_poll(store: SeriesStore, catalog: Catalog, state_device: DeviceState,
              at: float) -> None:
    """After an SNMP poll: the device's up, and the rates of its link ports while it is up."""
    dev = state_device
    if dev.up is None:
        return
    store.record(("dev", dev.name, "up"), at, 1.0 if dev.up else 0.0)
    if not dev.up:
        return  # its interfaces hold the last good poll: nothing new to record
    for index in link_ports(catalog).get(dev.name, ()):
        iface = dev.interfaces.get(index)
        if iface is None:
            continue
        ifname = iface.sample.name or str(index)
        _put(store, ("if", dev.name, ifname, "in_bps"), at, iface.in_bps)
        _put(store, ("if", dev.name, ifname, "out_bps"), at, iface.out_bps)
        _put(store, ("if", dev.name, ifname, "in_errors"), at, iface.rate("in_errors"))
        _put(store, ("if", dev.name, ifname, "out_errors"), at, iface.rate("out_errors"))


def feed_facts(store: SeriesStore, name: str, facts: DeviceFacts, at: float) -> None:
    """After a facts run: CPU percent, memory used ratio and the hottest temperature sensor."""
    if not facts.modules_run:
        return  # the run failed as a whole: no new values
    _put(store, ("dev", name, "cpu"), at, facts.cpu_percent)
    mem = facts.memory
    if mem is not None and mem.total_bytes > 0:
        store.record(("dev", name, "mem_used_ratio"), at, mem.used_bytes / mem.total_bytes)
    temps = [s.value for s in facts.sensors
             if s.kind == "temperature" and s.value is not None and s.unit in ("celsius", "")]
    if temps:
        store.record(("dev", name, "temp_max_c"), at, max(temps))


def feed_icmp(store: SeriesStore, name: str, sample: IcmpSample | None, at: float,
              up: bool | None = None) -> None:
    """After an ICMP cycle: RTT and loss; ``up`` for assets whose status is their reachability.

    Loss is recorded only from complete samples (a cycle stopped at its
    deadline proves nothing about losses); RTT only when something replied.
    """
    if up is not None:
        store.record(("dev", name, "up"), at, 1.0 if up else 0.0)
    if sample is None or sample.sent <= 0:
        return
    if sample.complete and up is None:  # assets: up and RTT only (thousands of them)
        store.record(("dev", name, "loss_ratio"), at,
                     (sample.sent - sample.received) / sample.sent)
    if sample.received > 0:
        _put(store, ("dev", name, "rtt_ms"), at, sample.rtt_avg_ms)


def feed_agencies(store: SeriesStore, statuses: Iterable[AgencyStatus], at: float) -> None:
    """Each agency's connection: 1 up or degraded, 0 down (unknown: nothing)."""
    for st in statuses:
        if st.status in ("up", "degraded", "down"):
            store.record(("agency", st.code, "up"), at, 0.0 if st.status == "down" else 1.0)


def feed_links(store: SeriesStore, loads: Iterable[LinkLoad], at: float) -> None:
    """Each link's traffic and utilization (:func:`noc.status.link_loads` output)."""
    for load in loads:
        name = load.link.name
        _put(store, ("link", name, "in_bps"), at, load.in_bps)
        _put(store, ("link", name, "out_bps"), at, load.out_bps)
        _put(store, ("link", name, "util"), at, load.utilization)
