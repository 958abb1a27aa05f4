"""What the web pages read from, and do to, the alerting service.

:class:`AlertsBackend` is implemented by :class:`noc.alerting.service.AlertService`;
the dashboard depends only on this protocol, so pages are tested with a
small in-memory implementation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from noc.alerting.model import Alert, AlertEvent, Incident, Maintenance, Silence


@dataclass(frozen=True, slots=True)
class NotifierHealth:
    """How one notifier is doing (a failing one shows as a banner on every ops page)."""

    name: str  # e.g. "alertmanager", "webhook:ops-chat", "email"
    kind: str  # alertmanager | webhook | email
    ok: bool
    sent: int = 0
    failed: int = 0
    consecutive_failures: int = 0
    last_error: str = ""  # never contains a secret
    last_success: float | None = None
    queued: int = 0


@dataclass(frozen=True, slots=True)
class TrapSummary:
    """A received trap as the alerts page lists it (unknown ones are kept for triage)."""

    at: float
    source: str  # sender address
    device: str | None  # inventory device with that address, if any
    version: str  # 1 | 2c | 3
    kind: str  # link_down link_up cold_start warm_start auth_failure entity vendor unknown
    trap_oid: str
    summary: str


@dataclass(frozen=True, slots=True)
class AlertsSnapshot:
    """Everything the alerts page and the overview panel show, at one instant."""

    at: float
    incidents: list[Incident]  # active incidents (root pending or firing), most severe first
    alerts: list[Alert]  # every active alert, suppressed ones included
    maintenance: list[Maintenance]  # windows active now or in the future
    silences: list[Silence]  # silences not yet expired
    notifiers: list[NotifierHealth]
    traps: list[TrapSummary] = field(default_factory=list)  # most recent first
    trap_drops: int = 0  # traps dropped (malformed, rate limit, queue full, bad auth)


class AlertsBackend(Protocol):
    """The alerting service as the dashboard sees it."""

    def snapshot(self) -> AlertsSnapshot:
        """The current alerts, incidents, windows, silences and notifier health."""
        ...

    def history(self, limit: int = 200, fingerprint: str | None = None) -> list[AlertEvent]:
        """Alert history and actions, newest first."""
        ...

    def ack(self, fingerprint: str, actor: str, note: str) -> None:
        """Acknowledge an alert (an incident: its root); stops escalation. KeyError if unknown."""
        ...

    def silence(self, fingerprint: str, seconds: float, actor: str, note: str) -> Silence:
        """Hold notifications of one alert for ``seconds``. KeyError if unknown."""
        ...

    def unsilence(self, silence_id: int, actor: str) -> None:
        """End a silence now. KeyError if unknown."""
        ...

    def start_maintenance(self, kind: str, target: str, seconds: float, actor: str,
                          note: str) -> Maintenance:
        """A maintenance window from now on a device, site or agency. ValueError if unknown."""
        ...

    def schedule_maintenance(self, kind: str, target: str, *, weekdays: tuple[int, ...],
                             start_time: str, duration: float, actor: str, note: str = "",
                             starts_at: float | None = None, ends_at: float | None = None,
                             timezone: str = "Asia/Ho_Chi_Minh") -> Maintenance:
        """A weekly window (``weekdays`` 0=Monday, ``start_time`` "HH:MM" local, ``duration`` s).

        ValueError names what is wrong (unknown target, bad time, weekday, zone).
        """
        ...

    def end_maintenance(self, window_id: int, actor: str) -> None:
        """End a maintenance window now. KeyError if unknown."""
        ...
