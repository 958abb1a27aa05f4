"""The drift report: where what the network says disagrees with what the inventory records.

:func:`drift_report` lists one :class:`DriftItem` per disagreement:

* ``serial``, ``model``, ``firmware``, ``vendor``: a discovered value differs
  from the recorded one (case and surrounding spaces ignored); a recorded
  empty value with a discovered one is drift too (``missing``: adopt it);
  a discovered empty value is never drift (the device did not say);
* ``name``: the device's sysName is not its recorded name (a domain suffix
  on the sysName is ignored);
* ``unknown_address``: a device reported an address no recorded device has;
* ``silent``: an active, monitored device not seen for ``silent_days``
  (never seen: counted from when it was recorded);
* ``neighbor_not_in_inventory``: LLDP/CDP shows a recorded device on a port,
  and no recorded link joins the two devices.

A difference a technician marked as expected (:func:`expect`) is left out
while the discovered value is the one accepted; a new value shows again.
:func:`adopt` copies a discovered value into the device record instead.
Both are audited (action ``adopt`` / ``expect``) as the caller's actor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, aliased

from inventory.discovery import NEIGHBOR_PREFIX, SEEN, UNKNOWN_ADDRESS
from inventory.enums import Action, DeviceStatus, Monitoring
from inventory.models import Agency, Device, Interface, Link, Site, utcnow
from inventory.records import DiscoveredFact, DriftAck
from inventory.service import Change, Inventory

__all__ = ["KINDS", "VALUE_FIELDS", "DriftItem", "adopt", "drift_report", "expect",
           "silent_value"]

VALUE_FIELDS = ("serial", "model", "firmware", "vendor")
KINDS = (*VALUE_FIELDS, "name", UNKNOWN_ADDRESS, "silent", "neighbor_not_in_inventory")
NOT_EXPECTED_TO_ANSWER = (DeviceStatus.RETIRED.value, DeviceStatus.SPARE.value,
                          DeviceStatus.PLANNED.value, DeviceStatus.IN_REPAIR.value)


@dataclass(frozen=True, slots=True)
class DriftItem:
    """One disagreement; ``field`` is what :func:`adopt` / :func:`expect` take."""

    subject: str  # device name, or the unknown address
    agency: str  # agency code of the device (of the reporting device for an address)
    kind: str  # one of KINDS
    field: str  # the discovered fact's field: serial, sys_name, neighbor:Gi0/1, seen...
    recorded: str
    discovered: str
    since: datetime  # when the discovered value was first seen (last seen, for silent)

    @property
    def missing(self) -> bool:
        """The inventory has no value where discovery found one (adopting fills it)."""
        return self.recorded == "" and self.kind in VALUE_FIELDS

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly form (``since`` as ISO 8601)."""
        return {"subject": self.subject, "agency": self.agency, "kind": self.kind,
                "field": self.field, "recorded": self.recorded, "discovered": self.discovered,
                "since": self.since.isoformat(), "missing": self.missing}


def silent_value(last_seen: datetime | None) -> str:
    """How a silent device's last sighting is shown and acknowledged."""
    return last_seen.isoformat(timespec="seconds") if last_seen else "never"


def _norm(column: Any) -> ColumnElement[str]:
    return func.lower(func.trim(column))


def _only(stmt: Any, device: str | None) -> Any:
    return stmt if device is None else stmt.where(Device.name == device)


def _value_drift(session: Session, device_name: str | None = None) -> Iterable[DriftItem]:
    for name in (*VALUE_FIELDS, "sys_name"):
        column = getattr(Device, "name" if name == "sys_name" else name)
        stmt = (select(Device.name, Agency.code, column, DiscoveredFact.value,
                       DiscoveredFact.first_seen)
                .join(Site, Device.site_id == Site.id).join(Agency, Site.agency_id == Agency.id)
                .join(DiscoveredFact, DiscoveredFact.device_id == Device.id)
                .where(DiscoveredFact.field == name, DiscoveredFact.value != "",
                       _norm(DiscoveredFact.value) != _norm(column)))
        for device, agency, recorded, found, since in session.execute(_only(stmt, device_name)):
            if name == "sys_name":
                if found.split(".")[0].strip().lower() == device.lower():
                    continue
                yield DriftItem(device, agency, "name", name, device, found, since)
            else:
                yield DriftItem(device, agency, name, name, recorded, found, since)


def _unknown_addresses(session: Session) -> Iterable[DriftItem]:
    reporter, known = aliased(Device), aliased(Device)
    stmt = (select(DiscoveredFact.subject, Agency.code, DiscoveredFact.value,
                   DiscoveredFact.source, DiscoveredFact.first_seen)
            .outerjoin(known, known.mgmt_address == DiscoveredFact.subject)
            .outerjoin(reporter, reporter.name == DiscoveredFact.value)
            .outerjoin(Site, reporter.site_id == Site.id)
            .outerjoin(Agency, Site.agency_id == Agency.id)
            .where(DiscoveredFact.field == UNKNOWN_ADDRESS, known.id.is_(None)))
    for address, agency, value, _source, since in session.execute(stmt):
        yield DriftItem(address, agency or "", UNKNOWN_ADDRESS, UNKNOWN_ADDRESS, "", value,
                        since)


def _silent(session: Session, now: datetime, silent_days: int,
            device_name: str | None = None) -> Iterable[DriftItem]:
    limit = now - timedelta(days=silent_days)
    seen = aliased(DiscoveredFact)
    stmt = (select(Device.name, Agency.code, Device.mgmt_address, seen.last_seen,
                   Device.created_at)
            .join(Site, Device.site_id == Site.id).join(Agency, Site.agency_id == Agency.id)
            .outerjoin(seen, (seen.device_id == Device.id) & (seen.field == SEEN))
            .where(Device.status.not_in(NOT_EXPECTED_TO_ANSWER),
                   Device.monitoring != Monitoring.NONE.value,
                   or_(seen.last_seen < limit,
                       seen.id.is_(None) & (Device.created_at < limit))))
    for device, agency, address, last_seen, created in session.execute(
            _only(stmt, device_name)):
        yield DriftItem(device, agency, "silent", SEEN, address or "", silent_value(last_seen),
                        last_seen or created)


def _linked_pairs(session: Session) -> set[frozenset[int]]:
    """Every pair of device ids a recorded link joins."""
    a_end, b_end = aliased(Interface), aliased(Interface)
    stmt = (select(a_end.device_id, b_end.device_id).select_from(Link)
            .join(a_end, Link.a_interface_id == a_end.id)
            .join(b_end, Link.b_interface_id == b_end.id))
    return {frozenset(pair) for pair in session.execute(stmt)}


def _neighbors(session: Session, device_name: str | None = None) -> Iterable[DriftItem]:
    stmt = (select(Device.id, Device.name, Agency.code, DiscoveredFact.field,
                   DiscoveredFact.value, DiscoveredFact.first_seen)
            .join(Site, Device.site_id == Site.id).join(Agency, Site.agency_id == Agency.id)
            .join(DiscoveredFact, DiscoveredFact.device_id == Device.id)
            .where(DiscoveredFact.field.startswith(NEIGHBOR_PREFIX, autoescape=True)))
    rows = session.execute(_only(stmt, device_name)).all()
    if not rows:
        return
    ids = {name.lower(): ident
           for ident, name in session.execute(select(Device.id, Device.name))}
    linked = _linked_pairs(session)
    for ident, device, agency, field, value, since in rows:
        remote = value.partition(" ")[0].lower()
        remote_id = ids.get(remote, ids.get(remote.split(".")[0]))
        if remote_id is None or remote_id == ident or frozenset((ident, remote_id)) in linked:
            continue
        yield DriftItem(device, agency, "neighbor_not_in_inventory", field, "", value, since)


def drift_report(session: Session, now: datetime, silent_days: int = 7,
                 device: str | None = None) -> list[DriftItem]:
    """Every unacknowledged disagreement, by agency, subject and kind.

    ``device``: only that device's items (a few indexed queries, for its page;
    unknown addresses are not any device's).
    """
    acks = {(s, f): v for s, f, v in session.execute(
        select(DriftAck.subject, DriftAck.field, DriftAck.value))}
    items = [*_value_drift(session, device),
             *(_unknown_addresses(session) if device is None else ()),
             *_silent(session, now, silent_days, device), *_neighbors(session, device)]
    kept = [i for i in items if acks.get((i.subject, i.field)) != i.discovered]
    return sorted(kept, key=lambda i: (i.agency, i.subject, KINDS.index(i.kind), i.field))


# -- acting on drift --------------------------------------------------------------------------

_NOT_ADOPTABLE = {
    "sys_name": "a device's name is its key: rename it in the inventory, or mark the sysName "
                "expected",
    UNKNOWN_ADDRESS: "an unknown address has no record to copy into: record a device with this "
                     "mgmt_address, or mark the address expected",
    SEEN: "silence cannot be adopted: change the device's status or monitoring, or mark it "
          "expected",
}


def _fact(session: Session, subject: str, field: str) -> DiscoveredFact | None:
    stmt = select(DiscoveredFact).where(DiscoveredFact.subject == subject,
                                        DiscoveredFact.field == field)
    # facts are written by upserts, around the identity map: read the row as stored
    return session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()


def _refuse_adopt(field: str) -> str:
    if field.startswith(NEIGHBOR_PREFIX):
        return "a neighbour is not adopted: record the link in the inventory, or mark the " \
               "neighbour expected"
    return _NOT_ADOPTABLE.get(field, f"unknown field {field!r}; adoptable fields: "
                                     f"{', '.join(VALUE_FIELDS)}")


def adopt(inv: Inventory, subject: str, field: str, note: str = "") -> Change | None:
    """Copy the discovered ``field`` of device ``subject`` into its record, audited.

    The record changes through :meth:`Inventory.patch` (audited ``update``), and
    an ``adopt`` entry with ``note`` follows. None when the record already has
    the value. Raises LookupError (no device, nothing discovered), ValueError
    (a field that cannot be adopted) or InventoryError (a serial another device has).
    """
    if field not in VALUE_FIELDS:
        raise ValueError(_refuse_adopt(field))
    fact = _fact(inv.session, subject, field)
    if fact is None or not fact.value:
        raise LookupError(f"no discovered {field} for {subject!r}")
    change = inv.patch("device", subject, {field: fact.value})
    if change is None:
        return None
    ack = inv.session.scalars(select(DriftAck).where(DriftAck.subject == subject,
                                                     DriftAck.field == field)).one_or_none()
    if ack is not None:
        inv.session.delete(ack)
    return inv.log(Change("device", subject, Action.ADOPT, {field: change.changes[field]}),
                   note or f"adopted the discovered {field}")


def _expected_value(session: Session, subject: str, field: str) -> str:
    """The discovered value a technician accepts for (subject, field)."""
    fact = _fact(session, subject, field)
    if field == SEEN:
        if fact is not None:
            return silent_value(fact.last_seen)
        if session.scalars(select(Device.id).where(Device.name == subject)).first() is None:
            raise LookupError(f"no device {subject!r}")
        return silent_value(None)
    if fact is None:
        raise LookupError(f"nothing discovered for {subject!r} {field}")
    return fact.value


def expect(inv: Inventory, subject: str, field: str, note: str = "") -> Change:
    """Mark the current discovered value of (subject, field) as expected, audited.

    The difference leaves the drift report until discovery finds another value.
    """
    session = inv.session
    value = _expected_value(session, subject, field)
    ack = session.scalars(select(DriftAck).where(DriftAck.subject == subject,
                                                 DriftAck.field == field)).one_or_none()
    before = ack.value if ack is not None else None
    if ack is None:
        ack = DriftAck(subject=subject, field=field)
        session.add(ack)
    ack.value, ack.actor, ack.at, ack.note = value, inv.actor.name, utcnow(), note[:500]
    is_device = session.scalars(select(Device.id).where(Device.name == subject)).first()
    entity = "device" if is_device is not None else "address"
    return inv.log(Change(entity, subject, Action.EXPECT, {field: [before, value]}), note)
