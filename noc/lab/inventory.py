"""Write the lab's topology into the inventory, so ``noc run --lab`` needs nothing else.

The lab owns the inventory it writes: every start replaces agencies, sites,
devices, interfaces and links with the lab's (the lab is a demo and a test
bed, not a place to keep hand edits). It goes through the same import path as
a technician's file (:func:`inventory.io.run_import` with prune and purge), so
every change is audited as ``lab``/``lab``, and a second start over the same
database changes nothing and writes no audit entry.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from inventory.enums import Monitoring, Via
from inventory.io import ImportOptions, ImportReport, batch_from_records, run_import
from inventory.service import Actor
from noc.lab.model import LabTopology
from noc.lab.recordings import port_ifindex

LAB_ACTOR = Actor("lab", Via.LAB)


def write_lab_inventory(session: Session, topo: LabTopology, port: int) -> None:
    """Replace the inventory with the lab's topology (devices answer SNMP on ``port``)."""
    apply_lab_inventory(session, topo, port)


def apply_lab_inventory(session: Session, topo: LabTopology, port: int) -> ImportReport:
    """Like :func:`write_lab_inventory`, returning what changed."""
    return run_import(session, batch_from_records(lab_records(topo, port), source="lab"),
                      LAB_ACTOR, ImportOptions(prune=True, purge=True))


def lab_records(topo: LabTopology, port: int) -> dict[str, list[dict[str, Any]]]:
    """The lab's inventory as records (the same shape as an import file's sections)."""
    agencies = [{"code": a.code, "kind": a.kind.value, "name_vi": a.name_vi,
                 "name_en": a.name_en, "parent": a.parent, "contact_name": a.contact_name,
                 "contact_phone": a.contact_phone, "contact_email": a.contact_email}
                for a in topo.agencies]
    sites = [{"code": s.code, "agency": s.agency, "name": s.name, "address": s.address,
              "role": s.role, "latitude": s.latitude, "longitude": s.longitude}
             for s in topo.sites]
    devices = [{"name": d.name, "site": d.site, "device_class": d.role.value,
                "vendor": d.vendor, "model": d.model, "serial": d.serial,
                "mgmt_address": d.address, "snmp_port": port,
                "credentials": ("lab-v3" if d.snmp_version == "3" else "lab") if d.snmp else None,
                "monitoring": (Monitoring.SNMP if d.snmp else Monitoring.ICMP).value}
               for d in topo.devices]
    interfaces: dict[tuple[str, str], dict[str, Any]] = {}

    def interface(device: str, ordinal: int) -> str:
        recording = topo.device(device).recording
        assert recording is not None  # links join SNMP devices only (topology invariant)
        name = f"port {ordinal}"
        interfaces.setdefault((device, name), {"device": device, "name": name,
                                               "if_index": port_ifindex(recording, ordinal)})
        return name

    links = [{"name": ln.name, "a_device": ln.a_device,
              "a_interface": interface(ln.a_device, ln.a_port), "b_device": ln.b_device,
              "b_interface": interface(ln.b_device, ln.b_port), "network": ln.network.value,
              "bandwidth_mbps": ln.bandwidth_mbps} for ln in topo.links]
    return {"agency": agencies, "site": sites, "device": devices,
            "interface": list(interfaces.values()), "link": links}
