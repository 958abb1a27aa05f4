"""Status history in the database: every device and agency up/down change, for availability.

The poller changes state in memory; :class:`HistoryRecorder` writes those
changes to the ``status_change`` table in batches (every few seconds, in a
worker thread so the event loop never waits for the database). Agency
statuses are derived, so the recorder compares each agency's current status
with the last one it stored. At start the last stored status of every subject
is read back, so a restart does not write the same status twice.

Times are naive UTC (the inventory's convention).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from inventory.discovery import record_seen
from inventory.records import StatusChange
from noc.state import Event
from noc.status import AgencyStatus

log = logging.getLogger(__name__)


def utc(ts: float) -> datetime:
    """A Unix timestamp as naive UTC (the inventory's time convention)."""
    return datetime.fromtimestamp(ts, UTC).replace(tzinfo=None)


def last_statuses(session: Session) -> dict[tuple[str, str], str]:
    """The newest stored status of every (kind, subject)."""
    newest = (select(StatusChange.kind, StatusChange.subject, func.max(StatusChange.id).label("id"))
              .group_by(StatusChange.kind, StatusChange.subject).subquery())
    rows = session.execute(select(StatusChange.kind, StatusChange.subject, StatusChange.status)
                           .join(newest, StatusChange.id == newest.c.id))
    return {(kind, subject): status for kind, subject, status in rows}


class HistoryRecorder:
    """Batches status changes of devices and agencies into the ``status_change`` table."""

    def __init__(self, sessions: sessionmaker[Session], interval: float = 5.0,
                 sample_every: float = 1.0, seen_every: float = 60.0) -> None:
        self.sessions = sessions
        self.seen_every = seen_every
        self._seen_at = 0.0
        self.interval = interval
        self.sample_every = sample_every
        self._last: dict[tuple[str, str], str] | None = None
        self._pending: list[StatusChange] = []
        self.written = 0
        self.errors = 0

    def _known(self) -> dict[tuple[str, str], str]:
        if self._last is None:
            with self.sessions() as session:
                self._last = last_statuses(session)
        return self._last

    def _add(self, kind: str, subject: str, status: str, at: datetime, reason: str) -> None:
        known = self._known()
        if known.get((kind, subject)) == status:
            return
        known[(kind, subject)] = status
        self._pending.append(StatusChange(kind=kind, subject=subject, status=status, at=at,
                                          reason=reason[:300]))

    def note_devices(self, events: Iterable[Event]) -> None:
        """Queue device transitions (``device_up`` / ``device_down`` events)."""
        for event in events:
            status = "up" if event.kind == "device_up" else "down"
            self._add("device", event.device, status, utc(event.at), event.detail)

    def note_agencies(self, statuses: Iterable[AgencyStatus], now: float) -> None:
        """Queue agencies whose status differs from the last one stored."""
        for agency in statuses:
            if agency.status == "unknown":
                continue  # not polled yet: no information, not an outage
            at = utc(agency.since) if agency.since else utc(now)
            self._add("agency", agency.code, agency.status, at, agency.reason)

    def flush(self) -> int:
        """Write the queued changes in one transaction; returns how many were written."""
        pending, self._pending = self._pending, []
        if not pending:
            return 0
        try:
            with self.sessions.begin() as session:
                session.add_all(pending)
        except Exception:
            self.errors += 1
            self._pending = pending + self._pending  # kept for the next try
            raise
        self.written += len(pending)
        return len(pending)

    def write_seen(self, names: list[str], at: float) -> int:
        """Mark devices as seen (answering) at ``at``, for the drift report's 'silent' check."""
        with self.sessions.begin() as session:
            return record_seen(session, names, utc(at))

    async def run(self, drain: Callable[[], list[Event]],
                  agencies: Callable[[], list[AgencyStatus]],
                  clock: Callable[[], float],
                  answering: Callable[[], list[str]] = list) -> None:
        """Sample agencies every ``sample_every`` s, write every ``interval`` s (until cancelled).

        Agency statuses are derived from device states, so they are sampled
        often: an outage shorter than ``sample_every`` can be missed, one of a
        few seconds is not.
        """
        await asyncio.to_thread(self._known)
        loop = asyncio.get_running_loop()
        while True:
            next_write = loop.time() + self.interval
            while loop.time() < next_write:
                await asyncio.sleep(self.sample_every)
                self.note_devices(drain())
                self.note_agencies(agencies(), clock())
            try:
                await asyncio.to_thread(self.flush)
            except Exception:
                log.exception("could not write %d status changes (kept, retrying)",
                              len(self._pending))
            now = clock()
            if now - self._seen_at >= self.seen_every:
                self._seen_at = now
                try:
                    await asyncio.to_thread(self.write_seen, answering(), now)
                except Exception:
                    log.exception("could not record which devices answered")
