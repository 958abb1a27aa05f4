"""The inventory REST API under ``/api/v1/inventory/``: list, get, create, replace, patch, delete.

One set of routes per entity, built from the :data:`RESOURCES` table:

========================  ====================================  ==============================
``GET    /{plural}``       filtered, searched, sorted page       ``{"items", "total", ...}``
``GET    /{plural}/{key}``  one record                           404 if unknown
``POST   /{plural}``       create                                201; 409 if the key exists
``PUT    /{plural}/{key}``  create or replace (whole record)     201 created, 200 replaced
``PATCH  /{plural}/{key}``  change some fields                   merged record validated whole
``DELETE /{plural}/{key}``  delete; devices are *retired*        204; 409 while still referenced
``GET    /audit``          the audit log, newest first
========================  ====================================  ==============================

Keys are natural: ``code`` for agencies and sites, ``name`` for devices and
links, ``{device}/{name}`` for interfaces (the interface name may itself
contain ``/``, as in ``Gi1/0/1``). Every write goes through
:class:`inventory.service.Inventory` (validated, references resolved, audited
with the caller's actor name and ``via=api``) in its own session, committed on
success and rolled back on any error; ``on_change`` runs after each committed
write that changed something. Errors: 422 with FastAPI's ``detail`` shape and
field paths (``["body", "serial"]``), 404 for an unknown key, 409 for a
conflict or a record still in use. The routes are built by
:mod:`noc.api_inventory_routes` over :mod:`noc.api_inventory_core`.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session, sessionmaker

from inventory.schemas import AgencyRecord, DeviceRecord, InterfaceRecord, LinkRecord, SiteRecord
from noc.api_inventory_core import InventoryApi, Resource
from noc.api_inventory_models import (
    AgencyQuery,
    DeviceQuery,
    InterfaceQuery,
    LinkQuery,
    SiteQuery,
)
from noc.api_inventory_routes import add_audit_route, add_routes

PREFIX = "/api/v1/inventory"
TAG = "inventory"

RESOURCES: tuple[Resource, ...] = (
    Resource("agency", "agencies", AgencyRecord, AgencyQuery, ("code",)),
    Resource("site", "sites", SiteRecord, SiteQuery, ("code",)),
    Resource("device", "devices", DeviceRecord, DeviceQuery, ("name",), retire=True),
    Resource("interface", "interfaces", InterfaceRecord, InterfaceQuery, ("device", "name")),
    Resource("link", "links", LinkRecord, LinkQuery, ("name",)),
)
"""Every entity of the API, in dependency order."""


def make_inventory_api(sessions: sessionmaker[Session],
                       on_change: Callable[[], None] = lambda: None,
                       actor: Callable[[Request], str] = lambda r: "anonymous") -> APIRouter:
    """The ``/api/v1/inventory`` router over ``sessions``.

    ``on_change`` runs after every committed write that changed something (the
    NOC reloads its catalog); ``actor`` names the audit actor of a request.
    """
    api = InventoryApi(sessions, on_change, actor)
    router = APIRouter(prefix=PREFIX, tags=[TAG])
    add_audit_route(router, api)
    for resource in RESOURCES:
        add_routes(router, api, resource)
    return router


__all__ = ["PREFIX", "RESOURCES", "make_inventory_api"]
