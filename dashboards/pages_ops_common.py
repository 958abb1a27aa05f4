"""What the operators' pages share: language, scope, time ranges, history and charts.

* the language comes from the ``lang`` cookie (Vietnamese by default);
* a viewer scoped to one agency sees that agency and its wards only
  (:func:`visible_agencies`);
* charts read the time-series store when the runtime has one
  (``runtime.series``, optional): without it a chart says "no history yet";
* the chart range is the ``range`` query parameter: 6h, 24h, 7d or 30d.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Protocol

from fastapi import Cookie, HTTPException, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from dashboards.charts import Point, Series, line_chart
from dashboards.i18n import translator
from dashboards.web import base_context, fmt_bps, templates
from inventory.catalog import Catalog
from noc.auth.roles import agency_scope
from noc.auth.scope import visible_agencies as scope_agencies
from noc.runtime import Runtime

RANGES: dict[str, float] = {"6h": 6 * 3600.0, "24h": 86400.0, "7d": 7 * 86400.0,
                            "30d": 30 * 86400.0}
DEFAULT_RANGE = "24h"
Lang = Annotated[str, Cookie()]


CHART_POINTS = 600  # enough for a chart's width; spikes survive the thinning (min/max)


class SeriesSource(Protocol):
    """The time-series store as the pages use it."""

    def points(self, key: tuple[str, ...], start: float, end: float,
               step: int | None = None) -> list[tuple[float, float]]:
        """The (time, value) points of ``key`` within ``[start, end]``, at most ``step``."""


def visible_agencies(request: Request, catalog: Catalog) -> set[str] | None:
    """The agency codes the user may see (None: every agency)."""
    return scope_agencies(agency_scope(request), catalog)


def check_visible(visible: set[str] | None, agency: str, what: str) -> None:
    """404 (not 403: do not confirm it exists) when ``agency`` is out of scope."""
    if visible is not None and agency not in visible:
        raise HTTPException(404, f"{what} not found")


def chart_range(value: str | None) -> str:
    """A known range name (the default for anything else)."""
    return value if value in RANGES else DEFAULT_RANGE


def window(range_name: str, now: float | None = None) -> tuple[float, float]:
    """(start, end) of a range ending now."""
    end = time.time() if now is None else now
    return end - RANGES[range_name], end


class History:
    """Reads series for one page view; knows whether there is a store at all."""

    def __init__(self, runtime: Runtime, range_name: str) -> None:
        self.store: SeriesSource | None = getattr(runtime, "series", None)
        self.range = range_name
        self.start, self.end = window(range_name)

    def points(self, *key: str) -> list[Point]:
        """The points of ``key`` in the window (empty without a store or on error)."""
        if self.store is None:
            return []
        try:
            return list(self.store.points(tuple(key), self.start, self.end, step=CHART_POINTS))
        except (KeyError, LookupError, ValueError):
            return []

    def chart(self, title: str, series: Sequence[Series], fmt: Callable[[float], str],
              empty: str, y_max: float | None = None) -> Markup:
        """A chart of ``series`` over this window."""
        return line_chart(series, self.start, self.end, title=title, fmt=fmt, empty=empty,
                          y_max=y_max)


def fmt_pct(value: float) -> str:
    """A 0..1 ratio as a percentage."""
    return f"{value * 100:.0f} %"


def fmt_bps_axis(value: float) -> str:
    """Bit rate for an axis label ("0" for zero)."""
    return "0" if value == 0 else fmt_bps(value)


def fmt_plain(unit: str) -> Callable[[float], str]:
    """A formatter appending ``unit`` (°C, ms...)."""
    return lambda v: f"{v:.0f}{unit}" if v >= 10 or v == 0 else f"{v:.1f}{unit}"


def render(request: Request, lang: str, template: str, section: str,
           **extra: Any) -> HTMLResponse:
    """A page from ``ops/<template>`` with the base context."""
    context = base_context(request, lang, section=section, **extra)
    return templates.TemplateResponse(request, f"ops/{template}", context)


def render_text(request: Request, lang: str, template: str, section: str, **extra: Any) -> str:
    """The HTML of ``ops/<template>`` with the base context (for :mod:`dashboards.page_cache`)."""
    context = base_context(request, lang, section=section, **extra)
    return templates.get_template(f"ops/{template}").render(context)


def tr(lang: str) -> Callable[[str], str]:
    """The translator for ``lang`` (for text built in Python, like chart titles)."""
    return translator(lang)


def sort_key(value: str | None, allowed: Sequence[str]) -> str:
    """A sort column from the query string: one of ``allowed`` (first one by default)."""
    return value if value is not None and value in allowed else allowed[0]
