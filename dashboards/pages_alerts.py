"""The alerting pages: /alerts (incidents, windows, silences, notifiers, traps, history), actions.

Everything is read from, and done through, the alerting service as the
:class:`~noc.alerting.view.AlertsBackend` protocol, found as ``runtime.alerts``
(None: alerting is off, and the page says so).

Actions are URL-encoded POST forms; the auth middleware already requires an
operator and a matching CSRF token, and each route checks the role again.
``POST /maintenance/weekly`` schedules a weekly window (days as ``day0``..``day6``
checkboxes, start ``HH:MM`` and an optional last day, in Vietnam time); a refused
form comes back with what was typed.
After an action the browser is sent back (303) to ``/alerts?done=<what>``;
an unknown alert, window or silence answers 404 and a bad number of hours
422, both as the alerts page with the error on top. /alerts is never put in
the page cache: it must show an action's outcome at once.

Other pages reach the service through Jinja globals (see :mod:`dashboards.pages_alerts_data`):
the failing-notifier banner of every ops page, the overview's incidents panel
and the maintenance line and button of the device and agency pages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dashboards.i18n import translator
from dashboards.pages_alerts_data import (
    AlertsPage,
    backend_of_runtime,
    build_page,
    maintenance_targets,
    may_operate,
    safe_snapshot,
)
from dashboards.pages_ops_common import Lang, render, visible_agencies
from noc.alerting.model import AlertEvent
from noc.alerting.view import AlertsBackend
from noc.auth.forms import form_fields
from noc.auth.roles import Role, actor_name, principal, require_role
from noc.runtime import Runtime

__all__ = ["make_alerts_router"]

log = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store"}
DONE = ("ack", "silence", "unsilence", "maintenance", "unmaintenance", "schedule")
KINDS = ("device", "site", "agency")
MAX_HOURS = 168.0
NOTE_MAX = 500
HISTORY_LIMIT = 200
HISTORY_ON_PAGE = 20
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WINDOW_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # weekly windows of the form are in Vietnam time


class ActionError(Exception):
    """An action refused before or by the backend: an HTTP status and a message key."""

    def __init__(self, status: int, key: str, detail: str = "") -> None:
        super().__init__(key)
        self.status, self.key, self.detail = status, key, detail


def parse_hours(value: str | None) -> float:
    """Hours from a form field: more than 0, at most a week (ActionError 422 otherwise)."""
    try:
        hours = float(value or "")
    except ValueError:
        raise ActionError(422, "al_err_hours") from None
    if not 0 < hours <= MAX_HOURS:  # also refuses nan
        raise ActionError(422, "al_err_hours")
    return hours


def note_of(form: dict[str, str]) -> str:
    """The form's note, trimmed and capped."""
    return form.get("note", "").strip()[:NOTE_MAX]


def parse_id(value: str) -> int:
    """A window or silence id from the path (ActionError 404 when not a number)."""
    try:
        return int(value)
    except ValueError:
        raise ActionError(404, "al_err_unknown") from None


class _Pages:
    """What the alerting routes share: the runtime, the page renderer and the action runner."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def page(self, request: Request, lang: str, done: str = "", error: str = "",
             status: int = 200, form: dict[str, str] | None = None) -> HTMLResponse:
        """/alerts, with an outcome (``done``) or an error message on top."""
        backend = backend_of_runtime(self.runtime)
        view: AlertsPage | None = None
        history: list[AlertEvent] = []
        snap = safe_snapshot(backend)
        if backend is not None and snap is None:
            error, status = error or translator(lang)("al_err_unavailable"), 503
        if snap is not None and backend is not None:
            visible = visible_agencies(request, self.runtime.catalog)
            view = build_page(snap, self.runtime.catalog, visible)
            if visible is None:
                history = backend.history(limit=HISTORY_ON_PAGE)
        response = render(request, lang, "alerts.html", "alerts", view=view, history=history,
                          enabled=backend is not None, done=done if done in DONE else "",
                          error=error, history_limit=HISTORY_LIMIT,
                          weekly=form if form is not None and "weekly" in form else {},
                          targets=maintenance_targets(self.runtime.catalog)
                          if may_operate(principal(request)) and view is not None else [])
        response.status_code = status
        response.headers.update(NO_STORE)
        return response

    async def act(self, request: Request, lang: str, done: str,
                  call: Callable[[AlertsBackend, dict[str, str], str], Any]) -> Response:
        """Run one action as the logged-in user; 303 back, or the page with the error."""
        backend = backend_of_runtime(self.runtime)
        form = await form_fields(request)
        try:
            if backend is None:
                raise ActionError(503, "al_err_off")
            await run_in_threadpool(call, backend, form, actor_name(request))
        except ActionError as exc:
            return self.failed(request, lang, exc, form)
        except KeyError:
            return self.failed(request, lang, ActionError(404, "al_err_unknown"), form)
        except ValueError as exc:
            return self.failed(request, lang, ActionError(422, "al_err_rejected", str(exc)),
                               form)
        anchor = "firing" if done == "ack" else "maintenance"
        return RedirectResponse(f"/alerts?done={done}#{anchor}", status_code=303,
                                headers=NO_STORE)

    def failed(self, request: Request, lang: str, exc: ActionError,
               form: dict[str, str] | None = None) -> Response:
        """The alerts page with the refusal on top (and the form as it was sent)."""
        log.info("alerting action %s refused: %s %s", request.url.path, exc.key,
                 exc.detail[:200])
        message = translator(lang)(exc.key) + (f": {exc.detail}" if exc.detail else "")
        return self.page(request, lang, error=message, status=exc.status, form=form)


def make_alerts_router(runtime: Runtime) -> APIRouter:
    """/alerts, /alerts/history and the alerting actions over ``runtime.alerts``."""
    router = APIRouter(include_in_schema=False)
    pages = _Pages(runtime)
    _read_routes(router, pages)
    _action_routes(router, pages)
    return router


def _read_routes(router: APIRouter, pages: _Pages) -> None:
    runtime = pages.runtime

    @router.get("/alerts", response_class=HTMLResponse)
    def alerts_page(request: Request, lang: Lang = "vi", done: str = "") -> HTMLResponse:
        return pages.page(request, lang, done)


    @router.get("/alerts/history", response_class=HTMLResponse)
    def alerts_history(request: Request, lang: Lang = "vi",
                       fingerprint: str | None = None) -> HTMLResponse:
        backend = backend_of_runtime(runtime)
        scoped = visible_agencies(request, runtime.catalog) is not None
        events = [] if backend is None or scoped else backend.history(
            limit=HISTORY_LIMIT, fingerprint=fingerprint or None)
        response = render(request, lang, "alerts_history.html", "alerts", events=events,
                          enabled=backend is not None, fingerprint=fingerprint or "",
                          history_limit=HISTORY_LIMIT)
        response.headers.update(NO_STORE)
        return response


def _action_routes(router: APIRouter, pages: _Pages) -> None:
    operator = [Depends(require_role(Role.OPERATOR))]

    @router.post("/alerts/{fingerprint}/ack", dependencies=operator)
    async def ack(request: Request, fingerprint: str, lang: Lang = "vi") -> Response:
        return await pages.act(request, lang, "ack", lambda b, form, actor: b.ack(
            fingerprint, actor, note_of(form)))

    @router.post("/alerts/{fingerprint}/silence", dependencies=operator)
    async def silence(request: Request, fingerprint: str, lang: Lang = "vi") -> Response:
        def call(b: AlertsBackend, form: dict[str, str], actor: str) -> None:
            b.silence(fingerprint, parse_hours(form.get("hours")) * 3600, actor, note_of(form))
        return await pages.act(request, lang, "silence", call)

    @router.post("/alerts/silences/{silence_id}/end", dependencies=operator)
    async def unsilence(request: Request, silence_id: str, lang: Lang = "vi") -> Response:
        return await pages.act(request, lang, "unsilence", lambda b, form, actor: b.unsilence(
            parse_id(silence_id), actor))

    @router.post("/maintenance", dependencies=operator)
    async def maintenance(request: Request, lang: Lang = "vi") -> Response:
        return await pages.act(request, lang, "maintenance", start_maintenance)

    @router.post("/maintenance/weekly", dependencies=operator)
    async def weekly_maintenance(request: Request, lang: Lang = "vi") -> Response:
        return await pages.act(request, lang, "schedule", schedule_weekly)

    @router.post("/maintenance/{window_id}/end", dependencies=operator)
    async def end_maintenance(request: Request, window_id: str, lang: Lang = "vi") -> Response:
        return await pages.act(request, lang, "unmaintenance",
                               lambda b, form, actor: b.end_maintenance(parse_id(window_id),
                                                                        actor))


def start_maintenance(backend: AlertsBackend, form: dict[str, str], actor: str) -> None:
    """Start the window a maintenance form asks for (ActionError on a bad kind or hours)."""
    kind, target = form.get("kind", ""), form.get("target", "").strip()
    if kind not in KINDS or not target:
        raise ActionError(422, "al_err_kind")
    hours = parse_hours(form.get("hours"))
    backend.start_maintenance(kind, target, hours * 3600, actor, note_of(form))


def schedule_weekly(backend: AlertsBackend, form: dict[str, str], actor: str) -> None:
    """Schedule the weekly window the form asks for (ActionError on a bad field).

    Weekdays come as checkboxes ``day0`` (Monday) .. ``day6`` (Sunday); ``until``
    (a date, optional) is the last day of the window, included, in Vietnam time.
    """
    kind, target = form.get("kind", ""), form.get("target", "").strip()
    if kind not in KINDS or not target:
        raise ActionError(422, "al_err_kind")
    weekdays = tuple(d for d in range(7) if form.get(f"day{d}"))
    if not weekdays:
        raise ActionError(422, "al_err_weekdays")
    start = form.get("start_time", "").strip()
    if not HHMM.match(start):
        raise ActionError(422, "al_err_time")
    hours = parse_hours(form.get("duration_hours"))
    ends_at = None
    if form.get("until", "").strip():
        try:
            last = date.fromisoformat(form["until"].strip())
        except ValueError:
            raise ActionError(422, "al_err_until") from None
        ends_at = datetime.combine(last + timedelta(days=1), dtime(0, 0), WINDOW_ZONE).timestamp()
    backend.schedule_maintenance(kind, target, weekdays=weekdays, start_time=start,
                                 duration=hours * 3600, actor=actor, note=note_of(form),
                                 ends_at=ends_at, timezone=WINDOW_ZONE.key)
