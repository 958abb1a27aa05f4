"""Group active alerts into incidents: one dead uplink is one incident, which pages once.

:func:`assign` walks the devices in topology order (parents first) and sets
every active alert's ``suppressed_by`` (the root alert's fingerprint, or
None for a root) and ``incident`` (the root's fingerprint):

* a device is *down* when it has a ``device_unreachable`` alert, and
  *isolated* when every one of its upstream edges is broken (the parent is
  down or isolated, or the edge's link has a ``link_down`` alert); the alerts
  of an isolated device are suppressed by the root that isolates it, and a
  device's other alerts by its own ``device_unreachable``;
* a ``link_down`` and the ``device_unreachable`` of the device it cuts off are
  one incident, rooted at the alert notified first, else the older one, else
  the ``link_down``; a ``link_down`` whose A end is dead is suppressed by it;
* ``link_down`` alerts on an agency's uplinks while another uplink works are
  members of that agency's ``redundancy_lost`` incident;
* an alert that already paged as a root stays a root while it is active
  (demoting it would re-page), so an upstream root found later takes over
  only the alerts not yet notified.

Devices without known parents are never isolated: their alerts stay roots.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from inventory.catalog import Catalog
from noc.alerting.model import Alert, Contact, Incident, severity_rank
from noc.alerting.topology import Topology

UNREACHABLE = "device_unreachable"
LINK_DOWN = "link_down"
REDUNDANCY = "redundancy_lost"
KIND_ORDER = ("city", "department", "district", "ward", "other")
_EN_KIND = {"department": ("department", "departments"), "district": ("district", "districts"),
            "ward": ("ward", "wards"), "other": ("agency", "agencies"),
            "device": ("device", "devices")}
_VI_KIND = {"department": "sở/ngành", "district": "quận/huyện", "ward": "phường/xã"}


def _key(alert: Alert, pinned: set[str]) -> tuple[bool, bool, float, float, bool, str]:
    """Sort key of root candidates: paged roots, notified, fired first, older, link_down."""
    fired = alert.fired_at if alert.fired_at is not None else math.inf
    return (alert.fingerprint not in pinned, not alert.notified, fired, alert.active_since,
            alert.rule != LINK_DOWN, alert.fingerprint)


class _Assigner:
    """One evaluation's bookkeeping: which root explains each alert and each dead device."""

    def __init__(self, alerts: Sequence[Alert], topo: Topology) -> None:
        self.topo = topo
        self.active = [a for a in alerts if a.active]
        self.pinned = {a.fingerprint for a in self.active if a.notified and a.suppressed_by is None}
        self.root: dict[str, Alert] = {}  # alert fingerprint -> its root alert
        self.down: dict[str, Alert] = {}  # device -> root explaining why it is down or cut off
        self.unreachable: dict[str, Alert] = {}
        self.link_down: dict[str, Alert] = {}
        self.redundancy: dict[str, Alert] = {}
        for a in self.active:
            if a.rule == UNREACHABLE and a.device:
                self.unreachable[a.device] = a
            elif a.rule == LINK_DOWN:
                self.link_down[a.labels.get("link", a.subject)] = a
            elif a.rule == REDUNDANCY:
                self.redundancy[a.agency or a.subject] = a

    def best(self, candidates: Sequence[Alert]) -> Alert:
        """The candidate that should be the root."""
        return min(candidates, key=lambda a: _key(a, self.pinned))

    def settle(self, alert: Alert, root: Alert | None) -> Alert:
        """Record ``alert``'s root (itself when None or when it already paged as a root)."""
        chosen = alert if root is None or alert.fingerprint in self.pinned else root
        self.root[alert.fingerprint] = chosen
        return chosen

    def run(self) -> None:
        """Assign a root to every active alert, parents' devices first."""
        for name in self._region():
            self._device(name)
        for device, alert in self.unreachable.items():
            if alert.fingerprint not in self.root:  # a device the topology does not know
                self.down[device] = self.settle(alert, None)
        for alert in self.redundancy.values():
            self._redundancy(alert)
        for name, alert in self.link_down.items():
            if alert.fingerprint not in self.root:
                self._link(name, alert)
        for alert in self.active:
            if alert.fingerprint not in self.root:
                self.settle(alert, self._other_root(alert))

    def _region(self) -> list[str]:
        """Devices that may be down or cut off, and devices with alerts; in topology order."""
        seeds = set(self.unreachable)
        for name in self.link_down:
            link = self.topo.link(name)
            if link is not None:
                seeds.add(link.b_device)
        found = set(seeds)
        stack = list(seeds)
        while stack:
            for child, _ in self.topo.children(stack.pop()):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        found.update(a.device for a in self.active if a.device)
        return sorted((n for n in found if self.topo.rank(n) >= 0), key=self.topo.rank)

    def _device(self, name: str) -> None:
        """Decide whether ``name`` is cut off, and root its device_unreachable."""
        cause: Alert | None = None
        upstream: list[Alert] = []
        cut: list[Alert] = []
        for parent, link in self.topo.parents(name):
            if parent in self.down:
                upstream.append(self.down[parent])
            elif link is not None and link in self.link_down:
                cut.append(self.link_down[link])
            else:
                upstream, cut = [], []
                break
        own = self.unreachable.get(name)
        if cut:
            group = [*cut, own] if own else cut
            cause = self.best(group)
            for alert in group:
                self.settle(alert, cause)
        elif upstream:
            cause = self.best(upstream)
        if own is not None:
            self.down[name] = self.root.get(own.fingerprint) or self.settle(own, cause)
        elif cause is not None:
            self.down[name] = cause

    def _redundancy(self, alert: Alert) -> None:
        """Suppress a redundancy_lost whose down uplinks all lost their upstream end."""
        agency = alert.agency or alert.subject
        names = [n for n in re.split(r"[,\s]+", alert.labels.get("links", "")) if n]
        if not names:
            names = [ln.name for ln in self.topo.uplinks_of_agency(agency)
                     if ln.name in self.link_down]
        explained = []
        for name in names:
            link = self.topo.link(name)
            if link is None or link.a_device not in self.down:
                self.settle(alert, None)
                return
            explained.append(self.down[link.a_device])
        self.settle(alert, self.best(explained) if explained else None)

    def _link(self, name: str, alert: Alert) -> None:
        """Root a link_down that does not cut its B end off."""
        link = self.topo.link(name)
        if link is not None and link.a_device in self.down:
            self.settle(alert, self.down[link.a_device])
            return
        agency = self.topo.agency_of(link.b_device) if link else alert.agency
        red = self.redundancy.get(agency or "")
        if red is not None and link is not None and any(
                up.name == name for up in self.topo.uplinks_of_agency(agency or "")):
            self.settle(alert, self.root[red.fingerprint])
            return
        self.settle(alert, None)

    def _other_root(self, alert: Alert) -> Alert | None:
        """The root of a device-scoped alert: its device's death, or its link's failure."""
        if alert.device is None:
            return None
        if alert.device in self.down:
            return self.down[alert.device]
        _, _, index = alert.subject.partition("/")
        link = self.topo.link_at(alert.device, int(index)) if index.isdigit() else None
        if link is not None and link in self.link_down:
            return self.root[self.link_down[link].fingerprint]
        return None


def assign(alerts: Sequence[Alert], topo: Topology, catalog: Catalog) -> list[Incident]:
    """Set ``suppressed_by``/``incident`` of the active alerts; their incidents, worst first."""
    work = _Assigner(alerts, topo)
    work.run()
    members: dict[str, list[Alert]] = {}
    roots: list[Alert] = []
    for alert in work.active:
        root = work.root[alert.fingerprint]
        alert.incident = root.fingerprint
        alert.suppressed_by = None if root is alert else root.fingerprint
        if root is alert:
            roots.append(alert)
        else:
            members.setdefault(root.fingerprint, []).append(alert)
    dead: dict[str, set[str]] = {}
    for device, root in work.down.items():
        dead.setdefault(root.fingerprint, set()).add(device)
    incidents = [_incident(root, members.get(root.fingerprint, []),
                           dead.get(root.fingerprint, set()), topo, catalog) for root in roots]
    incidents.sort(key=lambda i: (severity_rank(i.severity), i.root.active_since, i.id))
    return incidents


def _incident(root: Alert, members: list[Alert], dead: set[str], topo: Topology,
              catalog: Catalog) -> Incident:
    """One incident with its affected devices and agencies, contacts and title.

    ``dead`` are the devices down or cut off because of ``root``: they and the
    root's device are the affected devices (a member about a device that still
    answers, like the far end of a down link, does not count), and an agency is
    isolated when all its polled devices are among them.
    """
    devices = dead | {root.device} if root.device else dead
    home = _home_agency(root, topo)
    isolated = [code for code in {topo.agency_of(d) for d in dead}
                if code is not None and code in catalog.agencies
                and topo.polled_of_agency(code) and topo.polled_of_agency(code) <= dead]
    isolated.sort(key=lambda c: (c != home, _kind_rank(catalog.agencies[c].kind), c))
    incident = Incident(root.fingerprint, root, members, affected_agencies=isolated,
                        affected_devices=len(devices))
    callees = isolated or ([home] if home in catalog.agencies else [])
    for code in callees:
        ag = catalog.agencies[code]
        if ag.contact_name or ag.contact_phone or ag.contact_email:
            incident.contacts.append(Contact(code, ag.contact_name, ag.contact_phone,
                                             ag.contact_email))
    incident.title = title_en(incident, catalog)
    return incident


def _home_agency(root: Alert, topo: Topology) -> str | None:
    """The agency a root alert is about."""
    if root.device is not None and topo.agency_of(root.device) is not None:
        return topo.agency_of(root.device)
    return root.agency


def _kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def _parts(incident: Incident, catalog: Catalog) -> tuple[str | None, Counter[str]]:
    """The isolated agency the root is about (its Vietnamese name), and the others by kind."""
    codes = list(incident.affected_agencies)
    root = incident.root
    device = catalog.devices.get(root.device or "")
    home = device.agency if device is not None else root.agency
    primary = None
    if codes and codes[0] == home:
        primary = catalog.agencies[codes.pop(0)].name_vi
    kinds = Counter(catalog.agencies[c].kind if catalog.agencies[c].kind in _VI_KIND
                    else "other" for c in codes if c in catalog.agencies)
    return primary, kinds


def _join(items: list[str], conj: str) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {conj} {items[-1]}"


def _en_count(n: int, kind: str) -> str:
    one, many = _EN_KIND[kind]
    return f"{n} {one if n == 1 else many}"


def _links(incident: Incident) -> str:
    """The names of the down links in a redundancy_lost incident."""
    names = sorted({m.labels.get("link", m.subject) for m in incident.members
                    if m.rule == LINK_DOWN})
    return ", ".join(names) or incident.root.labels.get("links", "")


def _cut(incident: Incident) -> list[str]:
    """The root link and the other down links into the same device (all cut it off)."""
    root = incident.root
    names = {m.labels.get("link", m.subject) for m in incident.members
             if m.rule == LINK_DOWN and m.device == root.device}
    return sorted(names | {root.labels.get("link", root.subject)})


def title_en(incident: Incident, catalog: Catalog) -> str:
    """The English title ("Quận 7 isolated: uplink q7-uplink-metronet down, ...")."""
    root = incident.root
    primary, kinds = _parts(incident, catalog)
    counted = [_en_count(n, k) for k, n in sorted(kinds.items(), key=lambda kv: _kind_rank(kv[0]))]
    devices = _en_count(incident.affected_devices, "device")
    cut = _cut(incident)
    link = f"uplink{'s' if len(cut) > 1 else ''} {', '.join(cut)}"
    if root.rule == REDUNDANCY:
        agency = catalog.agencies.get(root.agency or root.subject)
        return f"Redundancy lost at {agency.name_vi if agency else root.subject}: " \
               f"{_links(incident)} down"
    if root.rule == LINK_DOWN and primary:
        return f"{primary} isolated: {link} down, {_join([*counted, devices], 'and')} " \
               "affected"
    if root.rule == LINK_DOWN and counted:
        return f"U{link[1:]} down: {_join(counted, 'and')} isolated, {devices} affected"
    if root.rule == UNREACHABLE and (primary or counted):
        names = [primary] if primary else []
        return f"{root.device} unreachable: {_join([*names, *counted], 'and')} isolated, " \
               f"{devices} affected"
    related = len(incident.members)
    return root.summary + (f", {related} related alert{'s' if related > 1 else ''}"
                           if related else "")


def title_vi(incident: Incident, catalog: Catalog) -> str:
    """The Vietnamese title ("Quận 7 mất kết nối: đường truyền ... bị đứt, ...")."""
    root = incident.root
    primary, kinds = _parts(incident, catalog)
    counted = [f"{n} {_VI_KIND.get(k, 'đơn vị')}"
               for k, n in sorted(kinds.items(), key=lambda kv: _kind_rank(kv[0]))]
    devices = f"{incident.affected_devices} thiết bị"
    link = ", ".join(_cut(incident))
    if root.rule == REDUNDANCY:
        agency = catalog.agencies.get(root.agency or root.subject)
        return f"Mất dự phòng tại {agency.name_vi if agency else root.subject}: " \
               f"{_links(incident)} bị đứt"
    if root.rule == LINK_DOWN and primary:
        return f"{primary} mất kết nối: đường truyền {link} bị đứt, ảnh hưởng " \
               f"{_join([*counted, devices], 'và')}"
    if root.rule == LINK_DOWN and counted:
        return f"Đường truyền {link} bị đứt: {_join(counted, 'và')} mất kết nối, " \
               f"ảnh hưởng {devices}"
    if root.rule == UNREACHABLE and (primary or counted):
        names = [primary] if primary else []
        return f"{root.device} không phản hồi: {_join([*names, *counted], 'và')} mất kết nối, " \
               f"ảnh hưởng {devices}"
    related = len(incident.members)
    return root.summary + (f", {related} cảnh báo liên quan" if related else "")
