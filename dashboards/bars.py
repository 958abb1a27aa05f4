"""Horizontal bar charts as inline SVG, rendered on the server (no JavaScript).

:func:`bar_chart` draws one bar per (label, value): the label on the left,
the bar scaled to the largest value, the number at its end. The SVG carries a
``<title>`` and a ``<desc>`` listing every value, is ``role="img"`` labelled
by its title, and scales with its container (``viewBox``), so a screen reader
and a narrow screen both get the numbers. Colours come from the page's CSS
(classes ``bars-*``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from markupsafe import Markup, escape

ROW = 22  # height of one bar row, in SVG units
LABEL_W = 230  # width of the label column
WIDTH = 720
_ids = itertools.count(1)


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".") if value == int(value) else f"{value:.1f}"


def _clip(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[:limit - 1] + "…"


def bar_chart(title: str, items: Sequence[tuple[str, float]], unit: str = "") -> Markup:
    """An accessible SVG bar chart of ``items`` titled ``title`` (empty items: no bars)."""
    ident = f"bars-{next(_ids)}"
    peak = max((v for _, v in items), default=0) or 1
    span = WIDTH - LABEL_W - 70
    height = max(len(items), 1) * ROW + 8
    suffix = f" {unit}" if unit else ""
    desc = "; ".join(f"{label}: {_number(value)}{suffix}" for label, value in items)
    parts = [
        f'<svg class="bars" role="img" aria-labelledby="{ident}-t {ident}-d" '
        f'viewBox="0 0 {WIDTH} {height}" preserveAspectRatio="xMinYMin meet" '
        f'style="max-height:{height * 1.4:.0f}px">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(desc)}</desc>',
    ]
    for row, (label, value) in enumerate(items):
        y = 4 + row * ROW
        length = max(span * value / peak, 1 if value else 0)
        parts.append(
            f'<g class="bars-row"><text class="bars-label" x="{LABEL_W - 8}" y="{y + 15}" '
            f'text-anchor="end">{escape(_clip(label))}</text>'
            f'<rect class="bars-bar" x="{LABEL_W}" y="{y + 3}" width="{length:.1f}" '
            f'height="{ROW - 7}" rx="2"></rect>'
            f'<text class="bars-value" x="{LABEL_W + length + 6:.1f}" y="{y + 15}">'
            f"{escape(_number(value))}{escape(suffix)}</text></g>")
    parts.append("</svg>")
    return Markup("".join(parts))
