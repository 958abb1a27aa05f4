"""Write the lab's topology into the inventory, so ``noc run --lab`` needs nothing else.

The lab owns the inventory it writes: every start replaces agencies, sites,
devices, interfaces and links with the lab's (the lab is a demo and a test
bed, not a place to keep hand edits).
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from inventory.models import Agency, Device, Interface, Link, Monitoring, Site
from noc.lab.model import LabTopology
from noc.lab.recordings import port_ifindex


def write_lab_inventory(session: Session, topo: LabTopology, port: int) -> None:
    """Replace the inventory with the lab's topology (devices answer SNMP on ``port``)."""
    for table in (Link, Interface, Device, Site, Agency):
        session.execute(delete(table))
    agencies = {a.code: Agency(code=a.code, kind=a.kind.value, name_vi=a.name_vi,
                               name_en=a.name_en, contact_name=a.contact_name,
                               contact_phone=a.contact_phone, contact_email=a.contact_email)
                for a in topo.agencies}
    session.add_all(agencies.values())
    session.flush()
    for a in topo.agencies:
        if a.parent:
            agencies[a.code].parent_id = agencies[a.parent].id
    sites = {s.code: Site(code=s.code, agency_id=agencies[s.agency].id, name=s.name,
                          address=s.address, role=s.role, latitude=s.latitude,
                          longitude=s.longitude) for s in topo.sites}
    session.add_all(sites.values())
    session.flush()
    devices = {d.name: Device(
        name=d.name, site_id=sites[d.site].id, device_class=d.role.value, vendor=d.vendor,
        model=d.model, serial=d.serial, mgmt_address=d.address, snmp_port=port,
        credentials=("lab-v3" if d.snmp_version == "3" else "lab") if d.snmp else None,
        monitoring=Monitoring.SNMP.value if d.snmp else Monitoring.ICMP.value)
        for d in topo.devices}
    session.add_all(devices.values())
    session.flush()
    _write_links(session, topo, devices)
    session.commit()


def _write_links(session: Session, topo: LabTopology, devices: dict[str, Device]) -> None:
    interfaces: dict[tuple[str, int], Interface] = {}

    def interface(device: str, ordinal: int) -> Interface:
        recording = topo.device(device).recording
        assert recording is not None  # links join SNMP devices only (topology invariant)
        if_index = port_ifindex(recording, ordinal)
        key = (device, if_index)
        if key not in interfaces:
            interfaces[key] = Interface(device_id=devices[device].id, name=f"port {ordinal}",
                                        if_index=if_index)
            session.add(interfaces[key])
        return interfaces[key]

    pairs = [(link, interface(link.a_device, link.a_port), interface(link.b_device, link.b_port))
             for link in topo.links]
    session.flush()
    session.add_all(Link(name=link.name, a_interface_id=a.id, b_interface_id=b.id,
                         network=link.network.value, bandwidth_mbps=link.bandwidth_mbps)
                    for link, a, b in pairs)
