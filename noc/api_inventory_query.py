"""Listing inventory records in SQL: filters, diacritics-aware search, sort and paging.

Each entity is described by an :class:`EntityQuery`: its model, the joins
that bring the natural keys of its references (a device's site code, a link
end's device name), the SQL expression behind every sortable record field,
the fields searched by ``q`` and the filters that are not a plain equality.
:func:`page` runs one count and one page query, then loads the referenced rows
of that page in one query per reference, so a list never loads the table.

Search folds case and Vietnamese diacritics on both sides: ``q`` in Python
with :func:`fold`, the columns in SQL (``translate`` + ``lower`` on
PostgreSQL, the same Python function registered on SQLite), so both
databases give the same answers without an extension.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from inventory.models import Agency, Base, Device, Interface, Link, Site
from inventory.service import MODELS
from noc.api_inventory_models import ListQuery


def _fold_table() -> dict[int, str]:
    """Every accented Latin letter (Vietnamese included) mapped to its lowercase base letter."""
    table = {ord("Đ"): "d", ord("đ"): "d"}
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        base = unicodedata.normalize("NFKD", chr(code))[:1]
        if base.isascii() and base.isalpha() and base != chr(code):
            table[code] = base.lower()
    return table


_FOLD = _fold_table()
_FOLD_FROM = "".join(chr(c) for c in _FOLD)
_FOLD_TO = "".join(_FOLD.values())
SQLITE_FOLD = "noc_fold"


def fold(text: str | None) -> str | None:
    """``text`` lowercased and without diacritics (``"Bến Nghé"`` → ``"ben nghe"``)."""
    return None if text is None else text.translate(_FOLD).lower()


def prepare(session: Session) -> None:
    """Make :data:`SQLITE_FOLD` callable in SQL on ``session``'s SQLite connection."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw: Any = connection.connection.dbapi_connection
        raw.create_function(SQLITE_FOLD, 1, fold, deterministic=True)


def _folded(column: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    if dialect == "sqlite":
        return getattr(func, SQLITE_FOLD)(column)  # type: ignore[no-any-return]
    return func.lower(func.translate(column, _FOLD_FROM, _FOLD_TO))


Condition = Callable[[Any], ColumnElement[bool]]

_Parent = aliased(Agency, name="parent_agency")
_AIf, _BIf = aliased(Interface, name="a_if"), aliased(Interface, name="b_if")
_ADev, _BDev = aliased(Device, name="a_dev"), aliased(Device, name="b_dev")


@dataclass(frozen=True)
class EntityQuery:
    """How one entity is listed: joins, sortable fields, searched fields, special filters."""

    entity: str
    joins: Callable[[Select[Any]], Select[Any]]
    columns: dict[str, Any]  # record field -> SQL expression (sort and plain filters)
    search: tuple[str, ...]
    filters: dict[str, Condition] = field(default_factory=dict)
    refs: tuple[tuple[str, str], ...] = ()  # (id attribute, entity) loaded with a page

    @property
    def model(self) -> type[Base]:
        """The ORM model of the entity."""
        return MODELS[self.entity]


def _plain(model: type[Base], names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(model, name) for name in names}


QUERIES: dict[str, EntityQuery] = {
    "agency": EntityQuery(
        "agency", lambda s: s.outerjoin(_Parent, Agency.parent_id == _Parent.id),
        {**_plain(Agency, ("code", "kind", "name_vi", "name_en", "contact_name",
                           "contact_phone", "contact_email")), "parent": _Parent.code},
        ("code", "name_vi", "name_en"), refs=(("parent_id", "agency"),)),
    "site": EntityQuery(
        "site", lambda s: s.join(Agency, Site.agency_id == Agency.id),
        {**_plain(Site, ("code", "name", "address", "role", "latitude", "longitude")),
         "agency": Agency.code},
        ("code", "name", "address"), refs=(("agency_id", "agency"),)),
    "device": EntityQuery(
        "device", lambda s: s.join(Site, Device.site_id == Site.id).join(
            Agency, Site.agency_id == Agency.id),
        {**_plain(Device, ("name", "device_class", "vendor", "model", "serial", "asset_tag",
                           "firmware", "mgmt_address", "snmp_port", "credentials",
                           "monitoring", "platform", "ssh_port", "status", "purchase_date",
                           "funding_program", "warranty_end", "end_of_life", "custodian")),
         "site": Site.code},
        ("name", "serial", "asset_tag", "mgmt_address", "model", "custodian"),
        {"agency": lambda v: Agency.code == v,
         "warranty_before": lambda v: Device.warranty_end < v},
        refs=(("site_id", "site"),)),
    "interface": EntityQuery(
        "interface", lambda s: s.join(Device, Interface.device_id == Device.id),
        {**_plain(Interface, ("name", "if_index", "description", "mac", "speed_mbps")),
         "device": Device.name},
        ("name", "description", "mac"), refs=(("device_id", "device"),)),
    "link": EntityQuery(
        "link", lambda s: s.join(_AIf, Link.a_interface_id == _AIf.id).join(
            _ADev, _AIf.device_id == _ADev.id).join(
            _BIf, Link.b_interface_id == _BIf.id).join(_BDev, _BIf.device_id == _BDev.id),
        {**_plain(Link, ("name", "network", "bandwidth_mbps", "provider", "circuit_id")),
         "a_device": _ADev.name, "a_interface": _AIf.name,
         "b_device": _BDev.name, "b_interface": _BIf.name},
        ("name", "provider", "circuit_id"),
        {"device": lambda v: or_(_ADev.name == v, _BDev.name == v)},
        refs=(("a_interface_id", "interface"), ("b_interface_id", "interface"))),
}
"""How each entity is listed."""


class SortError(ValueError):
    """``sort`` names a field that cannot be sorted on."""


def _statement(spec: EntityQuery, query: ListQuery, dialect: str) -> Select[Any]:
    """The filtered (unsorted, unpaged) statement of a list."""
    stmt = spec.joins(select(spec.model))
    for name, value in query.model_dump(exclude_none=True,
                                        exclude=set(ListQuery.model_fields)).items():
        if name in spec.filters:
            stmt = stmt.where(spec.filters[name](value))
        else:
            stmt = stmt.where(spec.columns[name] == value)
    if query.q:
        needle = fold(query.q.strip()) or ""
        stmt = stmt.where(or_(*(_folded(spec.columns[f], dialect).contains(needle,
                                                                          autoescape=True)
                                for f in spec.search)))
    return stmt


def _order(spec: EntityQuery, sort: str | None) -> list[Any]:
    """ORDER BY clauses: the requested field (nulls last), then the id for a stable order."""
    tie = spec.model.id  # type: ignore[attr-defined]
    if not sort:
        return [tie]
    name = sort.removeprefix("-")
    if name not in spec.columns:
        raise SortError(f"cannot sort on {name!r}; one of: {', '.join(sorted(spec.columns))}")
    column = spec.columns[name]
    clause = column.desc() if sort.startswith("-") else column.asc()
    return [column.is_(None), clause, tie]


def page(session: Session, spec: EntityQuery, query: ListQuery) -> tuple[list[Any], int]:
    """One page of ORM objects matching ``query`` and the number of all matches."""
    prepare(session)
    stmt = _statement(spec, query, session.get_bind().dialect.name)
    order = _order(spec, query.sort)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    objs = list(session.scalars(stmt.order_by(*order).limit(query.limit).offset(query.offset)))
    return objs, total


def load_references(session: Session, spec: EntityQuery, objs: list[Any]) -> list[Any]:
    """Load the rows ``objs`` refer to in one query per reference (keep the result alive)."""
    loaded: list[Any] = []
    for attribute, target in spec.refs:
        ids = {getattr(obj, attribute) for obj in objs} - {None}
        if not ids:
            continue
        model: Any = MODELS[target]
        rows = list(session.scalars(select(model).where(model.id.in_(ids))))
        loaded += rows
        loaded += load_references(session, QUERIES[target], rows) if target == "interface" \
            else []
    return loaded
