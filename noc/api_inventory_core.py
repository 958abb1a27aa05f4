"""The machinery under the inventory REST API: resources, units of work, error answers.

A :class:`Resource` says how an entity appears in the API (plural path,
record model, list query, key path parameters, retire-on-delete).
:class:`InventoryApi` gives each request its own session through
:meth:`~InventoryApi.reading` or :meth:`~InventoryApi.writing` (committed on
success, rolled back on any error, service errors turned into HTTP answers by
:func:`http_error`) and runs the change hook after committed writes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from inventory.enums import Via
from inventory.records import AuditEntry
from inventory.service import Actor, Change, Inventory, InventoryError
from noc.api_inventory_models import AuditQuery, ListQuery

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resource:
    """One entity as the API shows it: path, record model, list query, key path parameters."""

    entity: str
    plural: str
    record: type[BaseModel]
    query: type[ListQuery]
    keys: tuple[str, ...]  # path parameters making the natural key, joined by "/"
    retire: bool = False  # DELETE retires instead of deleting (unless ?purge=true)


def _detail(loc: list[Any], msg: str, kind: str) -> list[dict[str, Any]]:
    return [{"loc": loc, "msg": msg, "type": kind}]


def http_error(exc: Exception) -> HTTPException:
    """The HTTP answer to an error of the inventory service."""
    if isinstance(exc, ValidationError):
        return HTTPException(422, [{"loc": ["body", *e["loc"]], "msg": e["msg"],
                                    "type": e["type"]} for e in exc.errors()])
    if isinstance(exc, InventoryError):
        if exc.reason.startswith("still used by"):
            return HTTPException(409, f"{exc.entity} {exc.key!r} is {exc.reason}")
        return HTTPException(422, _detail(["body", exc.field], exc.reason, "inventory"))
    if isinstance(exc, IntegrityError):
        return HTTPException(409, f"conflicts with a record written meanwhile: {exc.orig}")
    return HTTPException(404, str(exc).strip("'\""))


_HANDLED = (ValidationError, InventoryError, IntegrityError)


class InventoryApi:
    """Sessions, audit actor and change hook shared by every route."""

    def __init__(self, sessions: sessionmaker[Session], on_change: Callable[[], None],
                 actor: Callable[[Request], str]) -> None:
        self.sessions, self.on_change, self.actor = sessions, on_change, actor

    @contextmanager
    def reading(self) -> Iterator[Inventory]:
        """A read-only unit of work (rolled back at the end)."""
        with self.sessions() as session:
            yield Inventory(session, Actor("reader", Via.API), audit=False)
            session.rollback()

    @contextmanager
    def writing(self, request: Request) -> Iterator[Inventory]:
        """A unit of work as the request's actor: committed if the block succeeds."""
        with self.sessions() as session:
            try:
                yield Inventory(session, Actor(self.actor(request), Via.API))
                session.commit()
            except _HANDLED as exc:
                session.rollback()
                raise http_error(exc) from exc
            except LookupError as exc:
                session.rollback()
                if isinstance(exc, KeyError | IndexError):
                    raise
                raise http_error(exc) from exc
            except BaseException:
                session.rollback()
                raise

    def changed(self, change: Change | None) -> None:
        """Run the change hook when a committed write changed something.

        The write is committed by then: a failing hook is logged, not reported
        to the client as a failed write.
        """
        if change is not None and change.changes:
            try:
                self.on_change()
            except Exception:
                log.exception("inventory change hook failed after %s %s %r", change.action,
                              change.entity, change.key)

    def audit(self, query: AuditQuery) -> dict[str, Any]:
        """A page of the audit log, newest first."""
        stmt = select(AuditEntry)
        for name in ("entity", "key", "actor", "via"):
            value = getattr(query, name)
            if value is not None:
                stmt = stmt.where(getattr(AuditEntry, name) == value)
        if query.since is not None:
            stmt = stmt.where(AuditEntry.at >= query.since)
        if query.until is not None:
            stmt = stmt.where(AuditEntry.at < query.until)
        with self.sessions() as session:
            total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = session.scalars(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                   .limit(query.limit).offset(query.offset)).all()
            return {"items": list(rows), "total": total, "limit": query.limit,
                    "offset": query.offset}


__all__ = ["InventoryApi", "Resource", "http_error"]
