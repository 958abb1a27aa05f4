"""Agency connection status and link utilization, derived from inventory + state.

An agency is *up* when every monitored device of it answers, *degraded* when
some do not (or one of several uplinks is down: redundancy lost), *down* when
none answers, *unknown* before the first poll or when nothing of it is
monitored. A down agency whose upstream device is down too is down *because
of upstream*: the fault is elsewhere, which is what an operator calls about.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from inventory.catalog import Catalog, CatLink
from noc.state import DeviceState

KINDS = ("department", "district", "ward")


@dataclass(frozen=True, slots=True)
class AgencyStatus:
    """Connection status of one agency."""

    code: str
    kind: str
    name_vi: str
    name_en: str
    status: str  # up | degraded | down | unknown
    since: float | None
    devices_up: int
    devices_total: int
    reason: str = ""  # why degraded/down, for the operator
    upstream: str | None = None  # the device whose failure isolates this agency
    upstream_agency: str | None = None  # the agency that device belongs to (the root cause)


@dataclass(frozen=True, slots=True)
class LinkLoad:
    """Current load of one link."""

    link: CatLink
    in_bps: float | None
    out_bps: float | None
    utilization: float | None  # 0..1 of the link bandwidth
    oper_up: bool | None


def _uplinks(catalog: Catalog) -> dict[str, list[CatLink]]:
    """Links entering each agency from another agency (its WAN uplinks)."""
    out: dict[str, list[CatLink]] = {}
    for link in catalog.links:
        a, b = catalog.devices.get(link.a_device), catalog.devices.get(link.b_device)
        if a and b and a.agency != b.agency:
            out.setdefault(b.agency, []).append(link)
    return out


def agency_statuses(catalog: Catalog, devices: dict[str, DeviceState]) -> list[AgencyStatus]:
    """Status of every agency, in catalog order."""
    uplinks = _uplinks(catalog)
    monitored: dict[str, list[str]] = {}
    for dev in catalog.devices.values():
        if dev.polled:
            monitored.setdefault(dev.agency, []).append(dev.name)
    return [_one(code, catalog, monitored.get(code, []), uplinks.get(code, []), devices)
            for code in catalog.agencies]


def _one(code: str, catalog: Catalog, names: list[str], uplinks: list[CatLink],
         devices: dict[str, DeviceState]) -> AgencyStatus:
    agency = catalog.agencies[code]
    states = [devices[n] for n in names if n in devices and devices[n].up is not None]
    up = [s for s in states if s.up]
    down = [s for s in states if not s.up]
    base = (agency.code, agency.kind, agency.name_vi, agency.name_en)
    if not states:
        return AgencyStatus(*base, "unknown", None, 0, len(names))
    if not up:
        since = max((s.since or 0.0) for s in down)
        upstream = _dead_upstream(uplinks, devices)
        reason = f"upstream {upstream} down" if upstream else (down[0].last_error or "no response")
        owner = catalog.devices[upstream].agency if upstream in catalog.devices else None
        return AgencyStatus(*base, "down", since, 0, len(names), reason, upstream, owner)
    lost = _down_uplinks(uplinks, devices)
    if down or lost:
        latest = max([(s.since or 0.0) for s in down] + [t for _, t in lost] or [0.0])
        reason = (f"{len(down)} of {len(names)} devices not answering" if down
                  else f"redundancy lost: {', '.join(n for n, _ in lost)} down")
        return AgencyStatus(*base, "degraded", latest or None, len(up), len(names), reason)
    since = min((s.since or 0.0) for s in up)
    return AgencyStatus(*base, "up", since, len(up), len(names))


def _dead_upstream(uplinks: list[CatLink], devices: dict[str, DeviceState]) -> str | None:
    """The upstream device, if every uplink's A end is down."""
    ends = [devices.get(link.a_device) for link in uplinks]
    if ends and all(e is not None and e.up is False for e in ends):
        return uplinks[0].a_device
    return None


def _down_uplinks(uplinks: list[CatLink],
                  devices: dict[str, DeviceState]) -> list[tuple[str, float]]:
    """(name, since) of uplinks whose B-end interface is oper down (multi-homed only)."""
    if len(uplinks) < 2:
        return []
    lost = []
    for link in uplinks:
        dev = devices.get(link.b_device)
        iface = dev.interfaces.get(link.b_if_index) if dev and link.b_if_index else None
        if iface is not None and iface.sample.oper_status != 1:
            lost.append((link.name, iface.oper_since or 0.0))
    return lost


def connected_counts(statuses: list[AgencyStatus]) -> dict[str, tuple[int, int]]:
    """Per agency kind: (connected, total); connected means up or degraded."""
    total = Counter(s.kind for s in statuses)
    connected = Counter(s.kind for s in statuses if s.status in ("up", "degraded"))
    return {kind: (connected[kind], total[kind]) for kind in KINDS if total[kind]}


def link_loads(catalog: Catalog, devices: dict[str, DeviceState]) -> list[LinkLoad]:
    """Load of every link, measured at its A end (upstream side) when known."""
    out = []
    for link in catalog.links:
        iface = None
        for dev_name, index in ((link.a_device, link.a_if_index), (link.b_device, link.b_if_index)):
            dev = devices.get(dev_name)
            if dev and dev.up and index is not None and index in dev.interfaces:
                iface = dev.interfaces[index]
                break
        if iface is None:
            out.append(LinkLoad(link, None, None, None, None))
            continue
        bw = link.bandwidth_mbps * 1e6
        rates = [r for r in (iface.in_bps, iface.out_bps) if r is not None]
        util = max(rates) / bw if rates and bw else None
        out.append(LinkLoad(link, iface.in_bps, iface.out_bps, util,
                            iface.sample.oper_status == 1))
    return out


def busiest_links(loads: list[LinkLoad], top: int = 10) -> list[LinkLoad]:
    """The ``top`` links by utilization."""
    known = [ld for ld in loads if ld.utilization is not None]
    return sorted(known, key=lambda ld: ld.utilization or 0.0, reverse=True)[:top]
