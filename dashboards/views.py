"""Server-rendered pages (Jinja2): the operators' overview.

The page is rendered whole once; a small script then re-fetches the
``/fragments/overview`` HTML every few seconds and swaps it in, so the wall
screen stays live without reloads or a front-end framework.

``extras`` (optional) adds to the template context: the operators' pages
(:mod:`dashboards.pages_ops`) pass the network picture, the poller's health
and the alerts panel; without it the overview shows the tiles and tables only.

Both are rendered at most once a second per viewer kind (language, user):
every wall screen and viewer within that second gets the same HTML
(:class:`~dashboards.page_cache.PageCache`). A cached answer is served
straight from the event loop; only a render goes to the thread pool.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dashboards.i18n import LANGS
from dashboards.page_cache import PageCache, serve, viewer_key
from dashboards.web import HERE, base_context, templates
from noc.overview import Overview

__all__ = ["HERE", "Extras", "make_router"]

Extras = Callable[[Request, str], dict[str, Any]]


def make_router(overview: Callable[[], Overview], extras: Extras | None = None) -> APIRouter:
    """The dashboard pages over a function returning the current overview."""
    router = APIRouter()
    cache = PageCache()

    def context(request: Request, lang: str) -> dict[str, Any]:
        ov = overview()
        more = extras(request, lang) if extras is not None else {}
        return base_context(request, lang, ov=ov, lab=ov.lab, updated_at=ov.at,
                            section="overview", **more)

    async def page(request: Request, lang: str, template: str) -> Response:
        return await serve(cache, (template, viewer_key(request, lang)),
                           lambda: templates.get_template(template).render(
                               context(request, lang)))

    @router.get("/", response_class=HTMLResponse)
    async def overview_page(request: Request, lang: Annotated[str, Cookie()] = "vi") -> Response:
        return await page(request, lang, "overview.html")

    @router.get("/fragments/overview", response_class=HTMLResponse)
    async def overview_fragment(request: Request,
                                lang: Annotated[str, Cookie()] = "vi") -> Response:
        return await page(request, lang, "_overview_body.html")

    @router.get("/lang")
    def set_language(request: Request, to: Annotated[str, Query()] = "vi") -> Response:
        back = request.headers.get("referer", "/")
        target = back if back.startswith(str(request.base_url)) else "/"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie("lang", to if to in LANGS else "vi", max_age=365 * 86400,
                            samesite="lax", httponly=True)
        return response

    return router
