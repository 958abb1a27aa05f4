"""Server-rendered pages (Jinja2): the operators' overview.

The page is rendered whole once; a small script then re-fetches the
``/fragments/overview`` HTML every few seconds and swaps it in, so the wall
screen stays live without reloads or a front-end framework.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from dashboards.i18n import LANGS, translator
from noc.overview import Overview

HERE = Path(__file__).parent
VN_TZ = timezone(timedelta(hours=7), "ICT")  # Asia/Ho_Chi_Minh, no DST

templates = Jinja2Templates(directory=str(HERE / "templates"))


def fmt_bps(value: float | None) -> str:
    """Bit rate for humans: 12.3 Mbit/s."""
    if value is None:
        return "–"
    for unit, scale in (("Gbit/s", 1e9), ("Mbit/s", 1e6), ("kbit/s", 1e3)):
        if value >= scale:
            return f"{value / scale:.1f} {unit}"
    return f"{value:.0f} bit/s"


def fmt_time(ts: float | None) -> str:
    """Wall-clock time in Vietnam (UTC+7), HH:MM:SS dd/mm."""
    if not ts:
        return "–"
    return datetime.fromtimestamp(ts, VN_TZ).strftime("%H:%M:%S %d/%m")


def fmt_ago(ts: float | None, now: float | None = None) -> str:
    """How long ago, compactly: 45s, 12m, 3h05m, 2d4h."""
    if not ts:
        return "–"
    secs = int((now or time.time()) - ts)
    if secs < 60:
        return f"{max(secs, 0)}s"
    if secs < 3600:
        return f"{secs // 60}m"
    if secs < 86400:
        return f"{secs // 3600}h{secs % 3600 // 60:02d}m"
    return f"{secs // 86400}d{secs % 86400 // 3600}h"


templates.env.filters.update(bps=fmt_bps, clock=fmt_time, ago=fmt_ago)


def make_router(overview: Callable[[], Overview]) -> APIRouter:
    """The dashboard pages over a function returning the current overview."""
    router = APIRouter()

    def context(request: Request, lang: str) -> dict[str, Any]:
        lang = lang if lang in LANGS else "vi"
        return {"request": request, "lang": lang, "t": translator(lang), "ov": overview(),
                "now": time.time()}

    @router.get("/", response_class=HTMLResponse)
    def overview_page(request: Request, lang: Annotated[str, Cookie()] = "vi") -> Response:
        return templates.TemplateResponse(request, "overview.html", context(request, lang))

    @router.get("/fragments/overview", response_class=HTMLResponse)
    def overview_fragment(request: Request, lang: Annotated[str, Cookie()] = "vi") -> Response:
        return templates.TemplateResponse(request, "_overview_body.html",
                                          context(request, lang))

    @router.get("/lang")
    def set_language(to: Annotated[str, Query()] = "vi") -> Response:
        response = RedirectResponse("/", status_code=303)
        response.set_cookie("lang", to if to in LANGS else "vi", max_age=365 * 86400,
                            samesite="lax", httponly=True)
        return response

    return router
