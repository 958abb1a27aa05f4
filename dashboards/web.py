"""What every dashboard page shares: the Jinja2 environment, formatting filters, base context.

Pages render ``base.html`` (top bar, main navigation, language toggle, user
box). :func:`base_context` gives it what it needs: the language and its
translator, the current user (``request.state.user``, None when anonymous),
the CSRF token forms must post back, and whether the NOC runs on the lab.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from dashboards.i18n import LANGS, translator
from noc.auth.roles import principal

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




def base_context(request: Request, lang: str, **extra: Any) -> dict[str, Any]:
    """The context every page template gets, plus ``extra``.

    ``lab`` (bool) and ``updated_at`` (Unix time) feed the top bar; ``section``
    marks the current entry of the main navigation.
    """
    lang = lang if lang in LANGS else "vi"
    context: dict[str, Any] = {
        "request": request, "lang": lang, "t": translator(lang), "now": time.time(),
        "user": principal(request), "csrf_token": getattr(request.state, "csrf_token", ""),
        "lab": getattr(request.app.state, "lab", False), "updated_at": time.time(),
    }
    context.update(extra)
    return context
