"""The operators' pages: agencies, devices, links, alerts, and the overview with its picture.

:func:`make_ops_router` is what :func:`noc.app.create_app` includes. Every
page is server-rendered (Jinja2 templates under ``templates/ops/``) from the
runtime's in-memory catalog and live state; the database is read only for the
status history (availability), the drift report (cached) and configuration
versions, a few queries per page and never one per row.

The router also serves the overview (``/`` and its live fragment) with the
network picture, poller health and alerts panel, so it must be included
before the plain overview router of :mod:`dashboards.views`.
"""

from __future__ import annotations

from fastapi import APIRouter

from dashboards.pages_ops_agency import add_agency_routes
from dashboards.pages_ops_device import add_device_routes
from dashboards.pages_ops_link import add_link_routes
from dashboards.pages_ops_overview import add_alert_routes, overview_extras
from dashboards.views import make_router
from noc.runtime import Runtime

__all__ = ["make_ops_router"]


def make_ops_router(runtime: Runtime) -> APIRouter:
    """The operators' pages over ``runtime``."""
    router = APIRouter()
    router.include_router(make_router(runtime.overview, overview_extras(runtime)))
    add_agency_routes(router, runtime)
    add_device_routes(router, runtime)
    add_link_routes(router, runtime)
    add_alert_routes(router, runtime)
    return router
