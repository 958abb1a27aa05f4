"""What the alerting pages show, and how every other page reaches the alerting service.

:func:`build_page` sorts one :class:`~noc.alerting.view.AlertsSnapshot` into
the sections of /alerts. :func:`overview_incidents` gives the overview's panel.

Pages other than /alerts are rendered by routers that know nothing of
alerting, so the templates call Jinja globals installed here:
``failing_notifiers(request)`` (the banner in ``base.html``),
``maintenance_now(request, targets)`` (device and agency pages) and
``may_operate(user)``. They find the service through the app serving the
request (``app.state.runtime``, set by :func:`noc.app.create_app`); a snapshot
is taken at most once per request.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from fastapi import Request

from dashboards.web import templates
from inventory.catalog import Catalog
from noc.alerting.maintenance import next_occurrence
from noc.alerting.model import Alert, AlertState, Incident, Maintenance, Silence, severity_rank
from noc.alerting.view import AlertsBackend, AlertsSnapshot, NotifierHealth, TrapSummary
from noc.auth.roles import Principal, Role

log = logging.getLogger(__name__)
OVERVIEW_MAX = 8
def backend_of_runtime(runtime: object) -> AlertsBackend | None:
    """The runtime's alerting service (None: alerting is off)."""
    backend: AlertsBackend | None = getattr(runtime, "alerts", None)
    return backend


def backend_of(request: Request) -> AlertsBackend | None:
    """The alerting service of the app serving ``request`` (None: alerting off)."""
    app = request.scope.get("app")
    runtime = getattr(getattr(app, "state", None), "runtime", None)
    return backend_of_runtime(runtime) if runtime is not None else None


def snapshot_of(request: Request) -> AlertsSnapshot | None:
    """The alerting snapshot for this request (taken once; None when off or failing)."""
    cached: tuple[AlertsSnapshot | None] | None = getattr(request.state, "alerts_snapshot",
                                                          None)
    if cached is not None:
        return cached[0]
    snap = safe_snapshot(backend_of(request))
    request.state.alerts_snapshot = (snap,)
    return snap


def safe_snapshot(backend: AlertsBackend | None) -> AlertsSnapshot | None:
    """``backend.snapshot()``, or None when alerting is off or the snapshot fails."""
    if backend is None:
        return None
    try:
        return backend.snapshot()
    except Exception as exc:  # a page must render whatever the service does
        log.warning("alerting snapshot failed: %s", type(exc).__name__)
        return None


def failing_notifiers(request: Request) -> list[NotifierHealth]:
    """The notifiers that are not ok (the banner of every ops page)."""
    snap = snapshot_of(request)
    return [n for n in snap.notifiers if not n.ok] if snap is not None else []


def window_active(window: Maintenance, now: float) -> bool:
    """Whether ``window`` holds at ``now`` (one-off, or one weekly occurrence of it)."""
    if window.starts_at > now or (window.ends_at is not None and window.ends_at <= now):
        return False
    if not window.recurring:
        return True
    try:
        zone = ZoneInfo(window.timezone)
        hour, minute = (int(p) for p in window.start_time.split(":"))
    except (ValueError, KeyError):
        return False
    today = datetime.fromtimestamp(now, zone).date()
    for back in range(8):
        day = today - timedelta(days=back)
        if day.weekday() not in window.weekdays:
            continue
        start = datetime.combine(day, dtime(hour, minute), zone).timestamp()
        if start <= now < start + window.duration:
            return True
    return False


def maintenance_now(request: Request,
                    targets: Iterable[tuple[str, str | None]]) -> list[Maintenance] | None:
    """The windows active now on any of ``targets`` ((kind, target) pairs); None when off."""
    snap = snapshot_of(request)
    if snap is None:
        return None
    wanted = {(kind, target) for kind, target in targets if target}
    return [m for m in snap.maintenance
            if (m.kind, m.target) in wanted and window_active(m, snap.at)]


def may_operate(user: Principal | None) -> bool:
    """Whether ``user`` may acknowledge, silence and start maintenance."""
    return user is not None and user.role >= Role.OPERATOR


@dataclass(frozen=True, slots=True)
class AlertsPage:
    """The sections of /alerts at one instant."""

    at: float
    firing: list[Incident]  # not acknowledged, most severe first
    acked: list[Incident]
    pending: list[Alert]  # not firing yet (roots and unsuppressed alerts)
    active_windows: list[Maintenance]
    scheduled_windows: list[Maintenance]
    silences: list[Silence]
    notifiers: list[NotifierHealth]
    traps: list[TrapSummary]
    trap_drops: int
    names: dict[str, str]  # agency code -> Vietnamese name
    subjects: dict[str, str]  # alert fingerprint -> subject
    paging: bool = True  # some notifier is configured ("notified" means someone was paged)


def _visible_incident(incident: Incident, visible: set[str] | None) -> bool:
    if visible is None:
        return True
    codes = {*incident.affected_agencies, incident.root.agency}
    return bool(codes & visible)


def _incident_key(incident: Incident) -> tuple[int, float]:
    root = incident.root
    return severity_rank(incident.severity), -(root.fired_at or root.active_since)


def build_page(snap: AlertsSnapshot, catalog: Catalog, visible: set[str] | None) -> AlertsPage:
    """Sort ``snap`` into the page's sections (a scoped viewer sees only its agencies)."""
    incidents = [i for i in snap.incidents if _visible_incident(i, visible)]
    firing = sorted((i for i in incidents if not i.acked and i.root.state is AlertState.FIRING),
                    key=_incident_key)
    acked = sorted((i for i in incidents if i.acked), key=_incident_key)
    pending = sorted((a for a in snap.alerts if a.state is AlertState.PENDING
                      and not a.suppressed_by
                      and (visible is None or a.agency in visible)),
                     key=lambda a: (severity_rank(a.severity), a.active_since))
    active = [m for m in snap.maintenance if window_active(m, snap.at)]
    scheduled = [m for m in snap.maintenance if m not in active]
    scoped = visible is not None
    return AlertsPage(
        snap.at, firing, acked, pending, active, scheduled,
        [] if scoped else snap.silences, [] if scoped else snap.notifiers,
        [] if scoped else snap.traps, 0 if scoped else snap.trap_drops,
        {code: a.name_vi for code, a in catalog.agencies.items()},
        {a.fingerprint: a.subject for a in snap.alerts}, bool(snap.notifiers))


@dataclass(frozen=True, slots=True)
class IncidentsPanel:
    """The overview's active-incidents panel."""

    incidents: list[Incident]  # at most OVERVIEW_MAX, unacknowledged first, most severe first
    total: int


def overview_incidents(snap: AlertsSnapshot | None,
                       visible: set[str] | None) -> IncidentsPanel | None:
    """The overview panel's incidents (None: alerting is off)."""
    if snap is None:
        return None
    shown = sorted((i for i in snap.incidents if _visible_incident(i, visible)),
                   key=lambda i: (i.acked, *_incident_key(i)))
    return IncidentsPanel(shown[:OVERVIEW_MAX], len(shown))


TARGETS_MAX = 2000  # datalist entries on /alerts: beyond that, typing the name is enough


def maintenance_targets(catalog: Catalog) -> list[tuple[str, str]]:
    """(value, label) suggestions for the maintenance form: agencies, sites, then devices."""
    found = [(code, a.name_vi) for code, a in sorted(catalog.agencies.items())]
    found += sorted(catalog.site_names.items())
    found += sorted((d.name, d.agency) for d in catalog.devices.values())
    unique: dict[str, str] = {}
    for value, label in found:
        unique.setdefault(value, label)  # a site coded like its agency: the agency's label
    return list(unique.items())[:TARGETS_MAX]


def end_time(window: Maintenance) -> str:
    """The local clock time ("HH:MM") at which each occurrence of a weekly window ends."""
    try:
        hour, minute = (int(p) for p in window.start_time.split(":"))
    except ValueError:
        return "?"
    total = (hour * 60 + minute + int(window.duration // 60)) % (24 * 60)
    return f"{total // 60:02d}:{total % 60:02d}"


def next_start(window: Maintenance, now: float) -> float | None:
    """When the next occurrence of ``window`` starts, after ``now`` (None: no more)."""
    try:
        found = next_occurrence(window, now)
        if found is not None and found[0] <= now:  # in progress: the one after it
            found = next_occurrence(window, found[1]) if found[1] < math.inf else None
    except ValueError:  # a zone this host does not know
        return None
    return found[0] if found is not None and found[0] > now else None


def muted_kind(alert: Alert) -> str:
    """``maintenance``, ``silence`` or "" from an alert's ``muted`` reason."""
    return alert.muted.partition(":")[0]


templates.env.globals.update(failing_notifiers=failing_notifiers,
                             maintenance_now=maintenance_now, may_operate=may_operate)
templates.env.filters.update(muted_kind=muted_kind, end_time=end_time, next_start=next_start)
