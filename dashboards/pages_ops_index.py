"""Lookups the pages need, computed once per catalog, and the live picture, once per second.

A page must never scan the catalog per row: :func:`index` builds the maps
(devices of an agency, links of a device, link by name, wards of a district)
once per :class:`~inventory.catalog.Catalog` object; :func:`live` gives the
agency statuses and link loads of the current overview, shared by every
request within the same second.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from inventory.catalog import Catalog, CatDevice
from noc.overview import Overview
from noc.runtime import Runtime
from noc.status import AgencyStatus, LinkLoad, link_loads

_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class CatalogIndex:
    """Maps over one catalog."""

    catalog: Catalog
    devices_of: dict[str, list[CatDevice]]  # agency code -> devices, by name
    links_of_device: dict[str, list[int]]  # device -> indices into catalog.links
    links_of_agency: dict[str, list[int]]
    link_index: dict[str, int]  # link name -> index
    children: dict[str, list[str]]  # agency code -> agencies whose parent it is
    devices_sorted: list[CatDevice]  # every device, by name


def build_index(catalog: Catalog) -> CatalogIndex:
    """The maps of ``catalog`` (linear in its size)."""
    devices_of: dict[str, list[CatDevice]] = {}
    ordered = sorted(catalog.devices.values(), key=lambda d: d.name)
    for dev in ordered:
        devices_of.setdefault(dev.agency, []).append(dev)
    by_device: dict[str, list[int]] = {}
    by_agency: dict[str, list[int]] = {}
    for i, link in enumerate(catalog.links):
        for name in (link.a_device, link.b_device):
            by_device.setdefault(name, []).append(i)
            end = catalog.devices.get(name)
            mine = by_agency.setdefault(end.agency, []) if end is not None else None
            if mine is not None and (not mine or mine[-1] != i):
                mine.append(i)
    children: dict[str, list[str]] = {}
    for code, agency in catalog.agencies.items():
        if agency.parent:
            children.setdefault(agency.parent, []).append(code)
    return CatalogIndex(catalog, devices_of, by_device, by_agency,
                        {link.name: i for i, link in enumerate(catalog.links)}, children,
                        ordered)


_indexes: list[CatalogIndex] = []


def index(catalog: Catalog) -> CatalogIndex:
    """The (cached) index of ``catalog``."""
    with _lock:
        for done in _indexes:
            if done.catalog is catalog:
                return done
    built = build_index(catalog)
    with _lock:
        _indexes[:] = [built]
    return built


@dataclass(frozen=True, slots=True)
class Live:
    """The current overview with its statuses by code and every link's load."""

    ov: Overview
    catalog: Catalog
    statuses: dict[str, AgencyStatus]
    loads: list[LinkLoad]  # aligned with catalog.links

    def link(self, i: int) -> LinkLoad:
        """The load of link ``i``."""
        return self.loads[i]


_live: list[Live] = []


def live(runtime: Runtime) -> Live:
    """Statuses and loads of the runtime's current overview (computed once per overview)."""
    ov = runtime.overview()
    catalog = runtime.catalog
    with _lock:
        for done in _live:
            if done.ov is ov and done.catalog is catalog:
                return done
    statuses = {s.code: s for s in ov.agencies}
    computed = Live(ov, catalog, statuses, link_loads(catalog, runtime.state.devices()))
    with _lock:
        _live[:] = [computed]
    return computed

