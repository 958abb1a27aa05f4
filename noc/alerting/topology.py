"""Who is upstream of whom: the dependency graph that alert suppression walks.

:meth:`Topology.build` turns the inventory into a directed acyclic graph of
*parent edges* ``(parent device, link name | None)``:

1. every inventory link makes its A end a parent of its B end (A is upstream),
   except a *peer link*: between two devices of the same class at the same
   site that both serve other sites (a core pair's interlink). Neither is
   behind the other, so one core router dying does not cut off its twin;
2. a device with no inventory uplink that LLDP/CDP shows next to a known
   device closer to a root (breadth-first depth from the roots, the devices
   with downstream links and no upstream) gets that neighbour as parent;
3. a device still without parent that is ICMP-only or has no link at all
   hangs off the polled network devices (routers, switches, firewalls) of
   its site, when the site has some;
4. anything else has no parent: its alerts are never suppressed.

Cycles (a bad inventory, two switches seeing each other) are broken by
dropping the edges that close them (back edges of a depth-first walk from
the roots), so the graph used afterwards is always acyclic. Everything is
computed once at build time; queries are dictionary lookups.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Mapping, Sequence

from collectors.base import Neighbor
from inventory.catalog import Catalog, CatDevice, CatLink
from inventory.enums import DeviceClass

NETWORK_CLASSES = frozenset({DeviceClass.ROUTER.value, DeviceClass.CORE_SWITCH.value,
                             DeviceClass.DISTRIBUTION_SWITCH.value,
                             DeviceClass.ACCESS_SWITCH.value, DeviceClass.FIREWALL.value})

Edge = tuple[str, str | None]  # (parent device, link name or None when not from a link)


def _peer_links(catalog: Catalog) -> set[str]:
    """Links between two same-class devices of one site that both serve other sites."""
    devices = catalog.devices
    serves_others: set[str] = set()
    for link in catalog.links:
        a, b = devices.get(link.a_device), devices.get(link.b_device)
        if a is not None and b is not None and a.site != b.site:
            serves_others.add(a.name)
    peers = set()
    for link in catalog.links:
        a, b = devices.get(link.a_device), devices.get(link.b_device)
        if (a is not None and b is not None and a.site == b.site
                and a.device_class == b.device_class
                and a.name in serves_others and b.name in serves_others):
            peers.add(link.name)
    return peers


class Topology:
    """The parent edges of every device, acyclic, in an order where parents come first."""

    __slots__ = ("_agency_of", "_children", "_depth", "_link_at", "_links", "_order",
                 "_parents", "_polled", "_rank", "_uplinks")

    def __init__(self, parents: dict[str, list[Edge]], catalog: Catalog) -> None:
        self._parents = parents
        self._children: dict[str, list[Edge]] = {name: [] for name in parents}
        for child, edges in parents.items():
            for parent, via in edges:
                self._children[parent].append((child, via))
        self._order = _topological(parents, self._children)
        self._rank = {name: i for i, name in enumerate(self._order)}
        self._depth = _bfs_depth({p: [c for c, _ in edges] for p, edges in self._children.items()},
                                 [n for n in self._order if not parents[n]])
        self._links = {link.name: link for link in catalog.links}
        self._agency_of = {d.name: d.agency for d in catalog.devices.values()}
        self._link_at, self._uplinks = _index_links(catalog, self._agency_of)
        self._polled = _polled_by_agency(catalog)

    @classmethod
    def build(cls, catalog: Catalog,
              neighbors: Mapping[str, Sequence[Neighbor]] | None = None) -> Topology:
        """The topology of ``catalog``, completed by LLDP/CDP ``neighbors`` (by device name)."""
        parents: dict[str, list[Edge]] = {name: [] for name in catalog.devices}
        has_child: set[str] = set()
        peers = _peer_links(catalog)
        for link in catalog.links:
            a, b = link.a_device, link.b_device
            if link.name in peers:
                continue
            if a in parents and b in parents and a != b and (a, link.name) not in parents[b]:
                parents[b].append((a, link.name))
                has_child.add(a)
        roots = [n for n in parents if not parents[n] and n in has_child]
        depth = _bfs_depth(_children_of(parents), roots)
        if neighbors:
            _lldp_parents(parents, depth, _adjacency(catalog, neighbors))
        _site_parents(catalog, parents, has_child, depth)
        return cls(_acyclic(parents, roots), catalog)

    def parents(self, device: str) -> list[Edge]:
        """Upstream edges of ``device`` (empty for a root or an unknown device)."""
        return list(self._parents.get(device, ()))

    def children(self, device: str) -> list[Edge]:
        """Downstream edges of ``device``: (child device, link name | None)."""
        return list(self._children.get(device, ()))

    def depth(self, device: str) -> int:
        """Hops from the nearest root (0 for a root); -1 for an unknown device."""
        return self._depth.get(device, -1)

    def rank(self, device: str) -> int:
        """Position of ``device`` in :meth:`order`; -1 for an unknown device."""
        return self._rank.get(device, -1)

    def order(self) -> list[str]:
        """Every device, parents before children."""
        return list(self._order)

    def link(self, name: str) -> CatLink | None:
        """The inventory link called ``name``, if any."""
        return self._links.get(name)

    def link_at(self, device: str, if_index: int) -> str | None:
        """The name of the link ending at interface ``if_index`` of ``device``, if any."""
        return self._link_at.get((device, if_index))

    def agency_of(self, device: str) -> str | None:
        """The agency code of ``device``, if known."""
        return self._agency_of.get(device)

    def polled_of_agency(self, code: str) -> frozenset[str]:
        """Names of the polled (SNMP/SSH) devices of agency ``code``."""
        return self._polled.get(code, frozenset())

    def uplinks_of_agency(self, code: str) -> list[CatLink]:
        """Links entering agency ``code`` from another agency (its WAN uplinks)."""
        return list(self._uplinks.get(code, ()))

    def is_dual_homed(self, device: str) -> bool:
        """Whether ``device`` has more than one upstream edge."""
        return len(self._parents.get(device, ())) > 1

    def behind(self, device_or_link: str) -> set[str]:
        """Devices whose every path to a root goes through this device or link.

        The device itself is not included; a link's B end is, when the link
        is its only way up.
        """
        if device_or_link in self._parents:
            dead_device, dead_link, start = device_or_link, None, [device_or_link]
        elif device_or_link in self._links:
            dead_device, dead_link = None, device_or_link
            start = [self._links[device_or_link].a_device]
        else:
            return set()
        return self.cut_off(dead_device, dead_link, start)

    def cut_off(self, dead_device: str | None, dead_link: str | None,
                start: Iterable[str]) -> set[str]:
        """Descendants of ``start`` left with no working edge when one device or link dies."""
        out: set[str] = set()
        heap = [(self._rank[c], c) for s in start for c, _ in self._children.get(s, ())]
        heapq.heapify(heap)
        seen = {name for _, name in heap}
        while heap:
            _, name = heapq.heappop(heap)
            if all(link == dead_link or p == dead_device or p in out
                   for p, link in self._parents[name]):
                out.add(name)
                for child, _ in self._children[name]:
                    if child not in seen:
                        seen.add(child)
                        heapq.heappush(heap, (self._rank[child], child))
        return out


def _index_links(catalog: Catalog, agency_of: Mapping[str, str]
                 ) -> tuple[dict[tuple[str, int], str], dict[str, list[CatLink]]]:
    """Link name by (device, ifIndex) of either end; links entering each agency from outside."""
    link_at: dict[tuple[str, int], str] = {}
    uplinks: dict[str, list[CatLink]] = {}
    for link in catalog.links:
        for end, index in ((link.a_device, link.a_if_index), (link.b_device, link.b_if_index)):
            if index is not None:
                link_at[(end, index)] = link.name
        a, b = agency_of.get(link.a_device), agency_of.get(link.b_device)
        if a is not None and b is not None and a != b:
            uplinks.setdefault(b, []).append(link)
    return link_at, uplinks


def _polled_by_agency(catalog: Catalog) -> dict[str, frozenset[str]]:
    """Names of the polled devices of every agency."""
    polled: dict[str, set[str]] = {code: set() for code in catalog.agencies}
    for dev in catalog.devices.values():
        if dev.polled:
            polled.setdefault(dev.agency, set()).add(dev.name)
    return {code: frozenset(names) for code, names in polled.items()}


def _children_of(parents: Mapping[str, Sequence[Edge]]) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for child, edges in parents.items():
        for parent, _ in edges:
            children.setdefault(parent, []).append(child)
    return children


def _bfs_depth(children: Mapping[str, Sequence[str]], roots: Iterable[str]) -> dict[str, int]:
    """Shortest hop count from any root, for every device reachable from one."""
    depth = dict.fromkeys(roots, 0)
    queue = deque(depth)
    while queue:
        name = queue.popleft()
        for child in children.get(name, ()):
            if child not in depth:
                depth[child] = depth[name] + 1
                queue.append(child)
    return depth


def _adjacency(catalog: Catalog,
               neighbors: Mapping[str, Sequence[Neighbor]]) -> dict[str, set[str]]:
    """Known devices next to each other per LLDP/CDP, both ways (names, short names, IPs)."""
    lookup: dict[str, str] = {}
    for dev in catalog.devices.values():
        lookup.setdefault(dev.name.lower(), dev.name)
        lookup.setdefault(dev.name.lower().split(".")[0], dev.name)
        if dev.address:
            lookup.setdefault(dev.address, dev.name)
    adjacency: dict[str, set[str]] = {}
    for local, seen in neighbors.items():
        if local not in catalog.devices:
            continue
        for nb in seen:
            name = nb.remote_name.strip().lower()
            remote = (lookup.get(name) or lookup.get(name.split(".")[0])
                      or lookup.get(nb.remote_address))
            if remote is not None and remote != local:
                adjacency.setdefault(local, set()).add(remote)
                adjacency.setdefault(remote, set()).add(local)
    return adjacency


def _lldp_parents(parents: dict[str, list[Edge]], depth: dict[str, int],
                  adjacency: Mapping[str, set[str]]) -> None:
    """Give devices without uplink their neighbours closest to a root, round by round."""
    pending = sorted(n for n in adjacency if not parents.get(n, True) and n not in depth)
    while pending:
        found: dict[str, tuple[int, list[str]]] = {}
        for name in pending:
            known = [(depth[n], n) for n in adjacency[name] if n in depth]
            if known:
                best = min(d for d, _ in known)
                found[name] = (best + 1, sorted(n for d, n in known if d == best))
        if not found:
            return
        for name, (level, ups) in found.items():
            depth[name] = level
            parents[name] = [(up, None) for up in ups]
        pending = [n for n in pending if n not in found]


def _site_parents(catalog: Catalog, parents: dict[str, list[Edge]], has_child: set[str],
                  depth: Mapping[str, int]) -> None:
    """Hang parentless ICMP-only or unlinked devices off their site's network devices."""
    network: dict[str, list[CatDevice]] = {}
    for dev in catalog.devices.values():
        if dev.polled and dev.device_class in NETWORK_CLASSES:
            network.setdefault(dev.site, []).append(dev)
    anchors: dict[str, tuple[list[str], list[str]]] = {}  # site -> (attached, all)
    for site, devs in network.items():
        names = sorted(d.name for d in devs)
        anchors[site] = ([n for n in names if n in depth], names)
    for dev in catalog.devices.values():
        if parents[dev.name] or (dev.name in has_child and dev.polled):
            continue
        attached, every = anchors.get(dev.site, ([], []))
        unattached_peer = dev.name in every and dev.name not in attached
        chosen = attached if attached or unattached_peer else every
        parents[dev.name] = [(n, None) for n in chosen if n != dev.name]


def _acyclic(parents: dict[str, list[Edge]], roots: Sequence[str]) -> dict[str, list[Edge]]:
    """``parents`` without the edges that close a cycle (back edges of a DFS from the roots)."""
    children: dict[str, list[Edge]] = {name: [] for name in parents}
    for child, edges in parents.items():
        for parent, link in edges:
            children[parent].append((child, link))
    state: dict[str, int] = {}  # 1: on the DFS stack, 2: done
    back: set[tuple[str, str, str | None]] = set()
    starts = [*roots, *sorted(parents, key=lambda n: (len(parents[n]), n))]
    for start in starts:
        if start in state:
            continue
        state[start] = 1
        stack = [(start, iter(children[start]))]
        while stack:
            node, it = stack[-1]
            step = next(it, None)
            if step is None:
                state[node] = 2
                stack.pop()
                continue
            child, link = step
            if state.get(child) == 1:
                back.add((node, child, link))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(children[child])))
    if not back:
        return parents
    return {c: [(p, ln) for p, ln in edges if (p, c, ln) not in back]
            for c, edges in parents.items()}


def _topological(parents: Mapping[str, Sequence[Edge]],
                 children: Mapping[str, Sequence[Edge]]) -> list[str]:
    """Kahn's order of an acyclic parent graph: roots first, then breadth-first."""
    waiting = {name: len(edges) for name, edges in parents.items()}
    queue = deque(name for name, count in waiting.items() if count == 0)
    order: list[str] = []
    while queue:
        name = queue.popleft()
        order.append(name)
        for child, _ in children[name]:
            waiting[child] -= 1
            if waiting[child] == 0:
                queue.append(child)
    return order
