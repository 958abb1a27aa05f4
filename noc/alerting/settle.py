"""Who to wait for before paging: the devices upstream of an alert, and which look unwell.

Before an incident pages about a device, the service checks the devices on
its upstream path (:func:`ancestors`); one whose last poll or echo failed
but that is not declared down yet (:func:`suspect`) may be the real cause,
so the page waits a few seconds for it (``alerting.settle``).
"""

from __future__ import annotations

from noc.alerting.topology import Topology
from noc.state import DeviceState


def ancestors(topo: Topology, device: str, include_self: bool = False) -> list[str]:
    """Every device upstream of ``device`` (breadth first, bounded)."""
    out: list[str] = [device] if include_self else []
    seen = {device}
    frontier = [device]
    while frontier and len(seen) < 64:
        nxt = []
        for name in frontier:
            for parent, _link in topo.parents(name):
                if parent not in seen:
                    seen.add(parent)
                    out.append(parent)
                    nxt.append(parent)
        frontier = nxt
    return out


def suspect(state: DeviceState | None) -> bool:
    """A device whose last poll or echo failed but that is not (yet) declared down."""
    if state is None:
        return False
    if state.up is False or state.failures > 0:
        return True
    sample = state.icmp
    # an echo cut short by the cycle's deadline proves nothing
    return sample is not None and sample.complete and sample.sent > 0 and sample.received == 0
