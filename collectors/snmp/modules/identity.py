"""Who made a device and what it runs, from the SNMPv2-MIB system group alone.

``vendor_of`` maps the enterprise number in sysObjectID
(``1.3.6.1.4.1.<enterprise>...``, IANA Private Enterprise Numbers) to a
vendor name; modules use these names in their ``vendors`` sets.
``describe`` reads model, firmware and serial out of sysDescr for devices
without ENTITY-MIB (or with empty entPhysicalModelName), one regular
expression set per vendor.

To add a vendor: add its enterprise number to :data:`VENDORS` and, if its
sysDescr carries model or version, a tuple of patterns to :data:`_PATTERNS`
(named groups ``model``, ``firmware``, ``serial``), with a test on the
sysDescr of a real device.
"""

from __future__ import annotations

import re
from typing import NamedTuple

ENTERPRISES = (1, 3, 6, 1, 4, 1)

VENDORS: dict[int, str] = {
    9: "Cisco", 11: "HP", 171: "D-Link", 311: "Microsoft", 318: "APC", 674: "Dell",
    1991: "Brocade", 2011: "Huawei", 2636: "Juniper", 3902: "ZTE", 4526: "Netgear",
    4881: "Ruijie", 5651: "Maipu", 6876: "VMware", 8072: "net-snmp", 12356: "Fortinet",
    14988: "MikroTik", 25461: "Palo Alto Networks", 25506: "H3C", 30065: "Arista",
    30803: "Vyatta", 41112: "Ubiquiti",
}

_FLAGS = re.IGNORECASE | re.DOTALL
_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "Cisco": (
        re.compile(r"Version (?P<firmware>[\w.()]+)", _FLAGS),
        re.compile(r"Cisco IOS Software, (?P<model>C\d\w*) Software", _FLAGS),
        re.compile(r"Cisco NX-OS\(tm\) (?P<model>\w+),", _FLAGS),
    ),
    "Huawei": (
        re.compile(r"^\s*(?P<model>S\d{4}[\w-]*)", _FLAGS),
        re.compile(r"Version (?P<firmware>\d[\d.]* \([^)]*\))", _FLAGS),
        re.compile(r"HUAWEI (?P<model>[A-Z]+\d[\w-]*)\s*$", _FLAGS),
    ),
    "Juniper": (
        re.compile(r"Juniper Networks, Inc\. (?P<model>[\w-]+) ", _FLAGS),
        re.compile(r"JUNOS (?P<firmware>[\w.-]+)", _FLAGS),
    ),
    "H3C": (
        re.compile(r"H3C (?:Switch )?(?P<model>[A-Z]+\d[\w-]*) Software", _FLAGS),
        re.compile(r"Software Version (?P<firmware>[\d.]+, Release \w+)", _FLAGS),
    ),
    "Ruijie": (re.compile(r"\((?P<model>[A-Z]+[\d][\w/-]*)\)", _FLAGS),),
    "Arista": (
        re.compile(r"EOS version (?P<firmware>[\w.]+)", _FLAGS),
        re.compile(r"running on an Arista Networks (?P<model>[\w-]+)", _FLAGS),
    ),
    "D-Link": (re.compile(r"D-Link (?P<model>D[A-Z]+-[\w-]+)", _FLAGS),),
    "Brocade": (
        re.compile(r"Inc\. (?P<model>[A-Z]+[\d][\w-]*), IronWare Version (?P<firmware>\S+)",
                   _FLAGS),
    ),
    "Maipu": (
        re.compile(r"^\s*(?P<model>[\w-]+) Device", _FLAGS),
        re.compile(r"SoftWare Version \S+?_(?P<firmware>[\d.]+)", _FLAGS),
    ),
    "APC": (
        re.compile(r"MN:(?P<model>\S+)", _FLAGS),
        re.compile(r"SN: ?(?P<serial>\w+)", _FLAGS),
        re.compile(r"PF:v(?P<firmware>[\d.]+)", _FLAGS),
    ),
    "Palo Alto Networks": (re.compile(r"Palo Alto Networks (?P<model>PA-\w+)", _FLAGS),),
    "net-snmp": (re.compile(r"^Linux \S+ (?P<firmware>\S+)", _FLAGS),),
}


class Description(NamedTuple):
    """What sysDescr says about a device ("" when it does not say)."""

    model: str = ""
    firmware: str = ""
    serial: str = ""


def enterprise(object_id: str) -> int | None:
    """The enterprise number of a dotted sysObjectID (None when it is not one)."""
    arcs = object_id.strip(".").split(".")
    prefix = ".".join(map(str, ENTERPRISES)) + "."
    if not ".".join(arcs).startswith(prefix) or len(arcs) <= len(ENTERPRISES):
        return None
    number = arcs[len(ENTERPRISES)]
    return int(number) if number.isdigit() else None


def vendor_of(object_id: str) -> str:
    """The vendor name for a sysObjectID ("" when unknown or empty)."""
    number = enterprise(object_id)
    return "" if number is None else VENDORS.get(number, f"enterprise {number}")


def describe(vendor: str, descr: str) -> Description:
    """Model, firmware and serial from ``descr`` with ``vendor``'s patterns."""
    found: dict[str, str] = {}
    for pattern in _PATTERNS.get(vendor, ()):
        match = pattern.search(descr)
        if match is None:
            continue
        for key, value in match.groupdict().items():
            if value and key not in found:
                found[key] = value.strip()
    return Description(found.get("model", ""), found.get("firmware", ""),
                       found.get("serial", ""))
