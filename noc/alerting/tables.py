"""Tables of the alerting service: active alerts, history and audit, maintenance, silences.

* :class:`AlertStateRow` — one row per active (pending or firing) alert, so a
  restart resumes where it stopped: nobody is paged twice and
  acknowledgements survive. Resolved alerts are deleted.
* :class:`AlertEventRow` — append-only history of transitions and people's
  actions (ack, silence, maintenance...): the audit trail.
* :class:`MaintenanceRow` — one-off or weekly maintenance windows on a
  device, site or agency.
* :class:`SilenceRow` — notifications held for matching alerts until a time.
* :class:`AlertMetaRow` — small persisted state (escalation state as JSON...).

Times are naive UTC like every other table (:func:`inventory.models.utcnow`);
the alerting code works in float UNIX seconds, converted with :func:`to_db`
and :func:`from_db` at the store boundary. Importing this module registers
the tables on :data:`inventory.models.Base.metadata`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from inventory.models import Base, utcnow
from noc.alerting.model import Alert, AlertEvent, AlertState, Maintenance, Silence

__all__ = ["AlertEventRow", "AlertMetaRow", "AlertStateRow", "MaintenanceRow", "SilenceRow",
           "alert_from_row", "alert_values", "event_from_row", "from_db",
           "maintenance_from_row", "silence_from_row", "to_db"]

_EPOCH = datetime(1970, 1, 1)


def to_db(ts: float) -> datetime:
    """UNIX seconds as the naive UTC datetime the tables store (microsecond precision)."""
    return datetime.fromtimestamp(ts, UTC).replace(tzinfo=None)


def from_db(dt: datetime) -> float:
    """A stored naive UTC datetime back as UNIX seconds."""
    return (dt - _EPOCH).total_seconds()


def _opt_db(ts: float | None) -> datetime | None:
    return None if ts is None else to_db(ts)


def _opt_ts(dt: datetime | None) -> float | None:
    return None if dt is None else from_db(dt)


class AlertStateRow(Base):
    """An active alert as the lifecycle last left it (see :class:`noc.alerting.model.Alert`)."""

    __tablename__ = "alert_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(16), unique=True)
    rule: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(255))  # device, device/ifIndex, link, agency
    severity: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text, default="")
    device: Mapped[str | None] = mapped_column(String(100))
    agency: Mapped[str | None] = mapped_column(String(32))
    labels: Mapped[str] = mapped_column(Text, default="{}")  # JSON object of strings
    value: Mapped[float | None]
    state: Mapped[str] = mapped_column(String(16))  # pending | firing
    active_since: Mapped[datetime]
    fired_at: Mapped[datetime | None]
    last_true: Mapped[datetime]
    flapping: Mapped[bool] = mapped_column(default=False)
    suppressed_by: Mapped[str | None] = mapped_column(String(16))  # root alert's fingerprint
    incident: Mapped[str | None] = mapped_column(String(16))
    acked_by: Mapped[str | None] = mapped_column(String(64))
    acked_at: Mapped[datetime | None]
    ack_note: Mapped[str] = mapped_column(Text, default="")
    notified: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertEventRow(Base):
    """One line of history: a transition (``NOC`` actor "") or a person's action."""

    __tablename__ = "alert_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    fingerprint: Mapped[str] = mapped_column(String(16), index=True)  # "" for windows/silences
    kind: Mapped[str] = mapped_column(String(32))  # firing, resolved, ack, silence...
    actor: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    rule: Mapped[str] = mapped_column(String(64), default="")
    subject: Mapped[str] = mapped_column(String(255), default="")


class MaintenanceRow(Base):
    """A maintenance window; recurring when ``weekdays`` is not empty."""

    __tablename__ = "maintenance_window"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # device | site | agency
    target: Mapped[str] = mapped_column(String(100))  # device name, site code, agency code
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]  # None: a recurring window without end
    weekdays: Mapped[str] = mapped_column(String(20), default="")  # "0,2,4"; "": one-off
    start_time: Mapped[str] = mapped_column(String(5), default="")  # "HH:MM" local time
    duration: Mapped[float] = mapped_column(default=0.0)  # seconds, recurring windows
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    ended_by: Mapped[str | None] = mapped_column(String(64))  # who ended it early


class SilenceRow(Base):
    """A silence: matches alerts on every non-empty field until ``ends_at``."""

    __tablename__ = "alert_silence"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(16), default="")
    rule: Mapped[str] = mapped_column(String(64), default="")
    device: Mapped[str] = mapped_column(String(100), default="")
    agency: Mapped[str] = mapped_column(String(32), default="")
    ends_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    ended_by: Mapped[str | None] = mapped_column(String(64))  # who ended it early


class AlertMetaRow(Base):
    """A small piece of persisted alerting state, by key (values are often JSON)."""

    __tablename__ = "alert_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


def alert_values(alert: Alert, updated_at: datetime) -> dict[str, Any]:
    """The ``alert_state`` column values of an active alert."""
    return {
        "fingerprint": alert.fingerprint, "rule": alert.rule, "subject": alert.subject,
        "severity": alert.severity, "summary": alert.summary, "device": alert.device,
        "agency": alert.agency,
        "labels": json.dumps(alert.labels, ensure_ascii=False, sort_keys=True),
        "value": alert.value, "state": alert.state.value,
        "active_since": to_db(alert.active_since), "fired_at": _opt_db(alert.fired_at),
        "last_true": to_db(alert.last_true), "flapping": alert.flapping,
        "suppressed_by": alert.suppressed_by, "incident": alert.incident,
        "acked_by": alert.acked_by, "acked_at": _opt_db(alert.acked_at),
        "ack_note": alert.ack_note, "notified": alert.notified, "updated_at": updated_at,
    }


def alert_from_row(row: AlertStateRow) -> Alert:
    """The alert a stored row describes (``muted`` and flap history start empty)."""
    labels = json.loads(row.labels or "{}")
    return Alert(
        fingerprint=row.fingerprint, rule=row.rule, subject=row.subject,
        severity=row.severity, summary=row.summary, device=row.device, agency=row.agency,
        labels={str(k): str(v) for k, v in labels.items()}, value=row.value,
        state=AlertState(row.state), active_since=from_db(row.active_since),
        fired_at=_opt_ts(row.fired_at), last_true=from_db(row.last_true),
        flapping=row.flapping, suppressed_by=row.suppressed_by, incident=row.incident,
        acked_by=row.acked_by, acked_at=_opt_ts(row.acked_at), ack_note=row.ack_note,
        notified=row.notified)


def event_from_row(row: AlertEventRow) -> AlertEvent:
    """The history event a stored row describes."""
    return AlertEvent(from_db(row.at), row.fingerprint, row.kind, row.actor, row.note,
                      row.rule, row.subject)


def maintenance_from_row(row: MaintenanceRow) -> Maintenance:
    """The maintenance window a stored row describes."""
    weekdays = tuple(sorted({int(d) for d in row.weekdays.split(",") if d.strip()}))
    return Maintenance(row.id, row.kind, row.target, from_db(row.starts_at),
                       _opt_ts(row.ends_at), row.created_by, row.note, weekdays,
                       row.start_time, row.duration, row.timezone)


def silence_from_row(row: SilenceRow) -> Silence:
    """The silence a stored row describes."""
    return Silence(row.id, from_db(row.ends_at), row.created_by, row.note, row.fingerprint,
                   row.rule, row.device, row.agency, from_db(row.created_at))
