"""Varbinds captured from snmpsim-data recordings of real devices, as a module would get them.

:func:`capture` reads a recording (only the subtrees the module asks for, so
vendor tables the lab drops, like CDP and ARP, are there too) and returns the
``(scalars, columns)`` pair that discovery hands to a module's ``parse``.
"""

from __future__ import annotations

import bz2
import functools
from typing import Any

from collectors.snmp.ber import Oid, VarBind
from collectors.snmp.modules import Columns, Scalars
from noc.lab.recordings import Recording, decode_value_tlv, parse_recording, resolve

C3560 = "network/switch/cisco-c3560.snmprec.bz2"
C3750 = "network/switch/cisco-c3750.snmprec.bz2"
N5000 = "network/switch/cisco-n5000.snmprec.bz2"
MX960 = "network/router/juniper-mx960-13-3r9-13.snmprec.bz2"
HUAWEI = "network/router/huawei-s5720.snmprec.bz2"
H3C = "network/switch/h3c-e528-2.snmprec.bz2"
ARISTA = "cloud/arista-dcs-7150s-52-cl.snmprec.bz2"
PALOALTO = "network/firewall/paloalto-pa-5000.snmprec.bz2"
LINUX = "os/linux/unknown-002.snmprec.bz2"
LINUX_EL7 = "os/linux/unknown-006.snmprec.bz2"
VYATTA = "network/router/vyatta-unknown.snmprec.bz2"
APC = "UPS/apc-8641.snmprec"


@functools.cache
def recording(path: str, keep: tuple[Oid, ...]) -> Recording:
    """The recording at ``path`` with only the ``keep`` subtrees (cached)."""
    raw = resolve(path).read_bytes()
    if path.endswith(".bz2"):
        raw = bz2.decompress(raw)
    return parse_recording(path, raw, keep)


def walked(rec: Recording, column: Oid) -> list[VarBind]:
    """What a walk of ``column`` returns from ``rec``."""
    return [(rec.oids[i], rec.value_tlvs[i][0], decode_value_tlv(rec.value_tlvs[i]))
            for i in rec.subtree(column)]


def capture(path: str, module: Any) -> tuple[Scalars, Columns]:
    """(scalars, columns) of ``module`` from the recording at ``path``."""
    keep = tuple(sorted({*module.columns, *(oid[:-1] for oid in module.scalars)}))
    rec = recording(path, keep)
    scalars = {oid: (rec.value_tlvs[i][0], decode_value_tlv(rec.value_tlvs[i]))
               for oid in module.scalars if (i := rec.index(oid)) is not None}
    return scalars, {column: walked(rec, column) for column in module.columns}


def value(path: str, oid: Oid) -> Any:
    """The recorded value of one OID (for asserting against the recording itself)."""
    return recording(path, (oid[:-1],)).get(oid)
