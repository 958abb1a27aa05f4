"""Link pages: /links (busiest first) and /links/{name} (both ends, load, errors, availability).

A link has no status history of its own: its availability is the time both
end devices were up (:func:`noc.availability_db.both_up`).
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from dashboards.charts import Series
from dashboards.pages_ops_common import (
    History,
    Lang,
    chart_range,
    fmt_bps_axis,
    fmt_pct,
    fmt_plain,
    render,
    tr,
    visible_agencies,
)
from dashboards.pages_ops_device_data import interface_of
from dashboards.pages_ops_index import Live, index, live
from inventory.catalog import CatLink
from noc.availability_db import both_up, figures, history, longest_window
from noc.runtime import Runtime

NETWORKS = ("metronet", "tslcd", "internet-vpn", "lan")


def _visible_link(now: Live, link: CatLink, visible: set[str] | None) -> bool:
    if visible is None:
        return True
    ends = (now.catalog.devices.get(link.a_device), now.catalog.devices.get(link.b_device))
    return any(end is not None and end.agency in visible for end in ends)


def add_link_routes(router: APIRouter, runtime: Runtime) -> None:
    """Register the link pages on ``router``."""

    @router.get("/links", response_class=HTMLResponse)
    def links_page(request: Request, lang: Lang = "vi",
                   network: Annotated[str, Query()] = "",
                   q: Annotated[str, Query(max_length=100)] = "") -> HTMLResponse:
        now = live(runtime)
        visible = visible_agencies(request, now.catalog)
        needle = q.strip().lower()
        rows = [ld for ld in now.loads
                if _visible_link(now, ld.link, visible)
                and (not network or ld.link.network == network)
                and (not needle or needle in ld.link.name.lower()
                     or needle in ld.link.a_device or needle in ld.link.b_device)]
        rows.sort(key=lambda ld: (ld.utilization is None, -(ld.utilization or 0.0),
                                  ld.link.name))
        down = sum(1 for ld in rows if ld.oper_up is False)
        return render(request, lang, "links.html", "links", rows=rows, network=network, q=q,
                      networks=NETWORKS, down=down)

    @router.get("/links/{name}", response_class=HTMLResponse)
    def link_page(request: Request, name: str, lang: Lang = "vi",
                  range_: Annotated[str, Query(alias="range")] = "24h") -> HTMLResponse:
        now = live(runtime)
        i = index(now.catalog).link_index.get(name)
        if i is None or not _visible_link(now, now.catalog.links[i],
                                          visible_agencies(request, now.catalog)):
            raise HTTPException(404, f"link {name!r} not found")
        return render(request, lang, "link.html", "links",
                      **_link_context(runtime, now, i, chart_range(range_), lang))


def _end(runtime: Runtime, now: Live, device: str, if_index: int | None) -> dict[str, Any]:
    dev = now.catalog.devices.get(device)
    state = runtime.state.devices().get(device)
    iface = interface_of(state, if_index)
    return {"name": device, "dev": dev, "state": state, "iface": iface,
            "agency": now.catalog.agencies.get(dev.agency) if dev else None,
            "port": iface.sample.name if iface is not None else (
                f"ifIndex {if_index}" if if_index is not None else "–")}


def _link_context(runtime: Runtime, now: Live, i: int, range_name: str,
                  lang: str) -> dict[str, Any]:
    link, load = now.catalog.links[i], now.loads[i]
    t = tr(lang)
    stamp = time.time()
    with runtime.sessions() as session:
        both = history(session, "device", [link.a_device, link.b_device], longest_window(stamp))
    avail = figures(both_up(both.get(link.a_device, []), both.get(link.b_device, [])), stamp)
    hist = History(runtime, range_name)
    empty = t("no_history") if hist.store is None else t("no_data")
    traffic = hist.chart(t("chart_traffic"), [
        Series(t("inbound"), hist.points("link", link.name, "in_bps"), "s1", area=True),
        Series(t("outbound"), hist.points("link", link.name, "out_bps"), "s2")],
        fmt_bps_axis, empty)
    util = hist.chart(t("utilization"), [
        Series(t("utilization"), hist.points("link", link.name, "util"), "s1", area=True,
               band=True)], fmt_pct, empty, y_max=1.0)
    a_end = _end(runtime, now, link.a_device, link.a_if_index)
    name_a = a_end["iface"].sample.name if a_end["iface"] is not None else ""
    errors = hist.chart(t("chart_errors"), [
        Series(t("inbound"), hist.points("if", link.a_device, name_a, "in_errors"), "s3"),
        Series(t("outbound"), hist.points("if", link.a_device, name_a, "out_errors"), "s2")],
        fmt_plain("/s"), empty)
    return {"link": link, "load": load, "a": a_end,
            "b": _end(runtime, now, link.b_device, link.b_if_index), "avail": avail,
            "charts": [traffic, util, errors], "range": range_name,
            "no_store": hist.store is None}
