"""Every write to the inventory goes through here: validated, resolved, unique, audited.

:class:`Inventory` is a unit of work over one SQLAlchemy session. ``put``
creates or updates a record by its natural key, ``patch`` changes some fields
of one, ``delete`` removes (or, for devices, retires) one. Each change is
checked against the database (references exist, serials and asset tags are
unique, nothing is orphaned) and written to the audit log with the before and
after value of every changed field, who made it and through which path. The
caller commits (or rolls back, for a dry run).

For bulk work (imports, exports) call :meth:`Inventory.preload` first: every
lookup then hits in-memory maps instead of the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from inventory.enums import Action, DeviceStatus, Via
from inventory.models import Agency, Base, Device, Interface, Link, Site, utcnow
from inventory.records import AuditEntry
from inventory.schemas import RECORDS, record_key

MODELS: dict[str, type[Base]] = {"agency": Agency, "site": Site, "device": Device,
                                 "interface": Interface, "link": Link}


class InventoryError(ValueError):
    """A change the inventory refuses: names the entity, the record, the field and why."""

    def __init__(self, entity: str, key: str, field: str, reason: str) -> None:
        super().__init__(f"{entity} {key!r}: {field}: {reason}")
        self.entity, self.key, self.field, self.reason = entity, key, field, reason


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change, and through which path."""

    name: str
    via: Via


@dataclass(slots=True)
class Change:
    """One change: ``changes`` maps each changed field to ``[before, after]``."""

    entity: str
    key: str
    action: Action
    changes: dict[str, list[Any]] = field(default_factory=dict)


def _plain(value: Any) -> Any:
    """A JSON-friendly value for the audit log (dates as ISO strings)."""
    return value.isoformat() if isinstance(value, date) else value


class Inventory:
    """A unit of work over ``session`` acting as ``actor``."""

    def __init__(self, session: Session, actor: Actor, *, audit: bool = True) -> None:
        self.session, self.actor, self.audit = session, actor, audit
        self._cache: dict[str, dict[Any, Any]] | None = None
        self._audit_rows: list[dict[str, Any]] = []
        self._ids: dict[str, dict[int, Any]] = {}

    # -- lookups -------------------------------------------------------------------------------

    def preload(self) -> None:
        """Load every record into memory maps (one query per table) for bulk work."""
        s = self.session
        agencies = {a.code: a for a in s.scalars(select(Agency))}
        sites = {x.code: x for x in s.scalars(select(Site))}
        devices = {d.name: d for d in s.scalars(select(Device))}
        dev_names = {d.id: d.name for d in devices.values()}
        interfaces = {(dev_names[i.device_id], i.name): i for i in s.scalars(select(Interface))}
        links = {link.name: link for link in s.scalars(select(Link))}
        self._cache = {"agency": agencies, "site": sites, "device": devices,
                       "interface": interfaces, "link": links,
                       "serial": {d.serial: d.name for d in devices.values() if d.serial},
                       "asset_tag": {d.asset_tag: d.name for d in devices.values() if d.asset_tag}}
        self._ids = {name: {obj.id: obj for obj in objs.values()}
                     for name, objs in self._cache.items() if name in MODELS}

    def get(self, entity: str, key: Any) -> Any | None:
        """The ORM object of ``entity`` with natural ``key`` (``(device, name)`` for interfaces)."""
        if self._cache is not None:
            return self._cache[entity].get(key)
        s = self.session
        if entity == "agency":
            return s.scalars(select(Agency).where(Agency.code == key)).one_or_none()
        if entity == "site":
            return s.scalars(select(Site).where(Site.code == key)).one_or_none()
        if entity == "device":
            return s.scalars(select(Device).where(Device.name == key)).one_or_none()
        if entity == "link":
            return s.scalars(select(Link).where(Link.name == key)).one_or_none()
        device, name = key
        return s.scalars(select(Interface).join(Device).where(
            Device.name == device, Interface.name == name)).one_or_none()

    def _by_id(self, entity: str, ident: int | None) -> Any:
        """The object with database id ``ident`` (None for None); the identity map first."""
        if ident is None:
            return None
        if self._cache is not None and ident in self._ids[entity]:
            return self._ids[entity][ident]
        return self.session.get(MODELS[entity], ident)

    def _id(self, obj: Any) -> int:
        """The database id of ``obj``, flushing pending inserts (in one batch) if needed."""
        if obj.id is None:
            self.session.flush()
        return int(obj.id)

    def all(self, entity: str) -> list[Any]:
        """Every ORM object of ``entity``, in natural-key order."""
        if self._cache is None:
            self.preload()
        assert self._cache is not None
        return [self._cache[entity][k] for k in sorted(self._cache[entity])]

    # -- records -------------------------------------------------------------------------------

    def record(self, entity: str, obj: Any) -> dict[str, Any]:
        """The record (natural keys, no ids) of one ORM object."""
        fields = RECORDS[entity].model_fields
        out = {name: getattr(obj, name) for name in fields if hasattr(obj, name)}
        if entity == "agency":
            parent = self._by_id("agency", obj.parent_id)
            out["parent"] = parent.code if parent else None
        elif entity == "site":
            out["agency"] = self._by_id("agency", obj.agency_id).code
        elif entity == "device":
            out["site"] = self._by_id("site", obj.site_id).code
        elif entity == "interface":
            out["device"] = self._by_id("device", obj.device_id).name
        elif entity == "link":
            for end in ("a", "b"):
                iface = self._by_id("interface", getattr(obj, f"{end}_interface_id"))
                out[f"{end}_device"] = self._by_id("device", iface.device_id).name
                out[f"{end}_interface"] = iface.name
        return {name: out[name] for name in fields}

    def records(self, entity: str) -> list[dict[str, Any]]:
        """Every record of ``entity``, in natural-key order."""
        return [self.record(entity, obj) for obj in self.all(entity)]

    # -- writes --------------------------------------------------------------------------------

    def validate(self, entity: str, data: BaseModel | dict[str, Any]) -> BaseModel:
        """A validated record (raises pydantic's :class:`ValidationError` with field paths)."""
        model = RECORDS[entity]
        return data if isinstance(data, model) else model.model_validate(
            data if isinstance(data, dict) else data.model_dump())

    def put(self, entity: str, data: BaseModel | dict[str, Any]) -> Change | None:
        """Create or update one record by its natural key; None when nothing changed."""
        rec = self.validate(entity, data)
        after = rec.model_dump()
        key = record_key(entity, after)
        values = self._resolve(entity, key, after)
        lookup = tuple(key.split("/", 1)) if entity == "interface" else key
        obj = self.get(entity, lookup)
        if obj is None:
            obj = MODELS[entity](**values)
            self.session.add(obj)
            if self._cache is None:
                self.session.flush()
            before = {}
            action = Action.CREATE
        else:
            before = self.record(entity, obj)
            action = Action.UPDATE
        changes = {f: [_plain(before.get(f)), _plain(after[f])] for f in after
                   if before.get(f) != after[f]}
        if action is Action.UPDATE:
            if not changes:
                return None
            for name, value in values.items():
                setattr(obj, name, value)
        elif action is Action.CREATE:
            changes = {f: [None, v] for f, (_, v) in changes.items() if v not in (None, "")}
        self._remember(entity, lookup, obj, before, after)
        return self._audit(Change(entity, key, action, changes))

    def patch(self, entity: str, key: str, fields: dict[str, Any]) -> Change | None:
        """Change some fields of an existing record (the merged record is validated whole)."""
        lookup = tuple(key.split("/", 1)) if entity == "interface" else key
        obj = self.get(entity, lookup)
        if obj is None:
            raise LookupError(f"no {entity} {key!r}")
        merged = {**self.record(entity, obj), **fields}
        if record_key(entity, merged) != key:
            raise InventoryError(entity, key, "key", "the natural key cannot be changed here")
        return self.put(entity, merged)

    def delete(self, entity: str, key: str, *, purge: bool = False) -> Change:
        """Delete one record; a device is retired (status ``retired``) unless ``purge``."""
        lookup = tuple(key.split("/", 1)) if entity == "interface" else key
        obj = self.get(entity, lookup)
        if obj is None:
            raise LookupError(f"no {entity} {key!r}")
        if entity == "device" and not purge:
            if obj.status == DeviceStatus.RETIRED.value:
                return Change(entity, key, Action.RETIRE)
            change = Change(entity, key, Action.RETIRE,
                            {"status": [obj.status, DeviceStatus.RETIRED.value]})
            obj.status = DeviceStatus.RETIRED.value
            return self._audit(change)
        self._refuse_orphans(entity, key, obj)
        before = self.record(entity, obj)
        if entity == "device":
            for iface in list(self.session.scalars(select(Interface).where(
                    Interface.device_id == obj.id))):
                self.session.delete(iface)
        self.session.delete(obj)
        self.session.flush()
        if self._cache is not None:
            self._cache = None  # deletes are rare: rebuild lazily
        return self._audit(Change(entity, key, Action.DELETE,
                                  {f: [_plain(v), None] for f, v in before.items()
                                   if v not in (None, "")}))

    def log(self, change: Change, note: str = "") -> Change:
        """Write an audit entry for a change made outside put/patch/delete (adopt, expect)."""
        return self._audit(change, note)

    # -- internals -----------------------------------------------------------------------------

    def _audit(self, change: Change, note: str = "") -> Change:
        if not self.audit:
            return change
        row = {"actor": self.actor.name, "via": self.actor.via.value, "entity": change.entity,
               "key": change.key, "action": change.action.value, "changes": change.changes,
               "note": note, "at": utcnow()}
        if self._cache is None:
            self.session.add(AuditEntry(**row))
        else:  # bulk work: one multi-row INSERT when the session commits
            if not self._audit_rows:
                event.listen(self.session, "before_commit", self._write_audit, once=True)
                event.listen(self.session, "after_rollback", self._drop_audit, once=True)
            self._audit_rows.append(row)
        return change

    def _drop_audit(self, _session: Session | None = None) -> None:
        self._audit_rows = []  # the changes they describe were rolled back

    def _write_audit(self, _session: Session | None = None) -> None:
        rows, self._audit_rows = self._audit_rows, []
        if rows:
            self.session.execute(insert(AuditEntry), rows)

    def _need(self, entity: str, key: str, field: str, target: str, ref: Any) -> Any:
        obj = self.get(target, ref)
        if obj is None:
            shown = "/".join(ref) if isinstance(ref, tuple) else ref
            raise InventoryError(entity, key, field, f"unknown {target} {shown!r}")
        return obj

    def _resolve(self, entity: str, key: str, rec: dict[str, Any]) -> dict[str, Any]:
        """Column values of a record: references become ids, uniqueness is checked."""
        values = {k: v for k, v in rec.items() if k in MODELS[entity].__table__.columns}
        if entity == "agency":
            parent = rec["parent"]
            values["parent_id"] = (self._id(self._need(entity, key, "parent", "agency", parent))
                                   if parent else None)
        elif entity == "site":
            values["agency_id"] = self._id(self._need(entity, key, "agency", "agency",
                                                     rec["agency"]))
        elif entity == "device":
            values["site_id"] = self._id(self._need(entity, key, "site", "site", rec["site"]))
            for column in ("serial", "asset_tag"):
                self._unique(key, column, rec[column])
        elif entity == "interface":
            values["device_id"] = self._id(self._need(entity, key, "device", "device",
                                                     rec["device"]))
        elif entity == "link":
            for end in ("a", "b"):
                ref = (rec[f"{end}_device"], rec[f"{end}_interface"])
                values[f"{end}_interface_id"] = self._id(self._end(key, end, ref))
        return values

    def _end(self, key: str, end: str, ref: tuple[str, str]) -> Interface:
        """A link's end interface, recorded on the fly when its device exists."""
        iface: Interface | None = self.get("interface", ref)
        if iface is None:
            device = self._need("link", key, f"{end}_device", "device", ref[0])
            self.put("interface", {"device": device.name, "name": ref[1]})
            iface = self.get("interface", ref)
            assert iface is not None
        return iface

    def _unique(self, key: str, column: str, value: str) -> None:
        if not value:
            return
        if self._cache is not None:
            owner = self._cache[column].get(value)
        else:
            owner = self.session.scalars(select(Device.name).where(
                getattr(Device, column) == value)).first()
        if owner is not None and owner != key:
            raise InventoryError("device", key, column,
                                 f"duplicate {column} {value!r}: already on device {owner!r}")

    def _remember(self, entity: str, lookup: Any, obj: Any, before: dict[str, Any],
                  after: dict[str, Any]) -> None:
        if self._cache is None:
            return
        self._cache[entity][lookup] = obj
        if obj.id is not None:
            self._ids[entity][obj.id] = obj
        if entity == "device":
            for column in ("serial", "asset_tag"):
                if before.get(column):
                    self._cache[column].pop(before[column], None)
                if after[column]:
                    self._cache[column][after[column]] = after["name"]

    def _refuse_orphans(self, entity: str, key: str, obj: Any) -> None:
        s = self.session
        children: Iterable[str] = ()
        if entity == "agency":
            children = [f"site {c}" for c in s.scalars(
                select(Site.code).where(Site.agency_id == obj.id))]
            children = [*children, *(f"agency {c}" for c in s.scalars(
                select(Agency.code).where(Agency.parent_id == obj.id)))]
        elif entity == "site":
            children = [f"device {n}" for n in s.scalars(
                select(Device.name).where(Device.site_id == obj.id))]
        elif entity in ("device", "interface"):
            ids = ([obj.id] if entity == "interface" else
                   list(s.scalars(select(Interface.id).where(Interface.device_id == obj.id))))
            children = [f"link {n}" for n in s.scalars(select(Link.name).where(
                Link.a_interface_id.in_(ids) | Link.b_interface_id.in_(ids)))]
        listed = list(children)
        if listed:
            more = f" and {len(listed) - 5} more" if len(listed) > 5 else ""
            raise InventoryError(entity, key, "key",
                                 f"still used by {', '.join(listed[:5])}{more}")


__all__ = ["MODELS", "Actor", "Change", "Inventory", "InventoryError", "ValidationError"]
