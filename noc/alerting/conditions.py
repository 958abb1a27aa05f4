"""Evaluate the built-in alert rules over the inventory and the live state.

:func:`evaluate` is a pure function: it reads the :class:`~inventory.catalog.Catalog`,
the devices' :class:`~noc.state.DeviceState` and the poller's self-monitoring
figures, and returns every :class:`~noc.alerting.model.Condition` true right
now. How long a condition must hold (``for:``) is the lifecycle's business,
not this module's. Reachability, links, agencies and the NOC itself are
judged here; interface counters and device health (CPU, memory, disks,
sensors) in :mod:`noc.alerting.conditions_health`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from inventory.catalog import Catalog, CatDevice, CatLink
from noc.alerting.conditions_health import facts_conditions, fmt, interface_conditions, port_name
from noc.alerting.model import Condition
from noc.alerting.rules import EffectiveRule, RuleSet
from noc.state import DeviceState, InterfaceState

if TYPE_CHECKING:
    from noc.icmp_monitor import IcmpStats
    from noc.scheduler import SchedulerStats


@dataclass(frozen=True, slots=True)
class EvalContext:
    """What one evaluation needs besides the inventory and device states.

    ``skipped_before`` is :attr:`SchedulerStats.skipped` as it was at the
    previous evaluation (the caller keeps it): polls skipped since then make
    the poller lag. None: skips are not judged this time.
    """

    now: float
    poll_interval: float
    scheduler: SchedulerStats | None = None
    icmp: IcmpStats | None = None
    icmp_interval: float | None = None
    skipped_before: int | None = None


def evaluate(catalog: Catalog, devices: Mapping[str, DeviceState], ctx: EvalContext,
             rules: RuleSet) -> list[Condition]:
    """Every rule condition true now, over the whole inventory."""
    out: list[Condition] = []
    ends = _link_ends(catalog.links)
    agencies = catalog.agencies
    for dev in catalog.devices.values():
        state = devices.get(dev.name)
        if state is None or dev.status != "active":
            continue
        prof = rules.for_device(dev, agencies.get(dev.agency))
        _reachability(dev, state, prof, out)
        if state.up is True:
            if state.interfaces:
                interface_conditions(dev, state, prof, ends.get(dev.name, ()), out)
            if state.facts is not None:
                facts_conditions(dev, state.facts, prof, out)
    _link_conditions(catalog, devices, rules, out)
    _redundancy_conditions(catalog, devices, rules, out)
    _noc_conditions(ctx, rules.for_device(None, None)["poller_lagging"], out)
    return out


def _link_ends(links: tuple[CatLink, ...]) -> dict[str, set[int]]:
    ends: dict[str, set[int]] = {}
    for link in links:
        for name, index in ((link.a_device, link.a_if_index), (link.b_device, link.b_if_index)):
            if index is not None:
                ends.setdefault(name, set()).add(index)
    return ends


def _reachability(dev: CatDevice, state: DeviceState, prof: Mapping[str, EffectiveRule],
                  out: list[Condition]) -> None:
    polled = dev.polled
    if polled:
        if state.up is not False:
            return
        unreachable = state.icmp_up is not True
    elif dev.monitoring == "icmp" and dev.address:
        if state.icmp_up is not False:
            return
        unreachable = True
    else:
        return
    kind = "SSH" if dev.monitoring == "ssh" else "SNMP"
    if unreachable:
        rule = prof["device_unreachable"]
        if rule.enabled:
            what = f"ping or {kind}" if polled else "ping"
            out.append(Condition(rule.name, dev.name, rule.severity,
                                 f"{dev.name} does not answer {what}", dev.name, dev.agency))
        return
    rule = prof["snmp_not_answering"]
    if rule.enabled:
        out.append(Condition(rule.name, dev.name, rule.severity,
                             f"{dev.name} answers ping but not {kind}", dev.name, dev.agency))


def _live_iface(devices: Mapping[str, DeviceState], name: str,
                index: int | None) -> InterfaceState | None:
    """The interface in the latest poll of a device that is up (None: not known now)."""
    state = devices.get(name)
    if state is None or state.up is not True or index is None:
        return None
    return state.interfaces.get(index)


def _link_conditions(catalog: Catalog, devices: Mapping[str, DeviceState], rules: RuleSet,
                     out: list[Condition]) -> None:
    for link in catalog.links:
        b = catalog.devices.get(link.b_device)
        agency = b.agency if b else None
        prof = rules.for_device(b, catalog.agencies.get(agency) if agency else None)
        ends = ((link.a_device, _live_iface(devices, link.a_device, link.a_if_index)),
                (link.b_device, _live_iface(devices, link.b_device, link.b_if_index)))
        labels = {"link": link.name, "a_device": link.a_device, "b_device": link.b_device}
        down = prof["link_down"]
        if down.enabled:
            for name, iface in ends:
                sample = iface.sample if iface else None
                if sample is not None and sample.admin_status == 1 and sample.oper_status != 1:
                    port = port_name(sample)
                    out.append(Condition(
                        down.name, link.name, down.severity,
                        f"link {link.name} down ({name} {port} oper down)", link.b_device,
                        agency, {**labels, "interface": port}))
                    break
        high = prof["utilization_high"]
        if high.enabled and high.threshold is not None:
            _utilization(link, ends, high, agency, labels, out)


def _utilization(link: CatLink, ends: tuple[tuple[str, InterfaceState | None], ...],
                 rule: EffectiveRule, agency: str | None, labels: dict[str, str],
                 out: list[Condition]) -> None:
    """Utilization measured at the first end known (the A end: upstream, when up)."""
    for name, iface in ends:
        if iface is None:
            continue
        bandwidth = link.bandwidth_mbps * 1e6
        rates = [r for r in (iface.in_bps, iface.out_bps) if r is not None]
        util = (max(rates) / bandwidth if rates else None) if bandwidth else iface.utilization()
        if util is not None and rule.threshold is not None and util > rule.threshold:
            port = port_name(iface.sample)
            out.append(Condition(
                rule.name, link.name, rule.severity,
                f"link {link.name} {fmt(util * 100)} % utilized at {name} {port} "
                f"(threshold {fmt(rule.threshold * 100)} %)", link.b_device, agency,
                {**labels, "interface": port}, util))
        return


def _uplink_down(link: CatLink, devices: Mapping[str, DeviceState]) -> bool:
    a = devices.get(link.a_device)
    if a is not None and a.up is False:
        return True
    for name, index in ((link.a_device, link.a_if_index), (link.b_device, link.b_if_index)):
        iface = _live_iface(devices, name, index)
        if iface is not None and iface.sample.oper_status != 1:
            return True
    return False


def _redundancy_conditions(catalog: Catalog, devices: Mapping[str, DeviceState],
                           rules: RuleSet, out: list[Condition]) -> None:
    uplinks: dict[str, list[CatLink]] = {}
    for link in catalog.links:
        a, b = catalog.devices.get(link.a_device), catalog.devices.get(link.b_device)
        if a is not None and b is not None and a.agency != b.agency:
            uplinks.setdefault(b.agency, []).append(link)
    for code, links in uplinks.items():
        if len(links) < 2:
            continue
        down = [link.name for link in links if _uplink_down(link, devices)]
        if not down or len(down) == len(links):
            continue
        rule = rules.for_device(None, catalog.agencies.get(code))["redundancy_lost"]
        if rule.enabled:
            out.append(Condition(
                rule.name, code, rule.severity,
                f"{code} redundancy lost: {len(down)} of {len(links)} uplinks down "
                f"({', '.join(down)})", None, code, {"links": ",".join(down)},
                float(len(down))))


def _noc_conditions(ctx: EvalContext, rule: EffectiveRule, out: list[Condition]) -> None:
    if not rule.enabled:
        return
    stats = ctx.scheduler
    if stats is not None:
        limit = rule.threshold if rule.threshold is not None else ctx.poll_interval / 2
        skipped = (stats.skipped - ctx.skipped_before
                   if ctx.skipped_before is not None else 0)
        if stats.lag_seconds > limit or skipped > 0:
            out.append(Condition(
                rule.name, "noc:poller", rule.severity,
                f"SNMP poller lagging: polls start {fmt(stats.lag_seconds)} s late "
                f"(threshold {fmt(limit)} s), {max(skipped, 0)} skipped", None, None,
                {"component": "poller"}, stats.lag_seconds))
    icmp, interval = ctx.icmp, ctx.icmp_interval
    if icmp is None or not interval or not icmp.cycles:
        return
    stalled = ctx.now - icmp.last_started - icmp.last_duration
    if icmp.last_duration > interval or stalled > 3 * interval:
        what = (f"last cycle took {fmt(icmp.last_duration)} s" if icmp.last_duration > interval
                else f"no cycle for {fmt(stalled)} s")
        out.append(Condition(
            rule.name, "noc:icmp", rule.severity,
            f"ICMP monitor lagging: {what} (interval {fmt(interval)} s)", None, None,
            {"component": "icmp"}, max(icmp.last_duration, stalled)))
