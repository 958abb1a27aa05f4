"""When maintenance windows are active, and which alerts they cover (pure, no I/O).

A one-off window is active from ``starts_at`` (included) to ``ends_at``
(excluded). A weekly window has occurrences that start on each of its
``weekdays`` at ``start_time`` in its ``timezone`` and last ``duration``
seconds; an occurrence that crosses midnight still counts on the next day.
Occurrences only count between ``starts_at`` and ``ends_at`` (None: forever).

:class:`MaintenanceIndex` answers "is this alert's device under maintenance
now?" for a device window (the device and what is behind it), a site window
(the site's devices and what is behind them) and an agency window (the
agency's devices, what is behind them, and alerts about the agency itself).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from inventory.catalog import Catalog
from noc.alerting.model import Alert, Maintenance

__all__ = ["KINDS", "MAX_DURATION", "MaintenanceIndex", "check_window", "next_occurrence",
           "parse_weekdays", "window_active"]

KINDS = ("device", "site", "agency")
MAX_DURATION = 7 * 86400.0  # a weekly occurrence longer than a week would overlap the next
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def check_window(m: Maintenance, now: float) -> None:
    """Raise ValueError saying what is wrong with a new window (target existence aside)."""
    if m.kind not in KINDS:
        raise ValueError(f"maintenance kind must be one of {', '.join(KINDS)}, not {m.kind!r}")
    if not m.target.strip():
        raise ValueError("maintenance target is empty")
    if not m.created_by.strip():
        raise ValueError("maintenance needs the name of who creates it")
    _zone(m.timezone)
    if m.ends_at is not None and m.ends_at <= m.starts_at:
        raise ValueError("maintenance must end after it starts")
    if m.ends_at is not None and m.ends_at <= now:
        raise ValueError("maintenance window is already over")
    if not m.recurring:
        if m.ends_at is None:
            raise ValueError("a one-off maintenance window needs an end time")
        if m.start_time or m.duration:
            raise ValueError("start time and duration are for weekly windows (give weekdays)")
        return
    if any(not 0 <= d <= 6 for d in m.weekdays):
        raise ValueError("weekdays go from 0 (Monday) to 6 (Sunday)")
    if not _HHMM.match(m.start_time):
        raise ValueError(f"start time must be HH:MM (00:00 to 23:59), not {m.start_time!r}")
    if not 0 < m.duration <= MAX_DURATION:
        raise ValueError("duration of a weekly window must be more than 0 and at most 7 days")


def parse_weekdays(text: str) -> tuple[int, ...]:
    """``"0,2,4"`` as ``(0, 2, 4)`` (sorted, unique); ``""`` as ``()``."""
    return tuple(sorted({int(part) for part in text.split(",") if part.strip()}))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def next_occurrence(m: Maintenance, now: float) -> tuple[float, float] | None:
    """The occurrence in progress at ``now`` or the next one, as (start, end); None: no more.

    Occurrences are clipped to ``[starts_at, ends_at)``; a one-off window has
    one occurrence, the window itself.
    """
    if m.ends_at is not None and now >= m.ends_at:
        return None
    if not m.recurring:
        return (m.starts_at, m.ends_at if m.ends_at is not None else math.inf)
    t0 = max(now, m.starts_at)
    zone = _zone(m.timezone)
    hour, minute = (int(part) for part in m.start_time.split(":"))
    local_day = datetime.fromtimestamp(t0, zone).date()
    back = math.ceil(m.duration / 86400.0)
    for offset in range(-back, 8):
        day: date = local_day + timedelta(days=offset)
        if day.weekday() not in m.weekdays:
            continue
        start = datetime.combine(day, time(hour, minute), tzinfo=zone).timestamp()
        end = start + m.duration
        if end <= t0:
            continue
        if m.ends_at is not None and start >= m.ends_at:
            return None
        return (max(start, m.starts_at), min(end, m.ends_at if m.ends_at is not None
                                             else math.inf))
    return None


def window_active(m: Maintenance, now: float) -> bool:
    """Whether ``m`` is in effect at ``now``."""
    occurrence = next_occurrence(m, now)
    return occurrence is not None and occurrence[0] <= now < occurrence[1]


class MaintenanceIndex:
    """Windows indexed by the devices (and agencies) they cover, built once per window set.

    ``behind(device)`` names the devices reachable only through ``device``
    (from the topology); without it a window covers its own devices only.
    """

    def __init__(self, windows: Iterable[Maintenance], catalog: Catalog,
                 behind: Callable[[str], set[str]] | None = None) -> None:
        self._by_device: dict[str, list[Maintenance]] = {}
        self._by_agency: dict[str, list[Maintenance]] = {}
        by_site: dict[str, list[str]] = {}
        by_agency: dict[str, list[str]] = {}
        for device in catalog.devices.values():
            by_site.setdefault(device.site, []).append(device.name)
            by_agency.setdefault(device.agency, []).append(device.name)
        for m in sorted(windows, key=lambda w: w.id):
            if m.kind == "device":
                roots = [m.target]
            elif m.kind == "site":
                roots = by_site.get(m.target, [])
            else:
                roots = by_agency.get(m.target, [])
                self._by_agency.setdefault(m.target, []).append(m)
            covered = set(roots)
            if behind is not None:
                for root in roots:
                    covered |= behind(root)
            for name in covered:
                self._by_device.setdefault(name, []).append(m)

    def covering(self, alert: Alert, now: float) -> Maintenance | None:
        """The active window (lowest id) covering ``alert`` at ``now``, if any."""
        candidates: list[Maintenance] = []
        if alert.device is not None:
            candidates += self._by_device.get(alert.device, [])
        if alert.agency is not None:
            candidates += self._by_agency.get(alert.agency, [])
        active = [m for m in candidates if window_active(m, now)]
        return min(active, key=lambda m: m.id) if active else None
