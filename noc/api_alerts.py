"""The alerting JSON API, version 1: alerts, incidents, history, ack, silences, maintenance.

* ``GET /api/v1/alerts`` — active incidents and alerts; ``GET /api/v1/alerts/history``;
* ``POST /api/v1/alerts/{fingerprint}/ack`` and ``/silence``; ``DELETE /api/v1/silences/{id}``;
* ``GET /api/v1/maintenance``, ``POST /api/v1/maintenance`` (one-off from now, or weekly),
  ``DELETE /api/v1/maintenance/{id}``.

Reads are open to whoever may read the rest of the API; a viewer limited to an
agency sees only the alerts, incidents and windows that touch it and its wards.
Writes need an operator (API token, or a session cookie with its CSRF token) and
are recorded under the user's name. Everything goes through ``runtime.alerts``
(:class:`~noc.alerting.view.AlertsBackend`); when alerting is off every route
answers 503. Times are ISO 8601 in UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request

from noc.alerting.maintenance import next_occurrence
from noc.alerting.model import Alert, Incident, Maintenance, Silence
from noc.alerting.view import AlertsBackend, AlertsSnapshot
from noc.api_alerts_models import (
    AckIn,
    AckOut,
    AlertOut,
    AlertsOut,
    ContactOut,
    EventOut,
    IncidentOut,
    MaintenanceIn,
    MaintenanceOut,
    SilenceIn,
    SilenceOut,
)
from noc.auth.roles import Principal, Role, actor_name, agency_scope, require_role
from noc.auth.scope import visible_agencies
from noc.runtime import Runtime

__all__ = ["make_alerts_api"]

OFF = "alerting is off: enable it in the NOC configuration (alerting.enabled)"
Operator = Annotated[Principal, Depends(require_role(Role.OPERATOR))]
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such alert, silence or window"},
    422: {"description": "Invalid values (``detail`` says which)"},
    503: {"description": "Alerting is off or not answering"},
}


def utc(ts: float | None) -> datetime | None:
    """UNIX seconds as an aware UTC datetime (None stays None)."""
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def alert_out(a: Alert) -> AlertOut:
    """The public view of one alert."""
    return AlertOut.model_validate(a, from_attributes=True)


def silence_out(s: Silence) -> SilenceOut:
    """The public view of one silence."""
    return SilenceOut.model_validate(s, from_attributes=True)


def incident_out(i: Incident, visible: set[str] | None) -> IncidentOut:
    """One incident; for a scoped viewer only the members and agencies it may see."""
    def seen(code: str | None) -> bool:
        return visible is None or code in visible

    return IncidentOut(
        id=i.id, title=i.title, severity=i.severity,
        since=utc(i.root.fired_at or i.root.active_since), acked_by=i.root.acked_by,
        ack_note=i.root.ack_note,
        affected_agencies=[c for c in i.affected_agencies if seen(c)],
        affected_devices=i.affected_devices,
        contacts=[ContactOut.model_validate(c, from_attributes=True) for c in i.contacts
                  if seen(c.agency)],
        root=alert_out(i.root), members=[alert_out(m) for m in i.members if seen(m.agency)])


def touches(i: Incident, visible: set[str] | None) -> bool:
    """Whether incident ``i`` concerns one of the ``visible`` agencies (None: all do)."""
    if visible is None:
        return True
    return bool({*i.affected_agencies, i.root.agency} & visible)


def window_out(m: Maintenance, now: float) -> MaintenanceOut:
    """The public view of one window, with its occurrence in progress or next."""
    try:
        nxt = next_occurrence(m, now)
    except ValueError:  # a stored window with a zone this host does not know
        nxt = None
    finite = nxt is not None and nxt[1] != float("inf")
    return MaintenanceOut(
        id=m.id, kind=m.kind, target=m.target, starts_at=utc(m.starts_at),
        ends_at=utc(m.ends_at), created_by=m.created_by, note=m.note, recurring=m.recurring,
        weekdays=list(m.weekdays), start_time=m.start_time or None,
        duration_hours=m.duration / 3600 if m.recurring else None,
        timezone=m.timezone, next_start=utc(nxt[0]) if nxt else None,
        next_end=utc(nxt[1]) if nxt and finite else None)


def _until(value: datetime | None, zone: str) -> float | None:
    """An end time as UNIX seconds; a naive one is local time of ``zone``."""
    if value is None:
        return None
    if value.tzinfo is None:
        try:
            value = value.replace(tzinfo=ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            raise HTTPException(422, f"unknown time zone {zone!r}") from None
    return value.timestamp()


class _Alerting:
    """What the routes share: finding the service and the reader's scope."""

    def __init__(self, runtime: Callable[[], Runtime]) -> None:
        self.runtime = runtime

    def backend(self) -> AlertsBackend:
        """The alerting service, or 503 when it is off."""
        found = self.runtime().alerts
        if found is None:
            raise HTTPException(503, OFF)
        return found

    def snapshot(self) -> AlertsSnapshot:
        """The service's snapshot, or 503 when it is off or fails."""
        try:
            return self.backend().snapshot()
        except HTTPException:
            raise
        except Exception as exc:  # the service failing is the server's problem, not the client's
            raise HTTPException(503, f"the alerting service did not answer "
                                     f"({type(exc).__name__})") from None

    def visible(self, request: Request) -> set[str] | None:
        """Agency codes the request may see (None: all)."""
        return visible_agencies(agency_scope(request), self.runtime().catalog)

    def window_visible(self, m: Maintenance, visible: set[str] | None) -> bool:
        """Whether a scoped reader may see window ``m`` (its agency or a device/site of it)."""
        if visible is None:
            return True
        if m.kind == "agency":
            return m.target in visible
        devices = self.runtime().catalog.devices.values()
        key = "name" if m.kind == "device" else "site"
        return any(getattr(d, key) == m.target and d.agency in visible for d in devices)


def _run(call: Callable[[], Any]) -> Any:
    """Run a backend action: KeyError is a 404, ValueError a 422 (with its message)."""
    try:
        return call()
    except KeyError as exc:
        raise HTTPException(404, f"no such alert, silence or window: {exc.args[0]!r}"
                            if exc.args else "not found") from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None


def make_alerts_api(runtime: Callable[[], Runtime]) -> APIRouter:
    """The /api/v1 alerting router over ``runtime().alerts``."""
    router = APIRouter(prefix="/api/v1", tags=["alerting"], responses=ERRORS)
    shared = _Alerting(runtime)
    _read_routes(router, shared)
    _write_routes(router, shared)
    return router


def _read_routes(router: APIRouter, shared: _Alerting) -> None:
    @router.get("/alerts", summary="Active incidents and alerts")
    def alerts(request: Request) -> AlertsOut:
        """Active incidents (most severe first) and every active alert, suppressed included."""
        snap = shared.snapshot()
        seen = shared.visible(request)
        return AlertsOut(
            at=datetime.fromtimestamp(snap.at, UTC),
            incidents=[incident_out(i, seen) for i in snap.incidents if touches(i, seen)],
            alerts=[alert_out(a) for a in snap.alerts if seen is None or a.agency in seen])

    @router.get("/alerts/history", summary="Alert history and actions, newest first")
    def history(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                fingerprint: Annotated[str | None, Query(max_length=64)] = None,
                ) -> list[EventOut]:
        """Transitions and people's actions; a scoped viewer gets its visible alerts' only."""
        backend = shared.backend()
        seen = shared.visible(request)
        events = backend.history(limit=limit, fingerprint=fingerprint or None)
        if seen is not None:
            mine = {a.fingerprint for a in shared.snapshot().alerts if a.agency in seen}
            events = [e for e in events if e.fingerprint in mine]
        return [EventOut.model_validate(e, from_attributes=True) for e in events]

    @router.get("/maintenance", summary="Maintenance windows active now or later")
    def maintenance(request: Request) -> list[MaintenanceOut]:
        """Every window that is active or still to come, one-off and weekly."""
        snap = shared.snapshot()
        seen = shared.visible(request)
        return [window_out(m, snap.at) for m in snap.maintenance
                if shared.window_visible(m, seen)]

    @router.get("/silences", summary="Silences not yet expired")
    def silences(request: Request) -> list[SilenceOut]:
        """Every silence still holding notifications (none for a scoped viewer)."""
        snap = shared.snapshot()
        return [] if shared.visible(request) is not None else [
            silence_out(s) for s in snap.silences]


def _write_routes(router: APIRouter, shared: _Alerting) -> None:
    @router.post("/alerts/{fingerprint}/ack", summary="Acknowledge an alert or incident")
    def ack(request: Request, user: Operator, fingerprint: str,
            body: Annotated[AckIn, Body()]) -> AckOut:
        """Acknowledge (an incident: its root alert); stops escalation."""
        backend, actor = shared.backend(), actor_name(request)
        _run(lambda: backend.ack(fingerprint, actor, body.note))
        return AckOut(fingerprint=fingerprint, acked_by=actor, note=body.note)

    @router.post("/alerts/{fingerprint}/silence", summary="Silence one alert for some hours")
    def silence(request: Request, user: Operator, fingerprint: str,
                body: Annotated[SilenceIn, Body()]) -> SilenceOut:
        """Hold notifications of one alert for ``hours``."""
        backend, actor = shared.backend(), actor_name(request)
        made: Silence = _run(lambda: backend.silence(fingerprint, body.hours * 3600, actor,
                                                     body.note))
        return silence_out(made)

    @router.delete("/silences/{silence_id}", status_code=204, summary="End a silence now")
    def unsilence(request: Request, user: Operator, silence_id: int) -> None:
        """End a silence now."""
        backend, actor = shared.backend(), actor_name(request)
        _run(lambda: backend.unsilence(silence_id, actor))

    @router.post("/maintenance", status_code=201, summary="Start or schedule maintenance")
    def add_maintenance(request: Request, user: Operator,
                        body: Annotated[MaintenanceIn, Body()]) -> MaintenanceOut:
        """A one-off window from now (``hours``) or a weekly one (``weekdays``...)."""
        backend, actor = shared.backend(), actor_name(request)
        if body.weekdays is None:
            hours = body.hours or 0.0
            made: Maintenance = _run(lambda: backend.start_maintenance(
                body.kind, body.target, hours * 3600, actor, body.note))
        else:
            weekdays, ends = tuple(sorted(set(body.weekdays))), _until(body.until, body.timezone)
            made = _run(lambda: backend.schedule_maintenance(
                body.kind, body.target, weekdays=weekdays, start_time=body.start_time or "",
                duration=(body.duration_hours or 0.0) * 3600, actor=actor, note=body.note,
                ends_at=ends, timezone=body.timezone))
        return window_out(made, datetime.now(UTC).timestamp())

    @router.delete("/maintenance/{window_id}", status_code=204,
                   summary="End a maintenance window now")
    def end_maintenance(request: Request, user: Operator, window_id: int) -> None:
        """End a window now (a weekly one: all its future occurrences too)."""
        backend, actor = shared.backend(), actor_name(request)
        _run(lambda: backend.end_maintenance(window_id, actor))
