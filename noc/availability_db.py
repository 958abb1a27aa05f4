"""Availability figures from the ``status_change`` table (one or two queries per page).

:func:`history` reads the changes of some subjects over a window, plus the
last change of each before the window (the status the window starts in);
:func:`figures` turns them into 24 h / 7 d / 30 d availability with
:mod:`noc.availability`. A link has no history of its own: it is up while both
its end devices are up (:func:`both_up`).

Stored times are naive UTC; here everything is Unix time.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inventory.records import StatusChange
from noc.availability import (
    AGENCY_UP,
    DEVICE_UP,
    WINDOWS,
    Availability,
    Change,
    over_windows,
)
from noc.history import utc


def _ts(at: datetime) -> float:
    return at.replace(tzinfo=UTC).timestamp()


def history(session: Session, kind: str, subjects: Collection[str],
            since: float) -> dict[str, list[Change]]:
    """Changes of ``subjects`` (of ``kind``) since ``since``, each led by the last before it."""
    if not subjects:
        return {}
    names = list(subjects)
    start = utc(since)
    out: dict[str, list[Change]] = {name: [] for name in names}
    before = (select(StatusChange.subject, func.max(StatusChange.id).label("id"))
              .where(StatusChange.kind == kind, StatusChange.subject.in_(names),
                     StatusChange.at <= start)
              .group_by(StatusChange.subject).subquery())
    lead = select(StatusChange.subject, StatusChange.status, StatusChange.at).join(
        before, StatusChange.id == before.c.id)
    inside = (select(StatusChange.subject, StatusChange.status, StatusChange.at)
              .where(StatusChange.kind == kind, StatusChange.subject.in_(names),
                     StatusChange.at > start)
              .order_by(StatusChange.at, StatusChange.id))
    for query in (lead, inside):
        for subject, status, at in session.execute(query):
            out[subject].append(Change(_ts(at), status))
    return out


def both_up(a: Sequence[Change], b: Sequence[Change]) -> list[Change]:
    """The history of "both up": down when either is down, unknown when either is unknown."""
    merged = sorted([(c.at, 0, c.status) for c in a] + [(c.at, 1, c.status) for c in b])
    current = ["unknown", "unknown"]
    out: list[Change] = []
    for at, side, status in merged:
        current[side] = status
        if "down" in current:
            combined = "down"
        elif current == ["up", "up"]:
            combined = "up"
        else:
            combined = "unknown"
        if not out or out[-1].status != combined:
            out.append(Change(at, combined))
    return out


def figures(changes: Sequence[Change], now: float, *,
            agency: bool = False) -> dict[str, Availability]:
    """Availability over 24h, 7d and 30d ending ``now``."""
    return over_windows(changes, now, up_states=AGENCY_UP if agency else DEVICE_UP)


def longest_window(now: float) -> float:
    """Start of the longest window (what :func:`history` must read from)."""
    return now - max(WINDOWS.values())


def recent(session: Session, kind: str, subject: str, limit: int = 10) -> list[tuple[float, str,
                                                                                   str]]:
    """The newest stored changes of one subject: (time, status, reason), newest first."""
    rows = session.execute(
        select(StatusChange.at, StatusChange.status, StatusChange.reason)
        .where(StatusChange.kind == kind, StatusChange.subject == subject)
        .order_by(StatusChange.at.desc(), StatusChange.id.desc()).limit(limit))
    return [(_ts(at), status, reason) for at, status, reason in rows]
