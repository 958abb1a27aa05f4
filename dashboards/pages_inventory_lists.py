"""The inventory's search page and its lists: filters, sortable columns, paging, CSV export.

Lists run in SQL through :mod:`noc.api_inventory_query` (the REST API's
filters, diacritics-insensitive search, sort and paging): one count query,
one page query, then one query per reference, whatever the page size. A user
scoped to one agency sees only the records of that agency and its children.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from dashboards.pages_inventory_web import (
    InventoryPages,
    Lang,
    Reader,
    agency_choices,
    csv_response,
    scope_codes,
)
from inventory.enums import (
    AgencyKind,
    DeviceClass,
    DeviceStatus,
    Monitoring,
    Network,
    SiteRole,
    Via,
)
from inventory.io.formats import write_csv
from inventory.models import Agency, Device, Interface, Link, Site
from inventory.service import Actor, Inventory
from noc.api_inventory_models import (
    MAX_LIMIT,
    AgencyQuery,
    DeviceQuery,
    LinkQuery,
    ListQuery,
    SiteQuery,
)
from noc.api_inventory_query import QUERIES, EntityQuery, load_references, page

PAGE_SIZE = 100
SEARCH_LIMIT = 25
_READER = Actor("pages", Via.UI)


@dataclass(frozen=True)
class ListSpec:
    """One list page: its entity, query model, shown columns and filter fields."""

    entity: str
    plural: str
    query: type[ListQuery]
    columns: tuple[str, ...]
    filters: tuple[str, ...]
    choices: dict[str, tuple[str, ...]]


def _values(enum: Any) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


LISTS: dict[str, ListSpec] = {
    "devices": ListSpec(
        "device", "devices", DeviceQuery,
        ("name", "agency", "site", "device_class", "vendor", "model", "serial", "asset_tag",
         "mgmt_address", "status", "monitoring", "warranty_end"),
        ("agency", "site", "device_class", "status", "monitoring", "funding_program"),
        {"device_class": _values(DeviceClass), "status": _values(DeviceStatus),
         "monitoring": _values(Monitoring)}),
    "agencies": ListSpec(
        "agency", "agencies", AgencyQuery,
        ("code", "kind", "name_vi", "name_en", "parent", "contact_name", "contact_phone"),
        ("kind", "parent"), {"kind": _values(AgencyKind)}),
    "sites": ListSpec(
        "site", "sites", SiteQuery, ("code", "agency", "name", "address", "role"),
        ("agency", "role"), {"role": _values(SiteRole)}),
    "links": ListSpec(
        "link", "links", LinkQuery,
        ("name", "a_device", "a_interface", "b_device", "b_interface", "network",
         "bandwidth_mbps", "provider", "circuit_id"),
        ("network", "device", "provider"), {"network": _values(Network)}),
}
"""Every list page by its path segment."""


def _in_scope(entity: str, codes: set[str]) -> ColumnElement[bool]:
    """The condition keeping rows of ``entity`` inside the agencies ``codes``."""
    if entity in ("agency", "site", "device"):
        return Agency.code.in_(codes)
    ends = (select(Interface.id).join(Device, Interface.device_id == Device.id)
            .join(Site, Device.site_id == Site.id).join(Agency, Site.agency_id == Agency.id)
            .where(Agency.code.in_(codes)))
    return or_(Link.a_interface_id.in_(ends), Link.b_interface_id.in_(ends))


def scoped_spec(entity: str, codes: set[str] | None) -> EntityQuery:
    """The API's query description of ``entity``, limited to ``codes`` when scoped."""
    spec = QUERIES[entity]
    if codes is None:
        return spec
    condition = _in_scope(entity, codes)
    return replace(spec, joins=lambda stmt: spec.joins(stmt).where(condition))


def build_query(spec: ListSpec, params: dict[str, str], limit: int = PAGE_SIZE
                ) -> tuple[ListQuery, dict[str, str], list[str]]:
    """The list query of ``params``: (query, filters kept, names of refused filters)."""
    filters = {name: params[name].strip() for name in spec.filters
               if params.get(name, "").strip()}
    sort = params.get("sort", "").strip()
    if sort.removeprefix("-") not in QUERIES[spec.entity].columns:
        sort = ""
    try:
        number = max(int(params.get("page", "1")), 1)
    except ValueError:
        number = 1
    base = {"q": params.get("q", "").strip()[:200] or None, "sort": sort or None,
            "limit": limit, "offset": (number - 1) * limit}
    refused: list[str] = []
    while True:
        try:
            return spec.query.model_validate({**base, **filters}), filters, refused
        except ValidationError as exc:
            bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]} & filters.keys()
            if not bad:
                raise HTTPException(422, "bad list parameters") from exc
            refused += sorted(bad)
            filters = {k: v for k, v in filters.items() if k not in bad}


def records_page(session: Session, entity: str, spec: EntityQuery, query: ListQuery
                 ) -> tuple[list[dict[str, Any]], int]:
    """One page of records (devices also get ``agency``) and the number of all matches."""
    objs, total = page(session, spec, query)
    keep = load_references(session, spec, objs)
    inv = Inventory(session, _READER, audit=False)
    rows = [inv.record(entity, obj) for obj in objs]
    if entity == "device":
        keep += load_references(session, QUERIES["site"], [o for o in keep if isinstance(o, Site)])
        for row, obj in zip(rows, objs, strict=True):
            site = session.get(Site, obj.site_id)
            agency = session.get(Agency, site.agency_id) if site else None
            row["agency"] = agency.code if agency else ""
    del keep
    return rows, total


def all_records(session: Session, entity: str, spec: EntityQuery, query: ListQuery
                ) -> Iterator[dict[str, Any]]:
    """Every record matching ``query``, fetched :data:`MAX_LIMIT` at a time."""
    offset = 0
    while True:
        chunk = query.model_copy(update={"limit": MAX_LIMIT, "offset": offset})
        rows, total = records_page(session, entity, spec, chunk)
        for row in rows:
            row.pop("agency", None)
            yield row
        offset += MAX_LIMIT
        if offset >= total or not rows:
            return


def search_all(session: Session, q: str, codes: set[str] | None) -> dict[str, Any]:
    """Agencies, sites and devices matching ``q`` (at most :data:`SEARCH_LIMIT` each)."""
    out: dict[str, Any] = {}
    for plural in ("devices", "sites", "agencies"):
        spec = LISTS[plural]
        query = spec.query.model_validate({"q": q[:200], "limit": SEARCH_LIMIT})
        rows, total = records_page(session, spec.entity, scoped_spec(spec.entity, codes), query)
        out[plural] = {"rows": rows, "total": total}
    return out


def home_counts(session: Session, codes: set[str] | None) -> dict[str, Any]:
    """Record counts per entity and devices per status, within the scope."""
    counts: dict[str, Any] = {}
    for plural, spec in LISTS.items():
        stmt = scoped_spec(spec.entity, codes).joins(select(QUERIES[spec.entity].model))
        counts[plural] = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    by_status = (select(Device.status, func.count(Device.id))
                 .join(Site, Device.site_id == Site.id)
                 .join(Agency, Site.agency_id == Agency.id).group_by(Device.status))
    if codes is not None:
        by_status = by_status.where(Agency.code.in_(codes))
    counts["status"] = {status: n for status, n in session.execute(by_status)}
    return counts


def _funding_programs(session: Session) -> list[str]:
    return [p for p in session.scalars(select(Device.funding_program).distinct()
                                       .order_by(Device.funding_program)) if p]


def add_list_routes(router: APIRouter, pages: InventoryPages) -> None:
    """Add ``/inventory`` (search), the list pages and their CSV exports to ``router``."""

    @router.get("/inventory", name="inventory_home")
    def home(request: Request, user: Reader, lang: Lang = "vi") -> Response:
        q = request.query_params.get("q", "").strip()
        with pages.reading() as session:
            codes = scope_codes(session, request)
            results = search_all(session, q, codes) if q else None
            counts = home_counts(session, codes)
        return pages.render(request, lang, "home.html", q=q, results=results, counts=counts)

    def list_page(plural: str) -> None:
        spec = LISTS[plural]

        @router.get(f"/inventory/{plural}", name=f"inventory_{plural}")
        def listing(request: Request, user: Reader, lang: Lang = "vi") -> Response:
            params = dict(request.query_params)
            query, filters, refused = build_query(spec, params)
            with pages.reading() as session:
                codes = scope_codes(session, request)
                rows, total = records_page(session, spec.entity,
                                           scoped_spec(spec.entity, codes), query)
                agencies = agency_choices(session, codes)
                programs = _funding_programs(session) if plural == "devices" else []
            return pages.render(
                request, lang, "list.html", spec=spec, rows=rows, total=total, query=query,
                filters=filters, refused=refused, agencies=agencies, programs=programs,
                sortable=set(QUERIES[spec.entity].columns), page_size=PAGE_SIZE,
                number=query.offset // PAGE_SIZE + 1)

        @router.get(f"/inventory/{plural}.csv", name=f"inventory_{plural}_csv")
        def listing_csv(request: Request, user: Reader) -> Response:
            query, _, _ = build_query(spec, dict(request.query_params))
            with pages.reading() as session:
                codes = scope_codes(session, request)
                text = write_csv(spec.entity, all_records(
                    session, spec.entity, scoped_spec(spec.entity, codes), query))
            return csv_response(text, f"{plural}.csv")

    for plural in LISTS:
        list_page(plural)
