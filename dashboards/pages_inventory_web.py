"""What every inventory page shares: sessions, role guards, agency scope, forms, flash, render.

:class:`InventoryPages` holds the session factory and the change hook; its
:meth:`~InventoryPages.reading` and :meth:`~InventoryPages.writing` give a
unit of work (writes act as the request's user, ``via=ui``, committed on
success). Forms are read by :func:`form_data` with the standard library
(URL-encoded bodies and ``multipart/form-data`` uploads), so the pages need
no form-parsing package. A one-shot *flash* message travels in a cookie
across the 303 redirect that follows a successful write.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.parser import BytesParser
from email.policy import HTTP
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

from fastapi import Cookie, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dashboards.bars import bar_chart
from dashboards.web import VN_TZ, base_context, templates
from inventory.enums import Via
from inventory.models import Agency
from inventory.service import Actor, Inventory
from noc.auth.roles import Principal, Role, actor_name, agency_scope, require_role

log = logging.getLogger(__name__)

MAX_UPLOAD = 10 * 1024 * 1024
"""The largest form body accepted (an import file included), in bytes."""
FLASH_COOKIE = "inv_flash"

Reader = Annotated[Principal, Depends(require_role(Role.VIEWER))]
Writer = Annotated[Principal, Depends(require_role(Role.TECHNICIAN))]
Lang = Annotated[str, Cookie()]


def fmt_date(value: date | datetime | str | None) -> str:
    """A date as dd/mm/yyyy (ISO strings too); empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10]).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return value.strftime("%d/%m/%Y")


def fmt_stamp(value: datetime | None) -> str:
    """A naive UTC timestamp as Vietnam time, dd/mm/yyyy HH:MM."""
    if value is None:
        return ""
    return value.replace(tzinfo=UTC).astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")


def query_string(params: dict[str, Any], **override: Any) -> str:
    """``params`` with ``override`` applied as a URL query string (empty values left out)."""
    merged = {**params, **override}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


templates.env.filters.update(ddmmyyyy=fmt_date, stamp=fmt_stamp)
templates.env.globals.update(bar_chart=bar_chart, qs=query_string)


@dataclass
class Form:
    """A posted form: text fields (last value wins) and uploaded files (name → bytes)."""

    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        """The value of text field ``name``, stripped."""
        return self.fields.get(name, default).strip()


def parse_form(content_type: str, body: bytes) -> Form:
    """A form from its raw body: URL-encoded or ``multipart/form-data``."""
    form = Form()
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + body)
        if not message.is_multipart():
            raise HTTPException(400, "malformed multipart form")
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename is not None:
                form.files[name] = (filename, data)
            else:
                form.fields[name] = data.decode("utf-8", errors="replace")
        return form
    text = body.decode("utf-8", errors="replace")
    form.fields.update(parse_qsl(text, keep_blank_values=True))
    return form


async def form_data(request: Request) -> Form:
    """The request's form (413 past :data:`MAX_UPLOAD` bytes)."""
    size = int(request.headers.get("content-length") or 0)
    if size > MAX_UPLOAD:
        raise HTTPException(413, "form too large")
    body = await request.body()
    if len(body) > MAX_UPLOAD:
        raise HTTPException(413, "form too large")
    return parse_form(request.headers.get("content-type", ""), body)


PostedForm = Annotated[Form, Depends(form_data)]


def redirect(url: str, flash: str = "") -> Response:
    """A 303 redirect to ``url``, carrying a one-shot ``flash`` message."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(FLASH_COOKIE, quote(flash[:300]), max_age=60, httponly=True,
                            samesite="lax")
    return response


@dataclass
class InventoryPages:
    """Sessions and change hook shared by the inventory pages."""

    sessions: sessionmaker[Session]
    on_change: Callable[[], None]

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reading (closed at the end; loaded objects stay readable)."""
        with self.sessions() as session:
            yield session

    @contextmanager
    def writing(self, request: Request) -> Iterator[Inventory]:
        """A unit of work as the request's user through the UI: committed if the block succeeds."""
        with self.sessions() as session:
            try:
                yield Inventory(session, Actor(actor_name(request), Via.UI))
                session.commit()
            except BaseException:
                session.rollback()
                raise
        self.changed()

    def changed(self) -> None:
        """Run the change hook after a committed write (a failure is logged, not shown)."""
        try:
            self.on_change()
        except Exception:
            log.exception("inventory change hook failed after a write from the pages")

    def render(self, request: Request, lang: str, name: str, status: int = 200,
               **extra: Any) -> Response:
        """Render ``inventory/<name>`` with the base context, consuming a pending flash."""
        flash = unquote(request.cookies.get(FLASH_COOKIE, ""))
        context = base_context(request, lang, section="inventory", flash=flash,
                               can_write=can_write(request), scope=agency_scope(request),
                               **extra)
        response: Response = templates.TemplateResponse(request, f"inventory/{name}", context,
                                                        status_code=status)
        if flash:
            response.delete_cookie(FLASH_COOKIE)
        return response


def can_write(request: Request) -> bool:
    """Whether the user may change the inventory (technician or above)."""
    user = getattr(request.state, "user", None)
    return isinstance(user, Principal) and user.role >= Role.TECHNICIAN


def scope_codes(session: Session, request: Request) -> set[str] | None:
    """The agency codes the user may see (the scope and its children), None for all."""
    scope = agency_scope(request)
    if scope is None:
        return None
    parent = select(Agency.id).where(Agency.code == scope).scalar_subquery()
    children = set(session.scalars(select(Agency.code).where(Agency.parent_id == parent)))
    return {scope, *children}


def agency_choices(session: Session, codes: set[str] | None) -> list[tuple[str, str]]:
    """(code, Vietnamese name) of every agency the user may see, by code."""
    stmt = select(Agency.code, Agency.name_vi).order_by(Agency.code)
    if codes is not None:
        stmt = stmt.where(Agency.code.in_(codes))
    return [(code, name) for code, name in session.execute(stmt)]


def csv_response(text: str, filename: str) -> Response:
    """A CSV download (UTF-8, diacritics kept)."""
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


__all__ = ["HTMLResponse", "InventoryPages", "Lang", "PostedForm", "Reader", "Writer",
           "agency_choices", "can_write", "csv_response", "fmt_date", "parse_form", "redirect",
           "scope_codes"]
