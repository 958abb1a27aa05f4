"""One inventory record: its page (every field, audit history), its edit form, retiring it.

``/inventory/<plural>/<key>`` shows a record of an agency, site, device or
link; ``…/edit`` and ``/inventory/<plural>/new`` are its forms. A posted
form is validated whole by :class:`inventory.service.Inventory` (audited as
the user, ``via=ui``); on an error the form comes back with each message
next to its field and the user's input kept, and nothing is changed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboards.pages_inventory_forms import (
    ENTITIES,
    FORMS,
    KEYS,
    PLURALS,
    field_errors,
    form_values,
    record_from_form,
)
from dashboards.pages_inventory_lists import scoped_spec
from dashboards.pages_inventory_web import (
    InventoryPages,
    Lang,
    PostedForm,
    Reader,
    Writer,
    redirect,
    scope_codes,
)
from inventory.enums import Via
from inventory.models import Agency, Device, Site
from inventory.records import AuditEntry
from inventory.service import Actor, Inventory, InventoryError
from noc.api_inventory_query import QUERIES

HISTORY = 100
"""How many audit entries a record page shows (newest first)."""


def _visible(session: Session, request: Request, entity: str, key: str) -> bool:
    """Whether the record exists and lies in the user's agency scope."""
    spec = scoped_spec(entity, scope_codes(session, request))
    stmt = spec.joins(select(spec.model)).where(QUERIES[entity].columns[KEYS[entity]] == key)
    return bool(session.scalar(select(func.count()).select_from(stmt.subquery())))


def _record(session: Session, request: Request, entity: str, key: str) -> dict[str, Any]:
    """The record ``key`` of ``entity`` (404 when unknown or outside the scope)."""
    if not _visible(session, request, entity, key):
        raise HTTPException(404, f"no {entity} {key!r}")
    inv = Inventory(session, Actor("pages", Via.UI), audit=False)
    return inv.record(entity, inv.get(entity, key))


def _history(session: Session, entity: str, key: str) -> list[AuditEntry]:
    stmt = (select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.key == key)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(HISTORY))
    return list(session.scalars(stmt))


def _suggestions(session: Session, request: Request, entity: str) -> dict[str, list[str]]:
    """Known keys offered by the reference inputs of ``entity``'s form (within the scope)."""
    codes = scope_codes(session, request)
    wanted = {w.ref for _, widgets in FORMS[entity] for w in widgets if w.kind == "ref"}
    out: dict[str, list[str]] = {}
    for ref in wanted:
        column = {"agency": Agency.code, "site": Site.code, "device": Device.name}[ref]
        stmt = scoped_spec(ref, codes).joins(select(column)).order_by(column).limit(5000)
        out[ref] = list(session.scalars(stmt))
    return out


def _save(pages: InventoryPages, request: Request, entity: str, key: str | None,
          posted: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Write the posted record: (its key, {}) or (key, errors by field)."""
    data = record_from_form(entity, posted)
    if key is not None:
        data[KEYS[entity]] = key
    new_key = str(data.get(KEYS[entity]) or "")
    try:
        with pages.writing(request) as inv:
            if key is None and new_key and inv.get(entity, new_key) is not None:
                raise InventoryError(entity, new_key, KEYS[entity], "already exists")
            if key is not None and not _visible(inv.session, request, entity, key):
                raise HTTPException(404, f"no {entity} {key!r}")
            inv.put(entity, data)
    except (ValidationError, InventoryError) as exc:
        return new_key, field_errors(entity, exc)
    return new_key, {}


def add_record_routes(router: APIRouter, pages: InventoryPages) -> None:
    """Add record pages, edit and new forms of every entity, and retiring devices."""
    for plural in PLURALS.values():
        _form_routes(router, pages, plural)
        _view_route(router, pages, plural)

    @router.post("/inventory/devices/{name}/retire", name="inventory_device_retire")
    def retire(request: Request, name: str, user: Writer, form: PostedForm) -> Response:
        with pages.writing(request) as inv:
            if not _visible(inv.session, request, "device", name):
                raise HTTPException(404, f"no device {name!r}")
            inv.delete("device", name)
        return redirect(f"/inventory/devices/{name}", "flash_retired")


def _view_route(router: APIRouter, pages: InventoryPages, plural: str) -> None:
    entity = ENTITIES[plural]

    @router.get(f"/inventory/{plural}/{{key}}", name=f"inventory_{entity}")
    def view(request: Request, key: str, user: Reader, lang: Lang = "vi") -> Response:
        with pages.reading() as session:
            record = _record(session, request, entity, key)
            history = _history(session, entity, key)
        return pages.render(request, lang, "record.html", entity=entity, plural=plural,
                            key=key, record=record, history=history, forms=FORMS[entity])


def _form_routes(router: APIRouter, pages: InventoryPages, plural: str) -> None:
    entity = ENTITIES[plural]

    def show(request: Request, lang: str, key: str | None, values: dict[str, str],
             errors: dict[str, str], status: int = 200) -> Response:
        with pages.reading() as session:
            suggestions = _suggestions(session, request, entity)
        return pages.render(request, lang, "form.html", status=status, entity=entity,
                            plural=plural, key=key, values=values, errors=errors,
                            forms=FORMS[entity], suggestions=suggestions,
                            key_field=KEYS[entity])

    @router.get(f"/inventory/{plural}/new", name=f"inventory_{entity}_new")
    def new_form(request: Request, user: Writer, lang: Lang = "vi") -> Response:
        return show(request, lang, None, form_values(entity, None), {})

    @router.post(f"/inventory/{plural}/new")
    def create(request: Request, user: Writer, form: PostedForm,
               lang: Lang = "vi") -> Response:
        key, errors = _save(pages, request, entity, None, form.fields)
        if errors:
            return show(request, lang, None, form.fields, errors, 422)
        return redirect(f"/inventory/{plural}/{key}", "flash_created")

    @router.get(f"/inventory/{plural}/{{key}}/edit", name=f"inventory_{entity}_edit")
    def edit_form(request: Request, key: str, user: Writer, lang: Lang = "vi") -> Response:
        with pages.reading() as session:
            record = _record(session, request, entity, key)
        return show(request, lang, key, form_values(entity, record), {})

    @router.post(f"/inventory/{plural}/{{key}}/edit")
    def update(request: Request, key: str, user: Writer, form: PostedForm,
               lang: Lang = "vi") -> Response:
        _, errors = _save(pages, request, entity, key, form.fields)
        if errors:
            return show(request, lang, key, {**form.fields, KEYS[entity]: key}, errors, 422)
        return redirect(f"/inventory/{plural}/{key}", "flash_saved")
