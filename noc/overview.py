"""The overview's data: one object the dashboard and the JSON API both render."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from inventory.catalog import Catalog
from noc.scheduler import SchedulerStats
from noc.state import DeviceState, Event
from noc.status import (
    AgencyStatus,
    LinkLoad,
    agency_statuses,
    busiest_links,
    connected_counts,
    link_loads,
)


@dataclass(frozen=True, slots=True)
class Overview:
    """What the wall screen shows, computed at one instant."""

    at: float
    counts: dict[str, tuple[int, int]]  # kind -> (connected, total)
    problems: list[AgencyStatus]  # down first, then degraded; oldest first
    busiest: list[LinkLoad]
    events: list[Event]
    devices_up: int
    devices_total: int
    interval: float
    lag_seconds: float
    lab: bool = False
    agencies: list[AgencyStatus] = field(default_factory=list)


def build_overview(catalog: Catalog, devices: dict[str, DeviceState], sched: SchedulerStats,
                   interval: float, lab: bool, events: list[Event]) -> Overview:
    """Compute the overview from inventory and live state."""
    statuses = agency_statuses(catalog, devices)
    problems = sorted((s for s in statuses if s.status in ("down", "degraded")),
                      key=lambda s: (s.status != "down", s.kind != "district", s.since or 0.0))
    network = {n for n, d in catalog.devices.items() if d.polled}  # not ICMP-only assets
    return Overview(
        at=time.time(),
        counts=connected_counts(statuses),
        problems=problems,
        busiest=busiest_links(link_loads(catalog, devices), 8),
        events=list(reversed(events[-12:])),
        devices_up=sum(1 for n in network if n in devices and devices[n].up),
        devices_total=len(network),
        interval=interval,
        lag_seconds=sched.lag_seconds,
        lab=lab,
        agencies=statuses,
    )
