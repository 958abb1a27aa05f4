"""The edit forms of the inventory: which widget each field gets, and errors per field.

Each entity's form is a list of fieldsets of :class:`Widget`; closed sets are
``<select>``, dates ``<input type=date>``, references a text input with a
list of known keys. :func:`record_from_form` turns posted text into a record
(with the CSV files' empty-cell rules), :func:`field_errors` maps pydantic's
``ValidationError`` and the service's ``InventoryError`` to the fields they
are about, so each message is shown next to its input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from inventory.enums import AgencyKind, DeviceClass, DeviceStatus, Monitoring, Network, SiteRole
from inventory.io.formats import clean, fields_of
from inventory.schemas import RECORDS
from inventory.service import InventoryError

GENERAL = "__all__"
"""The key of an error about the record as a whole."""
KEYS = {"agency": "code", "site": "code", "device": "name", "link": "name"}
PLURALS = {"agency": "agencies", "site": "sites", "device": "devices", "link": "links"}
ENTITIES = {plural: entity for entity, plural in PLURALS.items()}


@dataclass(frozen=True)
class Widget:
    """How one field is edited: ``kind`` is text, select, date, number, textarea or ref."""

    name: str
    kind: str = "text"
    choices: tuple[str, ...] = ()
    ref: str = ""  # for kind "ref": the entity whose keys are suggested
    required: bool = False
    step: str = "1"


def _select(name: str, enum: Any, *, required: bool = True) -> Widget:
    return Widget(name, "select", tuple(m.value for m in enum), required=required)


def _ref(name: str, entity: str, *, required: bool = True) -> Widget:
    return Widget(name, "ref", ref=entity, required=required)


def _num(name: str, step: str = "1") -> Widget:
    return Widget(name, "number", step=step)


FORMS: dict[str, tuple[tuple[str, tuple[Widget, ...]], ...]] = {
    "agency": (
        ("fs_identity", (Widget("code", required=True), _select("kind", AgencyKind),
                         Widget("name_vi", required=True), Widget("name_en"),
                         _ref("parent", "agency", required=False))),
        ("fs_contact", (Widget("contact_name"), Widget("contact_phone"),
                        Widget("contact_email"))),
    ),
    "site": (
        ("fs_identity", (Widget("code", required=True), _ref("agency", "agency"),
                         Widget("name", required=True), Widget("address"),
                         _select("role", SiteRole))),
        ("fs_location", (_num("latitude", "any"), _num("longitude", "any"))),
    ),
    "device": (
        ("fs_identity", (Widget("name", required=True), _ref("site", "site"),
                         _select("device_class", DeviceClass), Widget("vendor"),
                         Widget("model"), Widget("serial"), Widget("asset_tag"),
                         Widget("firmware"))),
        ("fs_management", (Widget("mgmt_address"), _select("monitoring", Monitoring),
                           Widget("credentials"), _num("snmp_port"), Widget("platform"),
                           _num("ssh_port"))),
        ("fs_lifecycle", (_select("status", DeviceStatus), Widget("purchase_date", "date"),
                          Widget("funding_program"), Widget("warranty_end", "date"),
                          Widget("end_of_life", "date"), Widget("custodian"),
                          Widget("notes", "textarea"))),
    ),
    "link": (
        ("fs_identity", (Widget("name", required=True), _select("network", Network),
                         _num("bandwidth_mbps"), Widget("provider"), Widget("circuit_id"))),
        ("fs_a_end", (_ref("a_device", "device"), Widget("a_interface", required=True))),
        ("fs_b_end", (_ref("b_device", "device"), Widget("b_interface", required=True))),
    ),
}
"""The fieldsets of each entity's form, every record field once, in schema order."""


def form_values(entity: str, record: dict[str, Any] | None) -> dict[str, str]:
    """The text each input shows for ``record`` (a new record: the schema defaults)."""
    if record is None:
        record = {name: (info.default if not info.is_required() else None)
                  for name, info in RECORDS[entity].model_fields.items()}
    return {name: "" if record.get(name) is None else
            (record[name].isoformat() if hasattr(record[name], "isoformat") else
             str(record[name]))
            for name in fields_of(entity)}


def record_from_form(entity: str, posted: dict[str, str]) -> dict[str, Any]:
    """The record the posted text describes (empty inputs follow the CSV rules)."""
    return clean(entity, {name: posted.get(name, "").strip() for name in fields_of(entity)})


def _message(text: str) -> str:
    return re.sub(r"^(Value error|Assertion failed), ", "", text)


def _field_in(entity: str, text: str) -> str:
    """The first field of ``entity`` that a record-level message names, else GENERAL."""
    found = [(m.start(), name) for name in fields_of(entity)
             if (m := re.search(rf"\b{re.escape(name)}\b", text))]
    return min(found)[1] if found else GENERAL


def field_errors(entity: str, exc: ValidationError | InventoryError) -> dict[str, str]:
    """Error messages by field name (:data:`GENERAL` for the record as a whole)."""
    if isinstance(exc, InventoryError):
        name = exc.field if exc.field in fields_of(entity) else GENERAL
        if exc.field == "key":
            name = KEYS.get(entity, GENERAL)
        return {name: exc.reason}
    errors: dict[str, str] = {}
    for error in exc.errors():
        message = _message(error["msg"])
        loc = error["loc"]
        name = str(loc[0]) if loc else _field_in(entity, message)
        if name not in errors:
            errors[name] = message
    return errors
