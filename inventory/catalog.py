"""A read-only, in-memory picture of the inventory for the poller and the views.

The database is the source of truth; the runtime loads a :class:`Catalog`
from it once at start (and again when the inventory changes) so the hot path
never queries the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Agency, Device, Interface, Link, Site


@dataclass(frozen=True, slots=True)
class CatAgency:
    """An agency as the views need it."""

    code: str
    kind: str
    name_vi: str
    name_en: str
    parent: str | None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


@dataclass(frozen=True, slots=True)
class CatDevice:
    """A device as the poller and the views need it (credentials by profile name only)."""

    name: str
    agency: str  # agency code
    site: str  # site code
    device_class: str
    address: str | None
    port: int
    credentials: str | None
    monitoring: str
    vendor: str = ""
    model: str = ""
    serial: str = ""
    status: str = "active"  # only active devices are polled
    platform: str = ""  # SSH CLI type
    ssh_port: int = 22

    @property
    def polled(self) -> bool:
        """Whether the NOC polls this device (SNMP or SSH): it counts in network status."""
        return (self.monitoring in ("snmp", "ssh") and self.status == "active"
                and bool(self.address))

    @property
    def snmp_polled(self) -> bool:
        """Whether the NOC polls this device over SNMP (active, SNMP-monitored, addressed)."""
        return self.monitoring == "snmp" and self.status == "active" and bool(self.address)


@dataclass(frozen=True, slots=True)
class CatLink:
    """A link between two device interfaces (A is upstream)."""

    name: str
    a_device: str
    a_if_index: int | None
    b_device: str
    b_if_index: int | None
    network: str
    bandwidth_mbps: int


@dataclass(frozen=True, slots=True)
class Catalog:
    """Agencies, devices and links, indexed for lookups."""

    agencies: dict[str, CatAgency] = field(default_factory=dict)
    devices: dict[str, CatDevice] = field(default_factory=dict)
    links: tuple[CatLink, ...] = ()
    site_names: dict[str, str] = field(default_factory=dict)

    def devices_of(self, agency: str) -> list[CatDevice]:
        """Devices at the sites of one agency."""
        return [d for d in self.devices.values() if d.agency == agency]


def load_catalog(session: Session) -> Catalog:
    """Read the whole inventory into a :class:`Catalog` (a few queries, no N+1)."""
    agencies = session.scalars(select(Agency)).all()
    by_id = {a.id: a.code for a in agencies}
    cat_agencies = {
        a.code: CatAgency(a.code, a.kind, a.name_vi, a.name_en,
                          by_id.get(a.parent_id) if a.parent_id else None,
                          a.contact_name, a.contact_phone, a.contact_email)
        for a in agencies
    }
    sites = {s.id: s for s in session.scalars(select(Site)).all()}
    devices = {}
    all_devices = session.scalars(select(Device)).all()
    for d in all_devices:
        site = sites[d.site_id]
        devices[d.name] = CatDevice(
            d.name, by_id[site.agency_id], site.code, d.device_class, d.mgmt_address,
            d.snmp_port, d.credentials, d.monitoring, d.vendor, d.model, d.serial, d.status,
            d.platform, d.ssh_port)
    names = {d.id: d.name for d in all_devices}
    ifaces = {i.id: (names[i.device_id], i.if_index)
              for i in session.scalars(select(Interface)).all()}
    links = tuple(
        CatLink(link.name, *ifaces[link.a_interface_id], *ifaces[link.b_interface_id],
                link.network, link.bandwidth_mbps)
        for link in session.scalars(select(Link)).all()
    )
    return Catalog(cat_agencies, devices, links, {s.code: s.name for s in sites.values()})
