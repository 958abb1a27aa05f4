"""Chart data for the pages: from Prometheus when configured and answering, else the NOC's store.

:func:`chart_series` says which source answered (and why Prometheus did not),
so a page can write "Prometheus unavailable, showing the NOC's own history";
:func:`series_for` is the same without that detail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from noc.prometheus_query import LinkEnd, PrometheusReader, PrometheusUnavailable, promql_for
from noc.timeseries import Key, Point, SeriesStore

log = logging.getLogger(__name__)
MAX_POINTS = 600  # points per chart when the caller does not say


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """Points of one chart line, where they came from, and why not from Prometheus."""

    points: list[Point]
    source: Literal["prometheus", "store"]
    note: str = ""  # e.g. "Prometheus unavailable: http://...: timed out"


async def chart_series(key: Key, start: float, end: float, store: SeriesStore,
                       reader: PrometheusReader | None, max_points: int = MAX_POINTS,
                       link_end: LinkEnd | None = None) -> ChartSeries:
    """``key`` over ``[start, end]`` with at most ``max_points`` points, from the best source.

    Prometheus is asked when ``reader`` is set and the key maps to PromQL;
    its step is the window over ``max_points`` but no finer than the store's
    raw step. An error or an empty answer falls back to the store.
    """
    query = promql_for(key, link_end) if reader is not None else None
    note = ""
    if reader is not None and query is not None:
        step = max(store.raw_step, (end - start) / max(1, max_points))
        try:
            found = await reader.range(query, start, end, step)
        except PrometheusUnavailable as exc:
            log.info("chart %s from the store: %s", key, exc)
            note = f"Prometheus unavailable: {exc}"
        else:
            if found:
                found.sort(key=lambda s: sorted(s.labels.items()))
                return ChartSeries(found[0].points, "prometheus")
            note = "no data in Prometheus"
    points = store.points(key, start, end, step=max_points)
    return ChartSeries(points, "store", note)


async def series_for(key: Key, start: float, end: float, store: SeriesStore,
                     reader: PrometheusReader | None, max_points: int = MAX_POINTS,
                     link_end: LinkEnd | None = None) -> list[Point]:
    """The points of :func:`chart_series`, whichever source gave them."""
    return (await chart_series(key, start, end, store, reader, max_points, link_end)).points
