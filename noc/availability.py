"""Availability over time windows, computed from state transitions (time-weighted).

A subject (a device, an agency) has a status history: a list of
:class:`Change` (when, new status). Between two changes the status holds, so
availability is a matter of interval lengths, never of counting sampled
points: a device down for 10 minutes of a 24 h window is 99.31 % available
whether it was polled every 10 s or every 5 minutes.

Within a window ``[start, end)``:

* the status at ``start`` is that of the last change at or before ``start``
  (``initial`` — unknown by default — when there is none);
* time in an *up* status counts as up; for devices that is ``up``, for
  agencies ``up`` and ``degraded`` (still connected, see :mod:`noc.status`);
* ``down`` counts as down;
* anything else (``unknown``, no data yet, the collector not running) is
  *unknown* time, left out of the denominator: ``availability = up / (up +
  down)``. With no known time at all, availability is None, not 100 %;
* an *outage* is a down period that overlaps the window; a stretch of
  unknown inside a down period (the collector restarted during an outage)
  does not split it in two.

Changes at the same instant: the last one in the list wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

DEVICE_UP = frozenset({"up"})
AGENCY_UP = frozenset({"up", "degraded"})
DOWN = "down"
WINDOWS: dict[str, float] = {"24h": 86_400.0, "7d": 7 * 86_400.0, "30d": 30 * 86_400.0}


@dataclass(frozen=True, slots=True)
class Change:
    """The subject's status became ``status`` at ``at`` (wall clock, seconds)."""

    at: float
    status: str


@dataclass(frozen=True, slots=True)
class Availability:
    """Availability of one subject over one window."""

    start: float
    end: float
    up_seconds: float
    down_seconds: float
    unknown_seconds: float
    outages: int

    @property
    def known_seconds(self) -> float:
        """Time with a known status (the denominator)."""
        return self.up_seconds + self.down_seconds

    @property
    def percent(self) -> float | None:
        """Time up in percent of time known; None when nothing is known."""
        known = self.known_seconds
        return None if known <= 0 else 100.0 * self.up_seconds / known


def _kind(status: str, up_states: frozenset[str]) -> str:
    if status in up_states:
        return "up"
    return "down" if status == DOWN else "unknown"


def _segments(changes: Iterable[Change], start: float, end: float, initial: str,
              up_states: frozenset[str]) -> list[tuple[float, float, str]]:
    """The window as (from, to, up|down|unknown) pieces, in order."""
    ordered = sorted(changes, key=lambda c: c.at)  # stable: same instant keeps list order
    current = _kind(initial, up_states)
    inside: list[Change] = []
    for change in ordered:
        if change.at <= start:
            current = _kind(change.status, up_states)
        elif change.at < end:
            inside.append(change)
    pieces: list[tuple[float, float, str]] = []
    at = start
    for change in inside:
        if change.at > at:
            pieces.append((at, change.at, current))
            at = change.at
        current = _kind(change.status, up_states)
    if end > at:
        pieces.append((at, end, current))
    return pieces


def availability(changes: Iterable[Change], start: float, end: float, *,
                 initial: str = "unknown",
                 up_states: frozenset[str] = DEVICE_UP) -> Availability:
    """Up, down and unknown time and outages of one subject in ``[start, end)``."""
    if end < start:
        raise ValueError(f"window ends ({end}) before it starts ({start})")
    totals = {"up": 0.0, "down": 0.0, "unknown": 0.0}
    outages = 0
    last_known = ""
    for begin, finish, kind in _segments(changes, start, end, initial, up_states):
        totals[kind] += finish - begin
        if kind == "down" and last_known != "down":
            outages += 1
        if kind != "unknown":
            last_known = kind
    return Availability(start, end, totals["up"], totals["down"], totals["unknown"], outages)


def agency_availability(changes: Iterable[Change], start: float, end: float, *,
                        initial: str = "unknown") -> Availability:
    """Availability of an agency from its status changes (up or degraded count as up)."""
    return availability(changes, start, end, initial=initial, up_states=AGENCY_UP)


def window(name: str, now: float) -> tuple[float, float]:
    """``(start, end)`` of a named window (``24h``, ``7d``, ``30d``) ending at ``now``."""
    try:
        return now - WINDOWS[name], now
    except KeyError:
        raise ValueError(f"unknown window {name!r}: one of {', '.join(WINDOWS)}") from None


def over_windows(changes: Sequence[Change], now: float, *, initial: str = "unknown",
                 up_states: frozenset[str] = DEVICE_UP,
                 names: Iterable[str] = tuple(WINDOWS)) -> dict[str, Availability]:
    """Availability of one subject over each named window ending at ``now``."""
    return {name: availability(changes, *window(name, now), initial=initial,
                               up_states=up_states) for name in names}


def by_subject(history: Mapping[str, Sequence[Change]], start: float, end: float, *,
               up_states: frozenset[str] = DEVICE_UP) -> dict[str, Availability]:
    """Availability of many subjects (devices or agencies) over one window."""
    return {subject: availability(changes, start, end, up_states=up_states)
            for subject, changes in history.items()}
