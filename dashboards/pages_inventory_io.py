"""Import (with a dry-run preview first) and export of inventory files from the pages.

A technician uploads a CSV table or a YAML document (or pastes it). It is
always imported as a *dry run* first (:func:`inventory.io.run_import`, rolled
back): the page shows what would be created, updated or left unchanged with
the first changes field by field, or every row error. The content waits in
memory under a random token for :data:`PENDING_TTL` seconds (no temporary
file); "confirm import" posts the token and the same content is imported for
real, audited as the user (``via=ui``), all or nothing.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboards.pages_inventory_web import (
    InventoryPages,
    Lang,
    PostedForm,
    Reader,
    Writer,
    csv_response,
    redirect,
    scope_codes,
)
from inventory.enums import Via
from inventory.io import (
    Batch,
    ImportOptions,
    InventoryImportError,
    export_records,
    read_csv,
    read_yaml,
    run_import,
    write_csv,
    write_yaml,
)
from inventory.io.formats import SECTIONS
from inventory.io.importer import ACTIONS
from inventory.models import Agency, Device, Site
from inventory.schemas import RECORDS
from inventory.service import Actor
from noc.auth.roles import actor_name

PENDING_TTL = 600.0
MAX_PENDING = 20
PREVIEW = 50
"""How many changes the preview lists."""


@dataclass(frozen=True)
class Pending:
    """An uploaded file waiting for confirmation."""

    user: str
    filename: str
    text: str
    entity: str | None
    expires: float


class PendingImports:
    """Uploaded files by random token, forgotten after :data:`PENDING_TTL` seconds."""

    def __init__(self) -> None:
        self._items: dict[str, Pending] = {}
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        for token in [t for t, p in self._items.items() if p.expires <= now]:
            del self._items[token]

    def put(self, user: str, filename: str, text: str, entity: str | None) -> str:
        """Keep ``text`` for ``user``; the token to confirm it with."""
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            while len(self._items) >= MAX_PENDING:
                del self._items[min(self._items, key=lambda t: self._items[t].expires)]
            token = secrets.token_urlsafe(24)
            self._items[token] = Pending(user, filename, text, entity, now + PENDING_TTL)
            return token

    def take(self, token: str, user: str) -> Pending | None:
        """The file kept under ``token`` for ``user`` (forgotten now), None if gone."""
        with self._lock:
            self._expire(time.monotonic())
            pending = self._items.get(token)
            if pending is None or pending.user != user:
                return None
            del self._items[token]
            return pending


def read_upload(filename: str, text: str, entity: str | None = None) -> Batch:
    """The rows of an uploaded file: YAML by its extension, CSV otherwise.

    A CSV table is of ``entity``, else of the entity its name says
    (``devices.csv``), else of the one its header matches; with an entity
    named, columns may be missing (as with ``noc inventory import --entity``).
    """
    if filename.lower().endswith((".yaml", ".yml")):
        return read_yaml(text, filename)
    stem = Path(filename).stem.lower()
    named = next((e for e, section in SECTIONS.items() if section == stem), None)
    return read_csv(text, filename, entity or named)


def _upload(form: PostedForm) -> tuple[str, str]:
    """(file name, text) of the uploaded file, or of the pasted text."""
    name, data = form.files.get("file", ("", b""))
    if data:
        try:
            return name or "upload.csv", data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise HTTPException(400, "the file is not UTF-8 text") from None
    pasted = form.fields.get("text", "")
    kind = form.get("paste_format", "csv")
    return ("pasted.yaml" if kind == "yaml" else "pasted.csv"), pasted


def _entity(form: PostedForm) -> str | None:
    """The entity the form names for a CSV table (None: tell from the file)."""
    entity = form.get("entity")
    return entity if entity in RECORDS else None


def _run(pages: InventoryPages, request: Request, filename: str, text: str,
         entity: str | None, dry_run: bool) -> dict[str, Any]:
    """Import ``text``; the page context: ``report`` or ``errors``."""
    batch = read_upload(filename, text, entity)
    actor = Actor(actor_name(request), Via.UI)
    with pages.sessions() as session:
        try:
            report = run_import(session, batch, actor, ImportOptions(dry_run=dry_run))
        except InventoryImportError as exc:
            return {"errors": exc.errors, "filename": filename}
    changes = report.changes[:PREVIEW]
    return {"report": report, "changes": changes, "filename": filename,
            "entities": [e for e in RECORDS if sum(report.counts[e].values())]}


def _scoped_records(session: Session, codes: set[str], entities: list[str]
                    ) -> dict[str, list[dict[str, Any]]]:
    """The records of ``entities`` inside the agencies ``codes``."""
    sites = set(session.scalars(select(Site.code).join(Agency).where(Agency.code.in_(codes))))
    devices = set(session.scalars(select(Device.name).join(Site).join(Agency)
                                  .where(Agency.code.in_(codes))))
    keep = {"agency": lambda r: r["code"] in codes, "site": lambda r: r["code"] in sites,
            "device": lambda r: r["name"] in devices,
            "interface": lambda r: r["device"] in devices,
            "link": lambda r: r["a_device"] in devices or r["b_device"] in devices}
    records = export_records(session, entities)
    return {e: [r for r in rows if keep[e](r)] for e, rows in records.items()}


def add_io_routes(router: APIRouter, pages: InventoryPages) -> None:
    """Add ``/inventory/import`` (dry run, confirm) and ``/inventory/export``."""
    pending = PendingImports()

    @router.get("/inventory/import", name="inventory_import")
    def import_form(request: Request, user: Writer, lang: Lang = "vi") -> Response:
        return pages.render(request, lang, "import.html", sections=SECTIONS)

    @router.post("/inventory/import")
    def import_dry_run(request: Request, user: Writer, form: PostedForm,
                       lang: Lang = "vi") -> Response:
        filename, text = _upload(form)
        if not text.strip():
            return pages.render(request, lang, "import.html", status=422, sections=SECTIONS,
                                empty=True)
        entity = _entity(form)
        result = _run(pages, request, filename, text, entity, dry_run=True)
        if "report" in result and result["report"].changed:
            result["token"] = pending.put(actor_name(request), filename, text, entity)
        status = 422 if "errors" in result else 200
        return pages.render(request, lang, "import.html", status=status, sections=SECTIONS,
                            actions=ACTIONS, **result)

    @router.post("/inventory/import/confirm")
    def import_confirm(request: Request, user: Writer, form: PostedForm,
                       lang: Lang = "vi") -> Response:
        kept = pending.take(form.get("token"), actor_name(request))
        if kept is None:
            return pages.render(request, lang, "import.html", status=410, sections=SECTIONS,
                                expired=True)
        result = _run(pages, request, kept.filename, kept.text, kept.entity,
                      dry_run=False)
        if "errors" in result:
            return pages.render(request, lang, "import.html", status=422, sections=SECTIONS,
                                actions=ACTIONS, **result)
        pages.changed()
        return redirect("/inventory/import", "flash_imported")

    @router.get("/inventory/export", name="inventory_export")
    def export(request: Request, user: Reader, format: str = "csv",
               entity: str = "device") -> Response:
        if format not in ("csv", "yaml") or (format == "csv" and entity not in RECORDS):
            raise HTTPException(422, "format is csv or yaml; entity is one of "
                                     + ", ".join(RECORDS))
        entities = [entity] if format == "csv" else list(RECORDS)
        with pages.reading() as session:
            codes = scope_codes(session, request)
            records = (export_records(session, entities) if codes is None
                       else _scoped_records(session, codes, entities))
        if format == "csv":
            return csv_response(write_csv(entity, records[entity]), f"{SECTIONS[entity]}.csv")
        return Response(write_yaml(records).encode("utf-8"),
                        media_type="application/yaml; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="inventory.yaml"'})


__all__ = ["PendingImports", "add_io_routes", "read_upload"]
