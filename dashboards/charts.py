"""Server-rendered time-series charts: inline SVG line and area charts, no JavaScript.

:func:`line_chart` draws one or more :class:`Series` over a time window:

* the points are first reduced to at most ``width / 2`` buckets (average, with
  the bucket's minimum and maximum for the optional band), so a 30-day series
  of 10-second samples is still a small SVG;
* a bucket without a point breaks the line: missing data is drawn as a gap,
  never as a straight line across it (nor as zero);
* the y axis starts at 0 and ends at a "nice" value (1, 2, 2.5 or 5 times a
  power of ten) with the tick labels formatted by the caller (``fmt``: bit/s,
  percent, degrees...);
* the x axis labels are Vietnam time (UTC+7): hours for windows up to two
  days, day/month beyond;
* the SVG is ``role="img"`` with a ``<title>`` and ``<desc>`` (the latest and
  peak values), so a screen reader gets the gist.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from markupsafe import Markup, escape

VN_TZ = timezone(timedelta(hours=7), "ICT")
Point = tuple[float, float]
_ids = itertools.count(1)
_TIME_STEPS = (600, 1800, 3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400,
               7 * 86400)
PAD_L, PAD_R, PAD_T, PAD_B = 64.0, 12.0, 10.0, 24.0


@dataclass(frozen=True, slots=True)
class Series:
    """One line: its points (Unix time, value), legend label and CSS class (colour)."""

    label: str
    points: Sequence[Point]
    css: str = "s1"
    area: bool = False  # fill under the line
    band: bool = False  # shade between each bucket's minimum and maximum


@dataclass(frozen=True, slots=True)
class Bucket:
    """The points of one time slice, summarised."""

    at: float  # middle of the slice
    avg: float
    low: float
    high: float


@dataclass(slots=True)
class _Frame:
    start: float
    end: float
    width: float
    height: float
    y_max: float
    ticks: list[float] = field(default_factory=list)

    def x(self, t: float) -> float:
        span = self.end - self.start or 1.0
        return PAD_L + (t - self.start) / span * (self.width - PAD_L - PAD_R)

    def y(self, v: float) -> float:
        inner = self.height - PAD_T - PAD_B
        return PAD_T + inner * (1 - min(max(v, 0.0), self.y_max) / self.y_max)


def median_step(points: Sequence[Point]) -> float | None:
    """The typical time between consecutive points (None with fewer than two)."""
    if len(points) < 2:
        return None
    steps = sorted(b[0] - a[0] for a, b in itertools.pairwise(points) if b[0] > a[0])
    return steps[len(steps) // 2] if steps else None


def buckets(points: Sequence[Point], start: float, end: float, count: int) -> list[Bucket | None]:
    """``points`` in ``count`` equal slices of ``[start, end)``; None for an empty slice.

    The slices are never narrower than 1.5 sampling steps, so a regular series
    has no empty slice by accident: an empty slice is missing data (a gap).
    """
    span = end - start
    if span <= 0 or count <= 0:
        return []
    step = median_step(points)
    if step:
        count = max(1, min(count, int(span / (1.5 * step))))
    width = span / count
    sums = [0.0] * count
    lows = [math.inf] * count
    highs = [-math.inf] * count
    counts = [0] * count
    for t, v in points:
        if not start <= t < end or v != v:  # outside, or NaN
            continue
        i = min(int((t - start) / width), count - 1)
        sums[i] += v
        counts[i] += 1
        lows[i] = min(lows[i], v)
        highs[i] = max(highs[i], v)
    return [Bucket(start + (i + 0.5) * width, sums[i] / counts[i], lows[i], highs[i])
            if counts[i] else None for i in range(count)]


def runs(items: Sequence[Bucket | None]) -> list[list[Bucket]]:
    """The stretches of consecutive non-empty buckets (each one a piece of line)."""
    out: list[list[Bucket]] = []
    current: list[Bucket] = []
    for item in items:
        if item is None:
            if current:
                out.append(current)
            current = []
        else:
            current.append(item)
    if current:
        out.append(current)
    return out


def nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above ``value`` (>0)."""
    if value <= 0 or value != value:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= factor * power * (1 + 1e-9):
            return factor * power
    return 10 * power


def time_ticks(start: float, end: float, most: int = 7) -> list[float]:
    """Round instants (in Vietnam time) inside ``[start, end]``, at most ``most`` of them."""
    span = end - start
    step = next((s for s in _TIME_STEPS if span / s <= most), _TIME_STEPS[-1])
    offset = 7 * 3600  # align to local midnight, hours...
    first = math.ceil((start + offset) / step) * step - offset
    return [first + i * step for i in range(int((end - first) // step) + 1)]


def time_label(t: float, span: float) -> str:
    """An axis label: HH:MM for short windows, dd/mm for long ones (Vietnam time)."""
    local = datetime.fromtimestamp(t, VN_TZ)
    if span <= 2 * 86400:
        return local.strftime("%H:%M")
    return local.strftime("%d/%m")


def _path(points: list[tuple[float, float]]) -> str:
    head, *tail = points
    return f"M{head[0]:.1f},{head[1]:.1f}" + "".join(f"L{x:.1f},{y:.1f}" for x, y in tail)


def _series_svg(frame: _Frame, series: Series, count: int) -> tuple[list[str], list[Bucket]]:
    items = buckets(series.points, frame.start, frame.end, count)
    pieces = runs(items)
    out: list[str] = []
    base = frame.y(0)
    for piece in pieces:
        line = [(frame.x(b.at), frame.y(b.avg)) for b in piece]
        if len(line) == 1:  # a lone bucket: a dot, else it would be invisible
            x, y = line[0]
            out.append(f'<circle class="dot {series.css}" cx="{x:.1f}" cy="{y:.1f}" r="2"/>')
            continue
        if series.band:
            upper = [(frame.x(b.at), frame.y(b.high)) for b in piece]
            lower = [(frame.x(b.at), frame.y(b.low)) for b in reversed(piece)]
            out.append(f'<path class="band {series.css}" d="{_path(upper + lower)}Z"/>')
        if series.area:
            fill = [*line, (line[-1][0], base), (line[0][0], base)]
            out.append(f'<path class="area {series.css}" d="{_path(fill)}Z"/>')
        out.append(f'<path class="line {series.css}" d="{_path(line)}"/>')
    return out, [b for b in items if b is not None]


def _axes(frame: _Frame, fmt: Callable[[float], str]) -> list[str]:
    out = []
    for value in frame.ticks:
        y = frame.y(value)
        out.append(f'<line class="grid" x1="{PAD_L}" x2="{frame.width - PAD_R}" '
                   f'y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="ylab" x="{PAD_L - 6}" y="{y + 4:.1f}">'
                   f'{escape(fmt(value))}</text>')
    span = frame.end - frame.start
    for t in time_ticks(frame.start, frame.end):
        x = frame.x(t)
        out.append(f'<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="{PAD_T}" '
                   f'y2="{frame.height - PAD_B}"/>')
        out.append(f'<text class="xlab" x="{x:.1f}" y="{frame.height - 6}">'
                   f'{time_label(t, span)}</text>')
    return out


def line_chart(series: Sequence[Series], start: float, end: float, *, title: str,
               fmt: Callable[[float], str], empty: str = "–", width: int = 640,
               height: int = 180, y_max: float | None = None) -> Markup:
    """An accessible inline SVG chart of ``series`` over ``[start, end)``.

    ``fmt`` formats y values (axis ticks and the description); ``y_max`` fixes
    the top of the axis (1.0 for ratios); ``empty`` is shown when no series has
    a point in the window.
    """
    count = max(8, int((width - PAD_L - PAD_R) / 2))
    peak = max((v for s in series for t, v in s.points if start <= t < end and v == v),
               default=0.0)
    top = y_max if y_max is not None else nice_max(peak * 1.05)
    frame = _Frame(start, end, float(width), float(height), top)
    frame.ticks = [top * i / 4 for i in range(5)]
    body: list[str] = []
    descs: list[str] = []
    for s in series:
        parts, filled = _series_svg(frame, s, count)
        body += parts
        if filled:
            last, high = filled[-1].avg, max(b.high for b in filled)
            descs.append(f"{s.label}: {fmt(last)} (max {fmt(high)})")
    ident = f"ch{next(_ids)}"
    if not descs:
        body.append(f'<text class="nodata" x="{(PAD_L + width - PAD_R) / 2:.0f}" '
                    f'y="{height / 2:.0f}">{escape(empty)}</text>')
        descs.append(empty)
        frame.ticks = [0.0]  # no scale to show
    svg = (f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
           f'aria-labelledby="{ident}t {ident}d">'
           f'<title id="{ident}t">{escape(title)}</title>'
           f'<desc id="{ident}d">{escape("; ".join(descs))}</desc>'
           + "".join(_axes(frame, fmt)) + "".join(body) + "</svg>")
    return Markup(svg)
