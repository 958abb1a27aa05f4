"""Agency pages: /agencies (filter by kind and status, sortable) and /agencies/{code}.

An agency page shows its sites and devices with their live status, its links,
availability over 24 h / 7 d / 30 d from the status history, its current
problems and its contacts. It is rendered at most once a second per range and
viewer kind (:mod:`dashboards.page_cache`).
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from dashboards.charts import Series
from dashboards.page_cache import PageCache, serve, viewer_key
from dashboards.pages_ops_common import (
    History,
    Lang,
    chart_range,
    check_visible,
    fmt_pct,
    render,
    render_text,
    sort_key,
    tr,
    visible_agencies,
)
from dashboards.pages_ops_index import Live, index, live
from noc.availability_db import figures, history, longest_window
from noc.runtime import Runtime
from noc.status import AgencyStatus

KIND_ORDER = ("city", "department", "district", "ward")
STATUS_ORDER = ("down", "degraded", "unknown", "up")
SORTS = ("status", "name", "code", "kind", "since", "devices")


def _sorted(rows: list[AgencyStatus], sort: str, desc: bool) -> list[AgencyStatus]:
    keys: dict[str, Any] = {
        "status": lambda s: (STATUS_ORDER.index(s.status) if s.status in STATUS_ORDER else 9,
                             s.since or 0.0),
        "name": lambda s: s.name_vi.casefold(),
        "code": lambda s: s.code,
        "kind": lambda s: (KIND_ORDER.index(s.kind) if s.kind in KIND_ORDER else 9, s.code),
        "since": lambda s: s.since or 0.0,
        "devices": lambda s: (s.devices_total, s.devices_up),
    }
    return sorted(rows, key=keys[sort], reverse=desc)


def add_agency_routes(router: APIRouter, runtime: Runtime) -> None:
    """Register the agency pages on ``router``."""

    @router.get("/agencies", response_class=HTMLResponse)
    def agencies_page(request: Request, lang: Lang = "vi",
                      kind: Annotated[str, Query()] = "",
                      status: Annotated[str, Query()] = "",
                      sort: Annotated[str, Query()] = "status",
                      desc: Annotated[int, Query()] = 0) -> HTMLResponse:
        now = live(runtime)
        visible = visible_agencies(request, now.catalog)
        rows = [s for s in now.ov.agencies if visible is None or s.code in visible]
        counts = {k: sum(1 for s in rows if s.kind == k) for k in KIND_ORDER}
        status_counts = {k: sum(1 for s in rows if s.status == k) for k in STATUS_ORDER}
        if kind:
            rows = [s for s in rows if s.kind == kind]
        if status:
            rows = [s for s in rows if s.status == status]
        column = sort_key(sort, SORTS)
        rows = _sorted(rows, column, bool(desc))
        parents = {c: a.parent for c, a in now.catalog.agencies.items()}
        return render(request, lang, "agencies.html", "agencies", rows=rows, kind=kind,
                      status=status, sort=column, desc=bool(desc), counts=counts,
                      status_counts=status_counts, parents=parents,
                      kinds=[k for k in KIND_ORDER if counts[k]], statuses=STATUS_ORDER)

    cache = PageCache()

    @router.get("/agencies/{code}", response_class=HTMLResponse)
    async def agency_page(request: Request, code: str, lang: Lang = "vi",
                          range_: Annotated[str, Query(alias="range")] = "24h") -> HTMLResponse:
        catalog = runtime.catalog
        agency = catalog.agencies.get(code)
        if agency is None:
            raise HTTPException(404, f"agency {code!r} not found")
        check_visible(visible_agencies(request, catalog), code, f"agency {code!r}")
        range_name = chart_range(range_)

        def make() -> str:
            context = _agency_context(runtime, live(runtime), code, range_name, lang)
            return render_text(request, lang, "agency.html", "agencies", agency=agency,
                               **context)

        return await serve(cache, (code, range_name, viewer_key(request, lang)), make)


def _agency_context(runtime: Runtime, now: Live, code: str, range_name: str,
                    lang: str) -> dict[str, Any]:
    idx = index(now.catalog)
    devices = runtime.state.devices()
    mine = idx.devices_of.get(code, [])
    sites: dict[str, list[Any]] = {}
    for dev in mine:
        sites.setdefault(dev.site, []).append((dev, devices.get(dev.name)))
    links = [(now.catalog.links[i], now.loads[i]) for i in idx.links_of_agency.get(code, [])]
    with runtime.sessions() as session:
        stamp = time.time()
        changes = history(session, "agency", [code], longest_window(stamp))[code]
    avail = figures(changes, stamp, agency=True)
    t = tr(lang)
    hist = History(runtime, range_name)
    chart = hist.chart(t("chart_agency_up"), [Series(t("chart_up"), hist.points(
        "agency", code, "up"), "s1", area=True)], fmt_pct,
        t("no_history") if hist.store is None else t("no_data"), y_max=1.0)
    down_devices = [d for d, st in (p for group in sites.values() for p in group)
                    if d.snmp_polled and st is not None and st.up is False]
    down_links = [link for link, load in links if load.oper_up is False]
    children = [now.statuses[c] for c in idx.children.get(code, []) if c in now.statuses]
    parent = now.catalog.agencies.get(now.catalog.agencies[code].parent or "")
    return {"status": now.statuses.get(code), "sites": sites,
            "site_names": now.catalog.site_names, "links": links, "avail": avail,
            "chart": chart, "range": range_name, "down_devices": down_devices,
            "down_links": down_links, "children": children, "parent": parent,
            "device_count": len(mine), "history": hist}
