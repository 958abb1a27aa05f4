"""Persistence of the alerting service: active alerts, history, windows, silences, meta.

:class:`AlertStore` is synchronous (the service calls it through
``asyncio.to_thread``) and works on SQLite and PostgreSQL. Active alerts are
upserted by fingerprint and deleted when resolved, so a restart resumes with
the same alerts, acknowledgements and "already notified" flags: nobody is
paged twice. Every window or silence added or ended also writes an
:class:`AlertEvent` in the same transaction: the audit trail. Bad input
raises :class:`ValueError` with a message for the operator and writes
nothing; unknown ids raise :class:`KeyError`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from inventory.models import Base
from noc.alerting.maintenance import check_window, next_occurrence
from noc.alerting.model import Alert, AlertEvent, AlertState, Maintenance, Silence
from noc.alerting.tables import (
    AlertEventRow,
    AlertMetaRow,
    AlertStateRow,
    MaintenanceRow,
    SilenceRow,
    alert_from_row,
    alert_values,
    event_from_row,
    maintenance_from_row,
    silence_from_row,
    to_db,
)

__all__ = ["AlertStore"]

_CHUNK = 500  # rows per upsert statement (bound parameters stay well under the limits)


class AlertStore:
    """Alert state, history, maintenance windows, silences and meta values in the database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # --- active alerts -------------------------------------------------------------------

    def save(self, changed: Iterable[Alert], gone: Iterable[str]) -> None:
        """Upsert the active alerts in ``changed`` and delete ``gone`` fingerprints, at once.

        A resolved alert in ``changed`` is deleted too; a fingerprint both
        changed and gone is deleted.
        """
        drop = set(gone)
        keep: dict[str, dict[str, Any]] = {}
        now = to_db(time.time())
        for alert in changed:
            if alert.state is AlertState.RESOLVED or alert.fingerprint in drop:
                drop.add(alert.fingerprint)
                keep.pop(alert.fingerprint, None)
            else:
                keep[alert.fingerprint] = alert_values(alert, now)
        with self._sessions.begin() as session:
            _upsert(session, AlertStateRow, list(keep.values()), "fingerprint")
            fingerprints = sorted(drop)
            for i in range(0, len(fingerprints), _CHUNK):
                session.execute(delete(AlertStateRow).where(
                    AlertStateRow.fingerprint.in_(fingerprints[i:i + _CHUNK])))

    def load_active(self) -> list[Alert]:
        """Every stored active alert, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(select(AlertStateRow).order_by(
                AlertStateRow.active_since, AlertStateRow.id))
            return [alert_from_row(row) for row in rows]

    # --- history -------------------------------------------------------------------------

    def record(self, events: Sequence[AlertEvent]) -> None:
        """Append ``events`` to the history (one multi-row insert)."""
        if not events:
            return
        with self._sessions.begin() as session:
            session.execute(insert(AlertEventRow), [_event_values(e) for e in events])

    def history(self, limit: int = 200, fingerprint: str | None = None,
                since: float | None = None) -> list[AlertEvent]:
        """The newest ``limit`` events (of one alert, from ``since`` on), newest first."""
        query = select(AlertEventRow)
        if fingerprint is not None:
            query = query.where(AlertEventRow.fingerprint == fingerprint)
        if since is not None:
            query = query.where(AlertEventRow.at >= to_db(since))
        query = query.order_by(AlertEventRow.at.desc(), AlertEventRow.id.desc()).limit(limit)
        with self._sessions() as session:
            return [event_from_row(row) for row in session.scalars(query)]

    def prune_history(self, before: float) -> int:
        """Delete events older than ``before``; how many were deleted."""
        with self._sessions.begin() as session:
            result = session.execute(delete(AlertEventRow).where(
                AlertEventRow.at < to_db(before)))
            return int(getattr(result, "rowcount", 0) or 0)

    # --- maintenance ---------------------------------------------------------------------

    def add_maintenance(self, kind: str, target: str, starts_at: float, ends_at: float | None,
                        created_by: str, *, note: str = "", weekdays: Iterable[int] = (),
                        start_time: str = "", duration: float = 0.0,
                        timezone: str = "Asia/Ho_Chi_Minh",
                        now: float | None = None) -> Maintenance:
        """Validate and store a window, with its audit event; the stored window."""
        now = time.time() if now is None else now
        days = tuple(sorted(set(weekdays)))
        draft = Maintenance(0, kind, target.strip(), starts_at, ends_at, created_by.strip(),
                            note, days, start_time, float(duration), timezone)
        check_window(draft, now)
        row = MaintenanceRow(
            kind=draft.kind, target=draft.target, starts_at=to_db(starts_at),
            ends_at=None if ends_at is None else to_db(ends_at),
            weekdays=",".join(str(d) for d in days), start_time=start_time,
            duration=draft.duration, timezone=timezone, created_by=draft.created_by,
            created_at=to_db(now), note=note)
        with self._sessions.begin() as session:
            session.add(row)
            session.flush()
            window = maintenance_from_row(row)
            session.add(_audit(now, "maintenance", window.created_by, note,
                               _window_subject(window)))
        return window

    def end_maintenance(self, id: int, actor: str, now: float) -> Maintenance:
        """End window ``id`` at ``now`` (a future one is cancelled); the window as ended."""
        with self._sessions.begin() as session:
            row = session.get(MaintenanceRow, id)
            if row is None:
                raise KeyError(f"no maintenance window {id}")
            window = maintenance_from_row(row)
            if row.ended_by is not None or next_occurrence(window, now) is None:
                raise ValueError(f"maintenance window {id} is already over")
            row.ended_by = actor
            row.ends_at = to_db(max(now, window.starts_at))
            session.add(_audit(now, "maintenance_end", actor, "", _window_subject(window)))
            return maintenance_from_row(row)

    def maintenance(self, now: float) -> list[Maintenance]:
        """Windows active at ``now`` or still to come, not ended early; by start time."""
        query = (select(MaintenanceRow)
                 .where(MaintenanceRow.ended_by.is_(None))
                 .where(or_(MaintenanceRow.ends_at.is_(None),
                            MaintenanceRow.ends_at > to_db(now)))
                 .order_by(MaintenanceRow.starts_at, MaintenanceRow.id))
        with self._sessions() as session:
            windows = [maintenance_from_row(row) for row in session.scalars(query)]
        return [w for w in windows if next_occurrence(w, now) is not None]

    # --- silences ------------------------------------------------------------------------

    def add_silence(self, ends_at: float, created_by: str, *, note: str = "",
                    fingerprint: str = "", rule: str = "", device: str = "", agency: str = "",
                    now: float | None = None) -> Silence:
        """Validate and store a silence, with its audit event; the stored silence."""
        now = time.time() if now is None else now
        if not any(s.strip() for s in (fingerprint, rule, device, agency)):
            raise ValueError("a silence needs at least one of fingerprint, rule, device, agency")
        if not created_by.strip():
            raise ValueError("a silence needs the name of who creates it")
        if ends_at <= now:
            raise ValueError("a silence must end in the future")
        row = SilenceRow(fingerprint=fingerprint.strip(), rule=rule.strip(),
                         device=device.strip(), agency=agency.strip(), ends_at=to_db(ends_at),
                         created_by=created_by.strip(), created_at=to_db(now), note=note)
        with self._sessions.begin() as session:
            session.add(row)
            session.flush()
            silence = silence_from_row(row)
            session.add(_audit(now, "silence", silence.created_by, note,
                               _silence_subject(silence), silence.fingerprint, silence.rule))
        return silence

    def end_silence(self, id: int, actor: str, now: float) -> Silence:
        """End silence ``id`` at ``now``; the silence as ended."""
        with self._sessions.begin() as session:
            row = session.get(SilenceRow, id)
            if row is None:
                raise KeyError(f"no silence {id}")
            silence = silence_from_row(row)
            if row.ended_by is not None or silence.ends_at <= now:
                raise ValueError(f"silence {id} is already over")
            row.ended_by = actor
            row.ends_at = to_db(now)
            session.add(_audit(now, "silence_end", actor, "", _silence_subject(silence),
                               silence.fingerprint, silence.rule))
            return silence_from_row(row)

    def silences(self, now: float) -> list[Silence]:
        """Silences neither expired nor ended at ``now``, soonest to end first."""
        query = (select(SilenceRow)
                 .where(SilenceRow.ended_by.is_(None), SilenceRow.ends_at > to_db(now))
                 .order_by(SilenceRow.ends_at, SilenceRow.id))
        with self._sessions() as session:
            return [silence_from_row(row) for row in session.scalars(query)]

    # --- meta ----------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """The value stored under ``key``, or None."""
        with self._sessions() as session:
            row = session.get(AlertMetaRow, key)
            return None if row is None else row.value

    def set_meta(self, key: str, value: str) -> None:
        """Store ``value`` under ``key`` (replacing any previous one)."""
        with self._sessions.begin() as session:
            _upsert(session, AlertMetaRow, [{"key": key, "value": value}], "key")


def _upsert(session: Session, table: type[Base], rows: list[dict[str, Any]], key: str) -> None:
    """INSERT ... ON CONFLICT (key) DO UPDATE, in chunks (SQLite and PostgreSQL)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise RuntimeError(f"alert store supports SQLite and PostgreSQL, not {dialect}")
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for i in range(0, len(rows), _CHUNK):
        stmt = make(table).values(rows[i:i + _CHUNK])
        updates = {name: stmt.excluded[name] for name in rows[0] if name != key}
        session.execute(stmt.on_conflict_do_update(index_elements=[key], set_=updates))


def _event_values(event: AlertEvent) -> dict[str, Any]:
    return {"at": to_db(event.at), "fingerprint": event.fingerprint, "kind": event.kind,
            "actor": event.actor, "note": event.note, "rule": event.rule,
            "subject": event.subject}


def _audit(now: float, kind: str, actor: str, note: str, subject: str, fingerprint: str = "",
           rule: str = "") -> AlertEventRow:
    return AlertEventRow(**_event_values(AlertEvent(now, fingerprint, kind, actor, note, rule,
                                                    subject)))


def _window_subject(m: Maintenance) -> str:
    """E.g. ``maintenance #3 site Q7-HQ``: the window, readable in the audit."""
    return f"maintenance #{m.id} {m.kind} {m.target}"


def _silence_subject(s: Silence) -> str:
    """E.g. ``silence #5 rule=if_down device=q7-core``."""
    fields = (("fingerprint", s.fingerprint), ("rule", s.rule), ("device", s.device),
              ("agency", s.agency))
    return " ".join([f"silence #{s.id}", *(f"{k}={v}" for k, v in fields if v)])

