"""The alerting data model shared by rules, lifecycle, topology, store, notifiers and views.

A *condition* is one rule found true about one subject in one evaluation
(``device_unreachable`` about ``q7-core``). An *alert* is the lifecycle of
one (rule, subject) pair, identified by a stable *fingerprint*; it is
pending until the condition has held for the rule's ``for:`` duration,
then firing, then resolved. Alerts caused by another firing alert upstream
are *suppressed by* it; a root alert and everything it suppresses form one
*incident*, which is what pages.

Times are wall-clock UNIX seconds (floats) throughout.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

SEVERITIES = ("critical", "major", "warning", "info")  # most severe first


def severity_rank(severity: str) -> int:
    """0 for critical, larger for milder; unknown severities rank last."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


class AlertState(StrEnum):
    """Where an alert is in its lifecycle."""

    PENDING = "pending"  # condition true, ``for:`` not yet elapsed
    FIRING = "firing"
    RESOLVED = "resolved"


def fingerprint(rule: str, subject: str) -> str:
    """A stable 16-hex-digit id of (rule, subject): the same across restarts and hosts."""
    return hashlib.sha256(f"{rule}\x00{subject}".encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Condition:
    """One rule found true about one subject in one evaluation.

    ``subject`` names what it is about and is unique per rule: a device name,
    ``device/ifIndex`` for an interface, a link name, an agency code, or
    ``noc`` for the NOC itself. ``labels`` are extra labels for notifiers
    (``interface``, ``link``, ``sensor``...); never secrets.
    """

    rule: str
    subject: str
    severity: str
    summary: str  # one line for a human, e.g. "q7-core does not answer ping or SNMP"
    device: str | None = None
    agency: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    value: float | None = None  # the measured value, when there is one

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the alert this condition feeds."""
        return fingerprint(self.rule, self.subject)


@dataclass(slots=True)
class Alert:
    """The lifecycle of one (rule, subject) pair; mutable, owned by the lifecycle."""

    fingerprint: str
    rule: str
    subject: str
    severity: str
    summary: str
    device: str | None = None
    agency: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    value: float | None = None
    state: AlertState = AlertState.PENDING
    active_since: float = 0.0  # when the condition became true (start of pending)
    fired_at: float | None = None
    resolved_at: float | None = None
    last_true: float = 0.0  # last evaluation that found the condition true
    flapping: bool = False
    transitions: list[float] = field(default_factory=list)  # recent firing/resolved times
    suppressed_by: str | None = None  # fingerprint of the root alert that explains this one
    incident: str | None = None  # incident id (the root alert's fingerprint)
    acked_by: str | None = None
    acked_at: float | None = None
    ack_note: str = ""
    muted: str = ""  # why notifications are held: "maintenance:<id>", "silence:<id>" or ""
    notified: bool = False  # a "firing" notification for this alert went out (or was due)

    @property
    def active(self) -> bool:
        """Pending or firing."""
        return self.state is not AlertState.RESOLVED


@dataclass(frozen=True, slots=True)
class Contact:
    """Someone to call about an affected agency (from the inventory)."""

    agency: str
    name: str = ""
    phone: str = ""
    email: str = ""


@dataclass(slots=True)
class Incident:
    """One root alert and everything it suppresses: what pages, once.

    ``id`` is the root alert's fingerprint. ``title`` reads like "Quận 7
    isolated: uplink q7-uplink-metronet down, 14 wards and 37 devices
    affected".
    """

    id: str
    root: Alert
    members: list[Alert] = field(default_factory=list)  # suppressed alerts, root excluded
    title: str = ""
    affected_agencies: list[str] = field(default_factory=list)  # agency codes, root's first
    affected_devices: int = 0
    contacts: list[Contact] = field(default_factory=list)
    title_vi: str = ""  # the same in Vietnamese ("Quận 7 mất kết nối: ...")

    @property
    def severity(self) -> str:
        """The most severe of the root's and its members' severities."""
        return min([self.root.severity, *(m.severity for m in self.members)], key=severity_rank)

    @property
    def acked(self) -> bool:
        """Whether someone acknowledged the root alert."""
        return self.root.acked_by is not None


@dataclass(frozen=True, slots=True)
class Notification:
    """What a notifier sends about one incident (or the dead man's switch).

    ``status`` is ``firing`` or ``resolved``. ``labels`` identify the alert
    downstream (Alertmanager groups and dedupes by them) and stay the same
    for the incident's whole life; ``annotations`` may change.
    ``recipients`` are e-mail addresses chosen by on-call routing (empty:
    the notifier's own default list). ``level`` is the escalation level
    (0: first page).
    """

    incident: str
    status: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    starts_at: float
    ends_at: float | None = None
    generator_url: str = ""
    recipients: tuple[str, ...] = ()
    level: int = 0
    repeat: bool = False  # a re-page of an unacknowledged incident
    refresh: bool = False  # re-announces a page already sent (after a restart): stateful
    # receivers (Alertmanager, which expires alerts not re-sent) take it; people are not paged


@dataclass(frozen=True, slots=True)
class Maintenance:
    """A maintenance window on a device, site or agency (everything at or behind it).

    One-off windows have ``starts_at``/``ends_at``. Recurring ones also have
    ``weekdays`` (0 Monday .. 6 Sunday), ``start_time`` ("HH:MM", local time
    of ``timezone``) and ``duration`` seconds; they are active in every
    occurrence between ``starts_at`` and ``ends_at`` (``ends_at`` None:
    forever).
    """

    id: int
    kind: str  # device | site | agency
    target: str  # device name, site code or agency code
    starts_at: float
    ends_at: float | None
    created_by: str
    note: str = ""
    weekdays: tuple[int, ...] = ()  # empty: one-off
    start_time: str = ""
    duration: float = 0.0
    timezone: str = "Asia/Ho_Chi_Minh"

    @property
    def recurring(self) -> bool:
        """Whether this window repeats every week."""
        return bool(self.weekdays)


@dataclass(frozen=True, slots=True)
class Silence:
    """Notifications held for alerts matching every non-empty field, until ``ends_at``."""

    id: int
    ends_at: float
    created_by: str
    note: str = ""
    fingerprint: str = ""  # one alert
    rule: str = ""
    device: str = ""
    agency: str = ""
    created_at: float = 0.0

    def matches(self, alert: Alert) -> bool:
        """Whether this silence covers ``alert`` (fields left empty match anything)."""
        return ((not self.fingerprint or self.fingerprint == alert.fingerprint)
                and (not self.rule or self.rule == alert.rule)
                and (not self.device or self.device == alert.device)
                and (not self.agency or self.agency == alert.agency)
                and any((self.fingerprint, self.rule, self.device, self.agency)))


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """One line of alert history and audit: a transition or a person's action."""

    at: float
    fingerprint: str
    kind: str  # pending | firing | resolved | notified | ack | unack | silence | maintenance ...
    actor: str = ""  # user name for actions; "" for the NOC itself
    note: str = ""
    rule: str = ""
    subject: str = ""
