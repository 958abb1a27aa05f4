"""Device pages: /devices (filters, search by name or address, pages) and /devices/{name}.

A device page is rendered at most once a second per range and viewer kind
(:mod:`dashboards.page_cache`): its data changes once per poll.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from dashboards.page_cache import PageCache, serve, viewer_key
from dashboards.pages_ops_common import (
    History,
    Lang,
    chart_range,
    check_visible,
    render,
    render_text,
    tr,
    visible_agencies,
)
from dashboards.pages_ops_device_data import (
    configs_for,
    device_charts,
    drift_for,
    fmt_duration,
    interface_rows,
    status_history,
    uptime_seconds,
)
from dashboards.pages_ops_index import index, live
from inventory.catalog import CatDevice
from noc.runtime import Runtime
from noc.state import DeviceState

PAGE_SIZE = 100
STATUSES = ("up", "down", "unknown")


def device_status(dev: CatDevice, state: DeviceState | None) -> str:
    """up, down or unknown (never polled, or not monitored)."""
    if state is None or state.up is None:
        return "unknown"
    return "up" if state.up else "down"


def _matches(dev: CatDevice, q: str) -> bool:
    return q in dev.name.lower() or (dev.address or "").startswith(q)


def add_device_routes(router: APIRouter, runtime: Runtime) -> None:
    """Register the device pages on ``router``."""

    @router.get("/devices", response_class=HTMLResponse)
    def devices_page(request: Request, lang: Lang = "vi",
                     agency: Annotated[str, Query()] = "",
                     cls: Annotated[str, Query(alias="class")] = "",
                     status: Annotated[str, Query()] = "",
                     q: Annotated[str, Query(max_length=100)] = "",
                     page: Annotated[int, Query(ge=1)] = 1) -> HTMLResponse:
        catalog = runtime.catalog
        visible = visible_agencies(request, catalog)
        states = runtime.state.devices()
        rows = [(d, states.get(d.name)) for d in index(catalog).devices_sorted
                if visible is None or d.agency in visible]
        classes = sorted({d.device_class for d, _ in rows})
        needle = q.strip().lower()
        rows = [(d, s) for d, s in rows
                if (not agency or d.agency == agency) and (not cls or d.device_class == cls)
                and (not status or device_status(d, s) == status)
                and (not needle or _matches(d, needle))]
        pages = max(1, -(-len(rows) // PAGE_SIZE))
        page = min(page, pages)
        shown = rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        agencies = sorted((a for c, a in catalog.agencies.items()
                           if visible is None or c in visible), key=lambda a: a.code)
        return render(request, lang, "devices.html", "devices", rows=shown, total=len(rows),
                      page=page, pages=pages, agency=agency, cls=cls, status=status, q=q,
                      classes=classes, agencies=agencies, statuses=STATUSES,
                      status_of=device_status)

    cache = PageCache()

    @router.get("/devices/{name}", response_class=HTMLResponse)
    async def device_page(request: Request, name: str, lang: Lang = "vi",
                          range_: Annotated[str, Query(alias="range")] = "24h") -> HTMLResponse:
        catalog = runtime.catalog
        dev = catalog.devices.get(name)
        if dev is None:
            raise HTTPException(404, f"device {name!r} not found")
        check_visible(visible_agencies(request, catalog), dev.agency, f"device {name!r}")
        range_name = chart_range(range_)
        return await serve(cache, (name, range_name, viewer_key(request, lang)),
                           lambda: render_text(request, lang, "device.html", "devices",
                                               **_device_context(runtime, dev, range_name,
                                                                 lang)))


def _device_context(runtime: Runtime, dev: CatDevice, range_name: str,
                    lang: str) -> dict[str, Any]:
    now = live(runtime)
    idx = index(now.catalog)
    state = runtime.state.devices().get(dev.name)
    links = [(now.catalog.links[i], now.loads[i]) for i in idx.links_of_device.get(dev.name, [])]
    links_by_if: dict[int, str] = {}
    for link, _ in links:
        for end, if_index in ((link.a_device, link.a_if_index), (link.b_device, link.b_if_index)):
            if end == dev.name and if_index is not None:
                links_by_if[if_index] = link.name
    rows = interface_rows(state, links_by_if)
    hist = History(runtime, range_name)
    avail, changes = status_history(runtime, dev.name)
    facts = state.facts if state is not None else None
    events = [e for e in runtime.state.events if e.device == dev.name][-15:][::-1]
    return {"dev": dev, "state": state, "status": device_status(dev, state),
            "agency": now.catalog.agencies.get(dev.agency), "interfaces": rows,
            "links": links, "charts": device_charts(hist, dev.name, rows, tr(lang)),
            "range": range_name, "no_store": hist.store is None, "avail": avail,
            "changes": changes, "facts": facts,
            "uptime": fmt_duration(uptime_seconds(state)), "drift": drift_for(runtime, dev.name),
            "configs": configs_for(runtime, dev), "events": events,
            "site_name": now.catalog.site_names.get(dev.site, dev.site)}
