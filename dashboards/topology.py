"""The overview's network picture: core → districts → wards, and the departments, as SVG.

The *layout* depends only on the inventory, so :func:`layout` computes it
once per :class:`~inventory.catalog.Catalog` object (the runtime swaps the
whole catalog when the inventory changes) and keeps it. It is radial:

* the city agencies (the data center running the core) in the middle;
* the districts on an inner ring, each in an angular sector as wide as its
  wards need; its wards on the outer ring inside that sector;
* the departments on the outer ring, in a sector of their own, joined to the
  core directly (that is how they are wired);
* outer-ring nodes alternate between two radii when they are many, and get
  a text label only when there is room (every node has a ``<title>`` and
  links to its agency page).

An *edge* joins an agency to the agency at the other end of its uplinks (the
links whose A end, the upstream side, is another agency's device). Drawing
(:func:`render`) only colours what the layout placed: node by agency status,
edge by its links' state and utilization (the worst of them).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from inventory.catalog import Catalog
from noc.status import AgencyStatus, LinkLoad

SIZE = 1000.0
CENTER = SIZE / 2
R_DISTRICT, R_LEAF, R_LEAF_OUTER = 190.0, 310.0, 360.0
LABEL_ROOM = 60  # outer-ring nodes that still get a label each
_lock = threading.Lock()
_cache: list[tuple[Catalog, Layout]] = []


@dataclass(frozen=True, slots=True)
class Node:
    """One agency, placed."""

    code: str
    kind: str
    name: str  # Vietnamese name, with its diacritics
    x: float
    y: float
    r: float
    label: str  # "" when there is no room for one
    anchor: str  # text-anchor of the label
    lx: float
    ly: float


@dataclass(frozen=True, slots=True)
class Edge:
    """An agency (child) and the agency upstream of it, with the links joining them."""

    child: str
    parent: str
    links: tuple[int, ...]  # indices into catalog.links; () when none is recorded
    d: str  # SVG path data


@dataclass(frozen=True, slots=True)
class Layout:
    """Where every agency and edge goes; computed once per catalog."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def layout(catalog: Catalog) -> Layout:
    """The (cached) layout of ``catalog``."""
    with _lock:
        for cat, done in _cache:
            if cat is catalog:
                return done
    computed = compute_layout(catalog)
    with _lock:
        _cache[:] = [(catalog, computed)]
    return computed


def _polar(radius: float, angle: float) -> tuple[float, float]:
    return CENTER + radius * math.cos(angle), CENTER + radius * math.sin(angle)


def _groups(catalog: Catalog) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """(core agencies, [(district or "", its leaves)]); departments under ""."""
    core = [c for c, a in catalog.agencies.items() if a.kind == "city"]
    districts: dict[str, list[str]] = {
        c: [] for c, a in catalog.agencies.items() if a.kind == "district"}
    loose: list[str] = []
    for code, agency in catalog.agencies.items():
        if agency.kind in ("city", "district"):
            continue
        if agency.parent in districts:
            districts[agency.parent].append(code)
        else:
            loose.append(code)
    return core, [("", loose), *districts.items()]


def compute_layout(catalog: Catalog) -> Layout:
    """Place every agency of ``catalog`` (see the module docstring)."""
    core, groups = _groups(catalog)
    leaves = sum(len(items) for _, items in groups)
    weights = [max(len(items), 1.5 if parent else 0) for parent, items in groups]
    total = sum(weights) or 1.0
    labelled = leaves <= LABEL_ROOM
    nodes: dict[str, Node] = {}
    for i, code in enumerate(core):
        x, y = _polar(0 if len(core) == 1 else 34, 2 * math.pi * i / max(len(core), 1))
        nodes[code] = Node(code, "city", catalog.agencies[code].name_vi, x, y, 22, code,
                           "middle", x, y + 50)
    angle = -math.pi / 2
    n = 0
    for (parent, items), weight in zip(groups, weights, strict=True):
        sector = 2 * math.pi * weight / total
        if parent:
            mid = angle + sector / 2
            x, y = _polar(R_DISTRICT, mid)
            lx, ly = _polar(R_DISTRICT - 36, mid)
            nodes[parent] = Node(parent, "district", catalog.agencies[parent].name_vi, x, y,
                                 15, parent, "middle", lx, ly + 8)
        step = sector / max(len(items), 1)
        for j, code in enumerate(items):
            at = angle + step * (j + 0.5)
            radius = R_LEAF if labelled or n % 2 == 0 else R_LEAF_OUTER
            n += 1
            x, y = _polar(radius, at)
            lx, ly = _polar(radius + 16, at)
            agency = catalog.agencies[code]
            size = 10 if labelled else 6
            nodes[code] = Node(code, agency.kind, agency.name_vi, x, y,
                               size + 1 if agency.kind == "department" else size,
                               code if labelled else "",
                               "start" if math.cos(at) >= 0 else "end", lx, ly + 8)
        angle += sector
    return Layout(tuple(nodes.values()), _edges(catalog, nodes, core))


def _edges(catalog: Catalog, nodes: Mapping[str, Node], core: Sequence[str]) -> tuple[Edge, ...]:
    uplinks: dict[tuple[str, str], list[int]] = {}
    for i, link in enumerate(catalog.links):
        a, b = catalog.devices.get(link.a_device), catalog.devices.get(link.b_device)
        if a and b and a.agency != b.agency and a.agency in nodes and b.agency in nodes:
            uplinks.setdefault((b.agency, a.agency), []).append(i)
    linked = {child for child, _ in uplinks}
    pairs = dict(uplinks)
    for code, node in nodes.items():  # no recorded uplink: a faint line to where it hangs
        if code in linked or node.kind == "city":
            continue
        parent = catalog.agencies[code].parent
        up = parent if parent in nodes else (core[0] if core else None)
        if up:
            pairs[(code, up)] = []
    edges = []
    for (child, parent), links in pairs.items():
        c, p = nodes[child], nodes[parent]
        edges.append(Edge(child, parent, tuple(links),
                          f"M{p.x:.1f},{p.y:.1f}L{c.x:.1f},{c.y:.1f}"))
    return tuple(edges)


def edge_state(edge: Edge, loads: Sequence[LinkLoad],
               statuses: Mapping[str, AgencyStatus]) -> tuple[str, float | None]:
    """(css state, utilization) of an edge: down, unknown, ok, warn or crit."""
    if not edge.links:
        return "none", None
    mine = [loads[i] for i in edge.links if i < len(loads)]
    child = statuses.get(edge.child)
    if any(ld.oper_up is False for ld in mine) or (child is not None and child.status == "down"):
        return "down", None
    utils = [ld.utilization for ld in mine if ld.utilization is not None]
    if not utils:
        return "unknown", None
    util = max(utils)
    return ("crit" if util >= 0.9 else "warn" if util >= 0.7 else "ok"), util


def _edge_svg(edge: Edge, state: str, util: float | None, names: str) -> str:
    width = 1.6 + 5 * min(util, 1.0) if util is not None else 1.6
    tip = f"{edge.child} ↔ {edge.parent}"
    if names:
        tip += f": {names}"
    if util is not None:
        tip += f" ({util * 100:.0f} %)"
    return (f'<path class="e e-{state}" d="{edge.d}" stroke-width="{width:.1f}">'
            f"<title>{escape(tip)}</title></path>")


def _node_svg(node: Node, status: AgencyStatus | None, focusable: bool) -> str:
    state = status.status if status is not None else "unknown"
    tab = "" if focusable else ' tabindex="-1"'
    label = (f'<text class="nl nl-{node.kind}" x="{node.lx:.1f}" y="{node.ly:.1f}" '
             f'text-anchor="{node.anchor}">{escape(node.label)}</text>' if node.label else "")
    return (f'<a href="/agencies/{escape(node.code)}"{tab} class="n n-{node.kind} s-{state}">'
            f'<title>{escape(node.name)} ({escape(node.code)})</title>'
            f'<circle cx="{node.x:.1f}" cy="{node.y:.1f}" r="{node.r:.0f}"/>{label}</a>')


def render(lay: Layout, catalog: Catalog, statuses: Mapping[str, AgencyStatus],
           loads: Sequence[LinkLoad], title: str, desc: str,
           visible: Collection[str] | None = None) -> Markup:
    """The SVG picture: nodes coloured by status, edges by link state and utilization.

    ``loads`` is aligned with ``catalog.links`` (as :func:`noc.status.link_loads`
    returns them); ``visible`` limits the picture to some agencies (a scoped viewer).
    """
    parts = [f'<svg class="topo" viewBox="0 0 {SIZE:.0f} {SIZE:.0f}" role="img" '
             f'aria-labelledby="topo-t topo-d"><title id="topo-t">{escape(title)}</title>'
             f'<desc id="topo-d">{escape(desc)}</desc><g class="edges">']
    down_edges: list[str] = []
    for edge in lay.edges:
        if visible is not None and edge.child not in visible:
            continue
        state, util = edge_state(edge, loads, statuses)
        names = ", ".join(catalog.links[i].name for i in edge.links)
        svg = _edge_svg(edge, state, util, names)
        (down_edges if state == "down" else parts).append(svg)
    parts += down_edges  # drawn last: a broken link is never hidden under a healthy one
    parts.append('</g><g class="nodes">')
    for node in lay.nodes:
        if visible is None or node.code in visible:
            parts.append(_node_svg(node, statuses.get(node.code),
                                   node.kind in ("city", "district")))
    parts.append("</g></svg>")
    return Markup("".join(parts))
