"""Request and response models of the alerting API (:mod:`noc.api_alerts`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

NOTE_MAX = 500
MAX_HOURS = 168.0


class AlertOut(BaseModel):
    """One active alert (pending or firing), suppressed ones included."""

    fingerprint: str
    rule: str
    subject: str
    state: str = Field(description="pending | firing | resolved")
    severity: str = Field(description="critical | major | warning | info")
    summary: str
    device: str | None
    agency: str | None
    labels: dict[str, str]
    active_since: datetime | None
    fired_at: datetime | None
    suppressed_by: str | None = Field(description="fingerprint of the root alert")
    incident: str | None
    acked_by: str | None
    muted: str = Field(description='"maintenance:<id>", "silence:<id>" or ""')
    flapping: bool


class ContactOut(BaseModel):
    """Someone to call about an affected agency."""

    agency: str
    name: str
    phone: str
    email: str


class IncidentOut(BaseModel):
    """A root alert and the alerts it suppresses: what pages, once."""

    id: str = Field(description="the root alert's fingerprint")
    title: str
    severity: str
    since: datetime | None
    acked_by: str | None
    ack_note: str
    affected_agencies: list[str]
    affected_devices: int
    contacts: list[ContactOut]
    root: AlertOut
    members: list[AlertOut]


class AlertsOut(BaseModel):
    """Active incidents and alerts at one instant."""

    at: datetime
    incidents: list[IncidentOut]
    alerts: list[AlertOut]


class EventOut(BaseModel):
    """One line of alert history: a transition or a person's action."""

    at: datetime | None
    fingerprint: str
    kind: str
    actor: str
    note: str
    rule: str
    subject: str


class SilenceOut(BaseModel):
    """Notifications held for matching alerts until ``ends_at``."""

    id: int
    ends_at: datetime | None
    created_by: str
    note: str
    fingerprint: str
    rule: str
    device: str
    agency: str
    created_at: datetime | None


class MaintenanceOut(BaseModel):
    """A maintenance window; weekly ones have weekdays (0 Monday), start time and duration."""

    id: int
    kind: str
    target: str
    starts_at: datetime | None
    ends_at: datetime | None
    created_by: str
    note: str
    recurring: bool
    weekdays: list[int]
    start_time: str | None
    duration_hours: float | None
    timezone: str
    next_start: datetime | None = Field(description="occurrence in progress or next")
    next_end: datetime | None


class AckIn(BaseModel):
    """Why the alert is acknowledged (optional)."""

    model_config = ConfigDict(extra="forbid")
    note: str = Field("", max_length=NOTE_MAX)


class AckOut(BaseModel):
    """An acknowledgement made."""

    fingerprint: str
    acked_by: str
    note: str


class SilenceIn(BaseModel):
    """How long to silence an alert, and why."""

    model_config = ConfigDict(extra="forbid")
    hours: float = Field(gt=0, le=MAX_HOURS, allow_inf_nan=False)
    note: str = Field("", max_length=NOTE_MAX)


class MaintenanceIn(BaseModel):
    """A one-off window from now (``hours``) or a weekly one (``weekdays`` and the rest)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["device", "site", "agency"]
    target: str = Field(min_length=1, max_length=120)
    note: str = Field("", max_length=NOTE_MAX)
    hours: float | None = Field(None, gt=0, le=MAX_HOURS, allow_inf_nan=False)
    weekdays: list[int] | None = Field(None, min_length=1, max_length=7,
                                       description="0 Monday .. 6 Sunday")
    start_time: str | None = Field(None, description="HH:MM, local time of timezone")
    duration_hours: float | None = Field(None, gt=0, le=MAX_HOURS, allow_inf_nan=False)
    until: datetime | None = Field(None, description="last moment (naive: local time)")
    timezone: str = Field("Asia/Ho_Chi_Minh", max_length=64)

    @model_validator(mode="after")
    def _one_or_weekly(self) -> MaintenanceIn:
        weekly = (self.weekdays, self.start_time, self.duration_hours)
        if self.hours is not None:
            if any(v is not None for v in (*weekly, self.until)):
                raise ValueError("give hours (one-off) or weekdays, start_time and "
                                 "duration_hours (weekly), not both")
        elif any(v is None for v in weekly):
            raise ValueError("give hours (one-off from now) or weekdays, start_time and "
                             "duration_hours (weekly)")
        return self
