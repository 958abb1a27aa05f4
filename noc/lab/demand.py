"""Traffic on lab links from the demand behind them, so both ends of a link agree.

Each device has its own demand (``traffic_mbps``). A link carries the demand
of everything downstream of it: a ward's uplink carries the ward, a district's
uplink carries the district and all its wards, the core's ports carry the
city. A dual-homed site sends most of its traffic over its first uplink and
the rest over the others. Downstream traffic (A to B) is the larger share,
as users download more than they send. The A end's *out* is the B end's
*in*, and vice versa, so utilization is the same whichever end is polled.

Rates are capped below the link's bandwidth at the daily peak of the profile.
"""

from __future__ import annotations

from noc.lab.model import LabLink, LabTopology
from noc.lab.recordings import port_ifindex
from noc.lab.traffic import PROFILE_PEAK

WRAP32_MIN_MBPS = 10.0  # own demand of a 32-bit device: its counters wrap about hourly
PRIMARY_SHARE = 0.7  # share of a dual-homed site's traffic on its first uplink
DOWN_SHARE = 0.65  # downstream (A to B) share of a link's traffic; the rest goes up
BYTES_PER_MBIT = 125_000
CORE_INTERLINK_SHARE = 0.05  # core-to-core links carry little: each core routes its own

PortRates = dict[int, tuple[float, float]]  # ifIndex -> (in, out) mean bytes/s


def _shares(topo: LabTopology) -> dict[str, float]:
    """Link name -> fraction of its B device's demand that flows over it."""
    uplinks: dict[str, list[LabLink]] = {}
    for link in topo.links:
        uplinks.setdefault(link.b_device, []).append(link)
    shares = {}
    for links in uplinks.values():
        if len(links) == 1:
            shares[links[0].name] = 1.0
            continue
        rest = (1 - PRIMARY_SHARE) / (len(links) - 1)
        for n, link in enumerate(links):
            shares[link.name] = PRIMARY_SHARE if n == 0 else rest
    return shares


def demands(topo: LabTopology) -> dict[str, float]:
    """Device name -> Mbit/s flowing through it (its own plus everything downstream)."""
    own = {d.name: max(d.traffic_mbps, WRAP32_MIN_MBPS) if d.counter_bits == 32
           else d.traffic_mbps for d in topo.devices if d.snmp}
    children: dict[str, list[LabLink]] = {}
    for link in topo.links:
        children.setdefault(link.a_device, []).append(link)
    shares = _shares(topo)
    memo: dict[str, float] = {}

    core = set(topo.core_devices)

    def total(name: str, path: frozenset[str]) -> float:
        if name in memo:
            return memo[name]
        value = own.get(name, 0.0) + sum(
            shares[link.name] * total(link.b_device, path | {name})
            for link in children.get(name, ())
            if link.b_device not in path | {name} and link.b_device not in core)
        memo[name] = value
        return value

    for name in own:
        total(name, frozenset())
    return memo


def link_mbps(topo: LabTopology) -> dict[str, float]:
    """Link name -> mean Mbit/s it carries (both directions together), capped by bandwidth."""
    demand, shares = demands(topo), _shares(topo)
    core = set(topo.core_devices)
    out = {}
    for link in topo.links:
        share = CORE_INTERLINK_SHARE if link.b_device in core else shares[link.name]
        out[link.name] = min(share * demand.get(link.b_device, 0.0),
                             0.9 * link.bandwidth_mbps / PROFILE_PEAK / DOWN_SHARE)
    return out


def port_rates(topo: LabTopology) -> dict[str, PortRates]:
    """Device name -> {ifIndex: (in, out) bytes/s} for every link port."""
    recordings = {d.name: d.recording for d in topo.devices}
    out: dict[str, PortRates] = {}
    mbps = link_mbps(topo)
    for link in topo.links:
        down = mbps[link.name] * DOWN_SHARE * BYTES_PER_MBIT
        up = mbps[link.name] * (1 - DOWN_SHARE) * BYTES_PER_MBIT
        for name, ordinal, rate in ((link.a_device, link.a_port, (up, down)),
                                    (link.b_device, link.b_port, (down, up))):
            recording = recordings.get(name)
            if recording is None:
                continue
            ports = out.setdefault(name, {})
            ifindex = port_ifindex(recording, ordinal)
            prev = ports.get(ifindex, (0.0, 0.0))
            ports[ifindex] = (prev[0] + rate[0], prev[1] + rate[1])
    return out
