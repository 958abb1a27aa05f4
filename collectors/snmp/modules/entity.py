"""ENTITY-MIB (RFC 6933) entPhysicalTable: the chassis and its modules.

Collects, for the chassis, entPhysicalModelName, entPhysicalSerialNum,
entPhysicalSoftwareRev / FirmwareRev / HardwareRev and entPhysicalMfgName,
and the list of module entities (entPhysicalClass module(9)).

The chassis is the lowest entPhysicalIndex of class chassis(3); a device
without one (some stacks and firewalls) falls back to the first entity with
a serial number. An empty entPhysicalModelName (Huawei) is left empty here;
discovery then falls back to sysDescr (:mod:`collectors.snmp.modules.identity`).

Vendor-neutral: a vendor that hides its chassis serial elsewhere gets a
module of its own (see :mod:`collectors.snmp.modules.juniper`'s jnxBoxSerialNo).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from collectors.base import DeviceFacts, PhysicalModule
from collectors.snmp.ber import Oid
from collectors.snmp.modules import Columns, ModuleResult, Reader, Scalars, by_first

ENT_PHYSICAL_ENTRY: Oid = (1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1)
COLUMNS: dict[str, Oid] = {
    "descr": (*ENT_PHYSICAL_ENTRY, 2),
    "class": (*ENT_PHYSICAL_ENTRY, 5),
    "name": (*ENT_PHYSICAL_ENTRY, 7),
    "hardware_rev": (*ENT_PHYSICAL_ENTRY, 8),
    "firmware_rev": (*ENT_PHYSICAL_ENTRY, 9),
    "software_rev": (*ENT_PHYSICAL_ENTRY, 10),
    "serial": (*ENT_PHYSICAL_ENTRY, 11),
    "manufacturer": (*ENT_PHYSICAL_ENTRY, 12),
    "model": (*ENT_PHYSICAL_ENTRY, 13),
}
CHASSIS, MODULE_CLASS = 3, 9
_VERSION = re.compile(r"^\s*version\s+", re.IGNORECASE)  # Huawei: "Version 5.160 V200R..."
_TEXT = ("descr", "name", "hardware_rev", "firmware_rev", "software_rev", "serial",
         "manufacturer", "model")


@dataclass(kw_only=True)
class Inventory(ModuleResult):
    """The chassis (``chassis`` is None when the table is empty) and the modules."""

    chassis: PhysicalModule | None = None
    manufacturer: str = ""
    modules: list[PhysicalModule] = field(default_factory=list)


def _entity(index: int, cells: dict[str, dict[int, str]]) -> PhysicalModule:
    get = {key: col.get(index, "").strip() for key, col in cells.items()}
    return PhysicalModule(index=index, name=get["name"], descr=get["descr"], model=get["model"],
                          serial=get["serial"], hardware_rev=get["hardware_rev"],
                          firmware_rev=get["firmware_rev"], software_rev=get["software_rev"])


def pick_chassis(classes: dict[int, int], serials: dict[int, str]) -> int | None:
    """The chassis entity: lowest index of class chassis, else the first with a serial."""
    chassis = sorted(i for i, cls in classes.items() if cls == CHASSIS)
    if chassis:
        return chassis[0]
    with_serial = sorted(i for i, serial in serials.items() if serial.strip())
    return with_serial[0] if with_serial else None


class EntityModule:
    """ENTITY-MIB entPhysicalTable: chassis identity and modules."""

    name = "entity"
    scalars: tuple[Oid, ...] = ()
    columns: tuple[Oid, ...] = tuple(COLUMNS.values())
    vendors: frozenset[str] = frozenset()
    max_rows: int | None = None

    def parse(self, scalars: Scalars, columns: Columns) -> Inventory:
        """The chassis and the module entities, by entPhysicalIndex."""
        errors: list[str] = []
        read = Reader(scalars, columns, errors)
        classes: dict[int, int] = by_first(read.ints(COLUMNS["class"]))
        cells = {key: by_first(read.texts(COLUMNS[key])) for key in _TEXT}
        index = pick_chassis(classes, cells["serial"])
        modules = [_entity(i, cells) for i in sorted(classes) if classes[i] == MODULE_CLASS]
        return Inventory(
            chassis=None if index is None else _entity(index, cells),
            manufacturer="" if index is None else cells["manufacturer"].get(index, "").strip(),
            modules=modules, errors=errors)

    def apply(self, result: Inventory, facts: DeviceFacts) -> None:
        """Model, serial, revisions and manufacturer of the chassis; the modules."""
        chassis = result.chassis
        if chassis is not None:
            facts.model = chassis.model or facts.model
            facts.serial = chassis.serial or facts.serial
            firmware = chassis.software_rev or chassis.firmware_rev
            facts.firmware = _VERSION.sub("", firmware) or facts.firmware
            facts.hardware_rev = chassis.hardware_rev or facts.hardware_rev
            facts.manufacturer = result.manufacturer or facts.manufacturer
        facts.modules = result.modules


MODULE = EntityModule()
