"""The technicians' inventory pages: search, lists, records and forms, import, drift, reports.

:func:`make_inventory_router` builds every ``/inventory`` page over a session
factory; ``on_change`` runs after each committed write (the NOC reloads what
it polls). Reading needs the viewer role (a viewer scoped to one agency sees
only that agency's records); every write needs the technician role and is
audited as the user with ``via=ui``. Forms post the ``csrf_token`` of the
page, which the authentication middleware checks.

The pages live in ``pages_inventory_*.py``: lists and search, records and
forms, import/export, drift, reports; shared helpers in
:mod:`dashboards.pages_inventory_web`.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from sqlalchemy.orm import Session, sessionmaker

from dashboards.pages_inventory_drift import add_drift_routes
from dashboards.pages_inventory_io import add_io_routes
from dashboards.pages_inventory_lists import add_list_routes
from dashboards.pages_inventory_records import add_record_routes
from dashboards.pages_inventory_reports import add_report_routes
from dashboards.pages_inventory_web import InventoryPages


def make_inventory_router(sessions: sessionmaker[Session],
                          on_change: Callable[[], None]) -> APIRouter:
    """Every inventory page, reading and writing through ``sessions``."""
    router = APIRouter(include_in_schema=False)
    pages = InventoryPages(sessions, on_change)
    add_list_routes(router, pages)
    add_io_routes(router, pages)
    add_drift_routes(router, pages)
    add_report_routes(router, pages)
    add_record_routes(router, pages)  # last: /inventory/<plural>/<key> matches widely
    return router


__all__ = ["make_inventory_router"]
