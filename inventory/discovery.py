"""Store what discovery found about a device as *discovered facts*, next to the recorded values.

:func:`record_facts` turns one :class:`~collectors.base.DeviceFacts` into rows
of :class:`~inventory.records.DiscoveredFact` (``subject`` = device name):

* identity: ``serial``, ``model``, ``vendor``, ``firmware``, ``sys_name``,
  ``sys_descr`` (ENTITY-MIB, vendor MIBs, or sysDescr as a fallback);
* ``interfaces``: how many interfaces the device has (when the interfaces
  module ran);
* ``neighbor:<local port>``: ``"<remote name> <remote port>"`` per LLDP/CDP
  neighbour (source ``lldp`` or ``cdp``); a port that lost its neighbour
  loses its fact when the neighbour modules ran;
* ``seen``: the last successful discovery (``last_seen``).

Addresses reported by a device (neighbours' management addresses, ARP
entries) that no recorded device has as ``mgmt_address`` become facts of
their own: ``subject`` = the address, ``field`` = ``unknown_address``,
``value`` = the name of the device that reported it first.

An empty discovered value is not stored (the device did not say, which is
not a difference). A fact whose value did not change only moves its
``last_seen``; a changed value replaces ``value`` and restarts
``first_seen``. Writes are upserts (``INSERT ... ON CONFLICT``), so two
pollers recording the same unknown address at once do not collide.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from collectors.base import DeviceFacts
from inventory.models import Device
from inventory.records import DiscoveredFact

__all__ = ["IDENTITY_FIELDS", "MAX_UNKNOWN_ADDRESSES", "answered", "fact_values",
           "record_facts", "record_seen"]

IDENTITY_FIELDS = ("serial", "model", "vendor", "firmware", "sys_name", "sys_descr")
NEIGHBOR_PREFIX = "neighbor:"
UNKNOWN_ADDRESS = "unknown_address"
SEEN = "seen"
MAX_UNKNOWN_ADDRESSES = 1000  # per device and discovery: an ARP cache must not flood the table
_VALUE_MAX, _FIELD_MAX, _SUBJECT_MAX = 500, 64, 120
_CHUNK = 2000  # names per IN (...) list
_ARP_MAX = 4 * MAX_UNKNOWN_ADDRESSES  # ARP entries looked at (the module caps its walk too)

Facts = dict[str, tuple[str, str]]  # field -> (value, source)


def answered(facts: DeviceFacts) -> bool:
    """Whether the device answered discovery at all (a dead device leaves everything empty)."""
    return bool(facts.system.object_id or facts.system.descr or facts.system.name
                or facts.modules_run)


def fact_values(facts: DeviceFacts) -> Facts:
    """The device's own facts (field -> value, source) from one discovery; pure."""
    values = {"serial": facts.serial, "model": facts.model, "vendor": facts.vendor,
              "firmware": facts.firmware, "sys_name": facts.system.name,
              "sys_descr": facts.system.descr}
    out: Facts = {f: (v.strip()[:_VALUE_MAX], "snmp") for f, v in values.items() if v.strip()}
    if facts.interfaces:
        out["interfaces"] = (str(len(facts.interfaces)), "snmp")
    for neighbor in facts.neighbors:
        if not neighbor.remote_name.strip():
            continue
        field = f"{NEIGHBOR_PREFIX}{neighbor.local_port}"[:_FIELD_MAX]
        value = f"{neighbor.remote_name.strip()} {neighbor.remote_port.strip()}".strip()
        out[field] = (value[:_VALUE_MAX], neighbor.protocol)
    out[SEEN] = ("", "snmp")
    return out


def _reported_addresses(facts: DeviceFacts) -> dict[str, str]:
    """Addresses the device reported (address -> source): neighbours first, then ARP."""
    found: dict[str, str] = {}
    for neighbor in facts.neighbors:
        if neighbor.remote_address:
            found.setdefault(neighbor.remote_address, neighbor.protocol)
    for entry in facts.arp[:_ARP_MAX]:
        if entry.ip:
            found.setdefault(entry.ip, "arp")
    found.pop(facts.address, None)
    return found


def _upsert(session: Session, rows: list[dict[str, Any]], *, keep_value: bool) -> None:
    """Insert ``rows`` or, on (subject, field) conflict, update them in one statement.

    A changed value restarts ``first_seen``; with ``keep_value`` the stored value
    (and its ``first_seen``) stays and only ``last_seen`` moves.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(DiscoveredFact)
    table = DiscoveredFact.__table__.c
    update: dict[str, Any] = {"last_seen": stmt.excluded.last_seen}
    if not keep_value:
        update |= {
            "value": stmt.excluded.value, "source": stmt.excluded.source,
            "device_id": stmt.excluded.device_id,
            "first_seen": case((table.value == stmt.excluded.value, table.first_seen),
                               else_=stmt.excluded.first_seen),
        }
    session.execute(stmt.on_conflict_do_update(index_elements=["subject", "field"],
                                               set_=update), rows)


def record_facts(session: Session, device: str, facts: DeviceFacts, at: datetime) -> int:
    """Store one discovery of ``device``; the number of facts that are new or changed.

    Nothing is stored when the device did not answer. The caller commits.
    """
    if not answered(facts):
        return 0
    device_id = session.scalars(select(Device.id).where(Device.name == device)).first()
    values = fact_values(facts)
    stored = dict(session.execute(select(DiscoveredFact.field, DiscoveredFact.value)
                                  .where(DiscoveredFact.subject == device)).all())
    changed = sum(1 for f, (v, _) in values.items() if stored.get(f) != v)
    if {"lldp", "cdp"} & set(facts.modules_run):
        gone = [f for f in stored if f.startswith(NEIGHBOR_PREFIX) and f not in values]
        if gone:
            session.execute(delete(DiscoveredFact).where(DiscoveredFact.subject == device,
                                                         DiscoveredFact.field.in_(gone)))
    _upsert(session, [{"subject": device[:_SUBJECT_MAX], "device_id": device_id, "field": f,
                       "value": v, "source": src, "first_seen": at, "last_seen": at}
                      for f, (v, src) in sorted(values.items())], keep_value=False)
    return changed + _record_unknown(session, device, _reported_addresses(facts), at)


def _record_unknown(session: Session, device: str, addresses: dict[str, str],
                    at: datetime) -> int:
    """Facts for reported addresses that no device has as mgmt_address; how many are new."""
    if not addresses:
        return 0
    known: set[str] = set()
    old: set[str] = set()
    for part in _chunks(list(addresses)):
        known.update(a for a in session.scalars(select(Device.mgmt_address).where(
            Device.mgmt_address.in_(part))) if a)
        old.update(session.scalars(select(DiscoveredFact.subject).where(
            DiscoveredFact.field == UNKNOWN_ADDRESS, DiscoveredFact.subject.in_(part))))
    unknown = [(a, src) for a, src in addresses.items() if a not in known]
    rows = [{"subject": address, "device_id": None, "field": UNKNOWN_ADDRESS,
             "value": device[:_VALUE_MAX], "source": source, "first_seen": at, "last_seen": at}
            for address, source in unknown[:MAX_UNKNOWN_ADDRESSES]]
    _upsert(session, rows, keep_value=True)
    return sum(1 for row in rows if row["subject"] not in old)


def record_seen(session: Session, names: Iterable[str], at: datetime) -> int:
    """Mark devices that answered a normal poll as seen at ``at``; how many were marked.

    Names that are not recorded devices are ignored. The caller commits.
    """
    wanted = sorted(set(names))
    rows: list[dict[str, Any]] = []
    for part in _chunks(wanted):
        for ident, name in session.execute(select(Device.id, Device.name).where(
                Device.name.in_(part))):
            rows.append({"subject": name, "device_id": ident, "field": SEEN, "value": "",
                         "source": "poll", "first_seen": at, "last_seen": at})
    _upsert(session, rows, keep_value=False)
    return len(rows)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    """``items`` in slices small enough for an ``IN (...)`` list on every database."""
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]
