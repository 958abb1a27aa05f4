"""``noc alerts``, ``noc maintenance`` and ``noc oncall``: alerting from the terminal.

* ``alerts list [--json]`` and ``alerts history [--limit N] [--fingerprint FP] [--json]``
  read what the running NOC stored in the database;
* ``maintenance add KIND TARGET ...``, ``maintenance list [--all]`` and ``maintenance end ID``
  write windows straight to the database (the NOC re-reads them every 30 s); each one is
  audited in the alert history as ``cli:<operating-system user>``;
* ``oncall [--at TIME]`` says who holds the pager in each rotation, from the settings file.

Times are shown and read in Vietnam time (Asia/Ho_Chi_Minh, UTC+7). Tables are drawn
on a terminal; piped output is tab-separated, one row per line.
"""

from __future__ import annotations

import getpass
import json
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from noc.alerting.maintenance import KINDS, next_occurrence, window_active
from noc.alerting.model import Maintenance
from noc.alerting.oncall import on_call_now, parse_duration, recipients
from noc.alerting.store import AlertStore
from noc.cli_common import (
    ConfigOpt,
    DataDirOpt,
    console,
    err_console,
    open_database,
    settings_or_exit,
)

alerts_app = typer.Typer(help="Active alerts and alert history stored by the NOC.",
                         no_args_is_help=True)
maintenance_app = typer.Typer(help="Maintenance windows on devices, sites and agencies.",
                              no_args_is_help=True)

LOCAL_ZONE = "Asia/Ho_Chi_Minh"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON, not a table.")]


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _fail(message: str) -> typer.Exit:
    """Print ``message`` in red on stderr; the exit (code 2) to raise."""
    err_console.print(message, style="red", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(f"unknown time zone {name!r}") from None


def local(ts: float | None, zone: str = LOCAL_ZONE) -> str:
    """``ts`` as ``YYYY-MM-DD HH:MM`` in ``zone`` (empty for None, "forever" for infinity)."""
    if ts is None:
        return ""
    if ts == float("inf"):
        return "forever"
    return datetime.fromtimestamp(ts, ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def parse_local(text: str, zone: str = LOCAL_ZONE, *, end_of_day: bool = False) -> float:
    """UNIX time of ``"2026-11-23 09:00"`` (or a bare date) in ``zone`` unless it has an offset.

    With ``end_of_day`` a bare date means the midnight that ends it.
    """
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"invalid time {text!r}: use e.g. '2026-11-23' or '2026-11-23 09:00'"
                    ) from None
    if end_of_day and len(text.strip()) == 10:
        moment += timedelta(days=1)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone(zone))
    return moment.timestamp()


def parse_days(text: str) -> tuple[int, ...]:
    """``"mon,wed,fri"`` (names, full names or 0=Monday..6) as ``(0, 2, 4)``."""
    days: set[int] = set()
    for part in (p.strip().lower() for p in text.split(",")):
        if not part:
            continue
        if part.isdigit() and int(part) < 7:
            days.add(int(part))
        elif len(part) >= 3 and any(name.startswith(part) for name in _FULL_DAYS):
            days.add(DAYS.index(part[:3]))
        else:
            raise _fail(f"unknown weekday {part!r}: use {','.join(DAYS)}")
    if not days:
        raise _fail("--weekly needs at least one weekday, e.g. mon,wed,fri")
    return tuple(sorted(days))


def _duration(text: str, option: str) -> float:
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise _fail(f"{option}: {exc}") from None
    if seconds <= 0:
        raise _fail(f"{option}: a duration must be more than zero")
    return seconds


def _span(seconds: float) -> str:
    """``7200`` as ``2h``, ``5400`` as ``1h30m``."""
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    text = "".join(f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (mins, "m")) if n)
    return text or f"{seconds:g}s"


@contextmanager
def _database(config: ConfigOpt, data_dir: DataDirOpt) -> Iterator[sessionmaker[Session]]:
    """Sessions on the configured database (migrated first), disposed afterwards."""
    from noc.db import session_factory  # late: keeps `noc --help` fast

    engine = open_database(settings_or_exit(config, data_dir=data_dir))
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()


def _output(headers: Sequence[str], rows: list[list[str]], title: str) -> None:
    """A rich table on a terminal, else tab-separated lines (header first)."""
    if console.is_terminal:
        table = Table(*headers, title=title)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    for line in [list(headers), *rows]:
        typer.echo("\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in line))


# --- alerts --------------------------------------------------------------------------------

@alerts_app.command("list")
def list_alerts(json_out: JsonOpt = False, config: ConfigOpt = None,
                data_dir: DataDirOpt = None) -> None:
    """The active alerts (pending and firing) the NOC stored, oldest first."""
    with _database(config, data_dir) as sessions:
        alerts = AlertStore(sessions).load_active()
    if json_out:
        console.print_json(json.dumps([{**asdict(a), "state": a.state.value} for a in alerts],
                                      ensure_ascii=False))
        return
    names = {a.fingerprint: f"{a.rule} {a.subject}" for a in alerts}
    rows = [[a.state.value, a.severity, a.rule, a.subject,
             local(a.fired_at if a.fired_at is not None else a.active_since),
             a.acked_by or "",
             names.get(a.suppressed_by, a.suppressed_by) if a.suppressed_by else "",
             a.muted, a.fingerprint] for a in alerts]
    _output(("state", "severity", "rule", "subject", "since (UTC+7)", "acked by",
             "suppressed by", "muted", "fingerprint"), rows, f"{len(alerts)} active alerts")


@alerts_app.command("history")
def history(limit: Annotated[int, typer.Option(help="How many events.", min=1, max=10000)] = 50,
            fingerprint: Annotated[str | None, typer.Option(help="Events of one alert.")] = None,
            json_out: JsonOpt = False, config: ConfigOpt = None,
            data_dir: DataDirOpt = None) -> None:
    """Alert transitions and operator actions (maintenance, silences, acks), newest first."""
    with _database(config, data_dir) as sessions:
        events = AlertStore(sessions).history(limit, fingerprint)
    if json_out:
        console.print_json(json.dumps([asdict(e) for e in events], ensure_ascii=False))
        return
    rows = [[local(e.at), e.kind, e.actor, e.rule, e.subject, e.note, e.fingerprint]
            for e in events]
    _output(("at (UTC+7)", "kind", "actor", "rule", "subject", "note", "fingerprint"), rows,
            "alert history")


# --- maintenance ---------------------------------------------------------------------------

def _check_target(sessions: sessionmaker[Session], kind: str, target: str) -> None:
    """Exit 2 unless ``target`` is a device name, site code or agency code in the inventory."""
    from inventory.models import Agency, Device, Site

    column, what = {"device": (Device.name, "device named"), "site": (Site.code, "site with code"),
                    "agency": (Agency.code, "agency with code")}[kind]
    with sessions() as session:
        if session.scalar(select(column).where(column == target)) is None:
            raise _fail(f"no {what} {target!r} in the inventory")


def _weekly_times(weekly: str, at: str | None, duration: str | None) -> tuple[
        tuple[int, ...], str, float]:
    if at is None or duration is None:
        raise _fail("--weekly needs --at HH:MM and --duration (e.g. 2h)")
    hhmm = re.fullmatch(r"(\d{1,2}):(\d{2})", at.strip())
    start_time = f"{int(hhmm.group(1)):02d}:{hhmm.group(2)}" if hhmm else at
    return parse_days(weekly), start_time, _duration(duration, "--duration")


def _describe(m: Maintenance) -> str:
    if not m.recurring:
        return "one-off"
    days = ",".join(DAYS[d] for d in m.weekdays)
    zone = "" if m.timezone == LOCAL_ZONE else f" {m.timezone}"
    return f"weekly {days} {m.start_time}{zone} for {_span(m.duration)}"


@maintenance_app.command("add")
def add(kind: Annotated[str, typer.Argument(help="device, site or agency.")],
        target: Annotated[str, typer.Argument(help="Device name, site code or agency code.")],
        note: Annotated[str, typer.Option("--note", help="Why (kept in the alert history).")],
        for_: Annotated[str | None, typer.Option("--for", help="One-off: how long from "
                                                 "--from or now (default 2h).")] = None,
        weekly: Annotated[str | None, typer.Option(help="Weekly on these days, e.g. "
                                                   "mon,wed,fri.")] = None,
        at: Annotated[str | None, typer.Option(help="Weekly: start time HH:MM.")] = None,
        duration: Annotated[str | None, typer.Option(help="Weekly: length of each "
                                                     "occurrence, e.g. 2h.")] = None,
        from_: Annotated[str | None, typer.Option("--from", help="Start (date or 'YYYY-MM-DD "
                                                  "HH:MM'); default now.")] = None,
        until: Annotated[str | None, typer.Option(help="End (a bare date: through that day); "
                                                  "weekly default: forever.")] = None,
        timezone: Annotated[str, typer.Option(help="Zone of the times given.")] = LOCAL_ZONE,
        config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Put a device, site or agency (and everything behind it) under maintenance."""
    if kind not in KINDS:
        raise _fail(f"maintenance kind must be one of {', '.join(KINDS)}, not {kind!r}")
    now = time.time()
    starts = parse_local(from_, timezone) if from_ else now
    ends = parse_local(until, timezone, end_of_day=True) if until else None
    weekdays: tuple[int, ...] = ()
    start_time, length = "", 0.0
    if weekly is not None:
        if for_ is not None:
            raise _fail("--for is for one-off windows; weekly ones use --at and --duration")
        weekdays, start_time, length = _weekly_times(weekly, at, duration)
    elif at is not None or duration is not None:
        raise _fail("--at and --duration are for weekly windows (give --weekly)")
    elif ends is not None and for_ is not None:
        raise _fail("give --for or --until, not both")
    elif ends is None:
        ends = starts + _duration(for_ or "2h", "--for")
    with _database(config, data_dir) as sessions:
        _check_target(sessions, kind, target)
        try:
            window = AlertStore(sessions).add_maintenance(
                kind, target, starts, ends, _actor(), note=note, weekdays=weekdays,
                start_time=start_time, duration=length, timezone=timezone, now=now)
        except ValueError as exc:
            raise _fail(str(exc)) from None
    nxt = next_occurrence(window, now)
    when = f"next {local(nxt[0])} → {local(nxt[1])}" if nxt else "no occurrence"
    console.print(f"maintenance #{window.id} on {kind} {target}: {_describe(window)}, {when} "
                  f"(UTC+7)", markup=False, highlight=False, soft_wrap=True)


def _all_windows(sessions: sessionmaker[Session]) -> list[tuple[Maintenance, str | None]]:
    from noc.alerting.tables import MaintenanceRow, maintenance_from_row

    with sessions() as session:
        rows = session.scalars(select(MaintenanceRow).order_by(MaintenanceRow.id))
        return [(maintenance_from_row(r), r.ended_by) for r in rows]


def _status(m: Maintenance, ended_by: str | None, now: float) -> str:
    if window_active(m, now):
        return "active"
    if next_occurrence(m, now) is not None:
        return "scheduled"
    return f"ended by {ended_by}" if ended_by else "over"


@maintenance_app.command("list")
def list_windows(all_: Annotated[bool, typer.Option("--all", help="Also windows that are "
                                                    "over or were ended.")] = False,
                 config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Active and scheduled maintenance windows, with the next occurrence of weekly ones."""
    now = time.time()
    with _database(config, data_dir) as sessions:
        if all_:
            windows = _all_windows(sessions)
        else:
            windows = [(m, None) for m in AlertStore(sessions).maintenance(now)]
    rows = []
    for m, ended_by in windows:
        nxt = next_occurrence(m, now) if ended_by is None else None
        rows.append([str(m.id), m.kind, m.target, _describe(m), _status(m, ended_by, now),
                     local(nxt[0]) if nxt else "", local(nxt[1]) if nxt else "",
                     local(m.ends_at) or "forever", m.created_by, m.note])
    _output(("id", "kind", "target", "schedule", "status", "next start", "next end",
             "until", "by", "note"), rows, f"{len(rows)} maintenance windows (UTC+7)")


@maintenance_app.command("end")
def end(window_id: Annotated[int, typer.Argument(metavar="ID", help="Window id.")],
        config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """End a maintenance window now (a scheduled one is cancelled)."""
    with _database(config, data_dir) as sessions:
        try:
            window = AlertStore(sessions).end_maintenance(window_id, _actor(), time.time())
        except (KeyError, ValueError) as exc:  # unknown id, window already over
            raise _fail(str(exc.args[0] if exc.args else exc)) from None
    console.print(f"maintenance #{window.id} on {window.kind} {window.target} ended",
                  markup=False, highlight=False)


# --- on call -------------------------------------------------------------------------------

def oncall(at: Annotated[str | None, typer.Option(help="Local time (UTC+7), e.g. "
                                                  "'2026-11-23 09:00'; default now.")] = None,
           config: ConfigOpt = None) -> None:
    """Who is on call now (or at --at) in each rotation, and whom the default chain pages."""
    settings = settings_or_exit(config).alerting.oncall
    when = parse_local(at) if at else time.time()
    people = {p.name: p for p in settings.people}
    rows = [[rotation, name, people[name].email, people[name].phone or ""]
            for rotation, name in on_call_now(settings, when).items()]
    _output(("rotation", "on call", "e-mail", "phone"), rows, f"on call at {local(when)} "
            "(UTC+7)")
    if not settings.rotations:
        console.print("no rotations configured")
    if settings.default_chain is None:
        console.print("no default chain configured")
        return
    chain = settings.chain(settings.default_chain)
    console.print(f"default chain {chain.name}:", markup=False, highlight=False)
    for index, level in enumerate(chain.levels):
        console.print(f"  level {index}: {', '.join(level.notify)} → "
                      f"{', '.join(recipients(level, settings, when))}",
                      markup=False, highlight=False, soft_wrap=True)
