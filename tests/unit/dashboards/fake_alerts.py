"""An in-memory alerting service for the alerting page tests (unit and browser).

:class:`FakeAlerts` implements :class:`~noc.alerting.view.AlertsBackend` over
lists and records the actions it receives; :func:`attach` makes it a
runtime's ``alerts``; :func:`add_users` adds an operator and a viewer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from fastapi.testclient import TestClient

from inventory.enums import Via
from noc.alerting.maintenance import check_window
from noc.alerting.model import (
    Alert,
    AlertEvent,
    AlertState,
    Contact,
    Incident,
    Maintenance,
    Silence,
)
from noc.alerting.view import AlertsSnapshot, NotifierHealth, TrapSummary
from noc.app import create_app
from noc.auth.roles import Role
from noc.auth.store import UserStore
from noc.runtime import Runtime

PASSWORD = "a good long password"
AM_ERROR = "POST http://127.0.0.1:9093/api/v2/alerts: connection refused"
ROOT_FP, MEMBER_FP, TEMP_FP, ACKED_FP, PENDING_FP = (
    "a1b2c3d4e5f60001", "a1b2c3d4e5f60002", "a1b2c3d4e5f60003", "a1b2c3d4e5f60004",
    "a1b2c3d4e5f60005")


def _alert(fp: str, rule: str, subject: str, severity: str, summary: str, ago: float,
           **more: Any) -> Alert:
    now = time.time()
    state = more.pop("state", AlertState.FIRING)
    return Alert(fp, rule, subject, severity, summary, state=state, active_since=now - ago - 60,
                 fired_at=None if state is AlertState.PENDING else now - ago, **more)


@dataclass
class FakeAlerts:
    """An in-memory alerting service with three incidents, windows, silences and traps."""

    notifier_ok: bool = False
    no_notifiers: bool = False  # alerting on, but no Alertmanager, webhook or e-mail configured
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    windows: list[Maintenance] = field(default_factory=list)
    silences: list[Silence] = field(default_factory=list)
    events: list[AlertEvent] = field(default_factory=list)

    def __post_init__(self) -> None:
        now = time.time()
        root = _alert(ROOT_FP, "device_unreachable", "q3-sw1", "critical",
                      "q3-sw1 không phản hồi ping và SNMP", 900, device="q3-sw1", agency="Q3",
                      notified=True)
        member = _alert(MEMBER_FP, "agency_down", "Q3-P01", "major",
                        "Phường 1 (Quận 3) mất kết nối", 880, agency="Q3-P01",
                        suppressed_by=ROOT_FP, incident=ROOT_FP)
        temp = _alert(TEMP_FP, "temperature_high", "q1-sw1/temp", "warning",
                      "q1-sw1 nhiệt độ 71 °C", 300, device="q1-sw1", agency="Q1",
                      muted="maintenance:7")
        acked = _alert(ACKED_FP, "link_errors", "dc-core-r1/1", "major",
                       "Lỗi CRC trên đường truyền dc-core-r1", 4000, device="dc-core-r1",
                       acked_by="olga", acked_at=now - 1200, ack_note="Đã gọi nhà mạng")
        pending = _alert(PENDING_FP, "cpu_high", "dc-core-r2", "warning", "CPU 93 %", 0,
                         device="dc-core-r2", state=AlertState.PENDING)
        self.alerts = [root, member, temp, acked, pending]
        self.incidents = [
            Incident(ROOT_FP, root, [member],
                     "Quận 3 mất kết nối: q3-sw1 không phản hồi, 5 phường bị ảnh hưởng",
                     ["Q3", "Q3-P01"], 7, [Contact("Q3", "Nguyễn Thị Hằng", "028 3930 0000",
                                                   "it@q3.example.vn")]),
            Incident(TEMP_FP, temp, [], "q1-sw1 quá nhiệt", ["Q1"]),
            Incident(ACKED_FP, acked, [], "Đường truyền dc-core-r1 nhiều lỗi", []),
        ]
        self.windows = [Maintenance(7, "device", "q1-sw1", now - 600, now + 6600, "olga",
                                    "Thay quạt"),
                        Maintenance(8, "agency", "Q1", now + 86400, now + 90000, "olga",
                                    "Nâng cấp phần mềm")]
        self.silences = [Silence(3, now + 3000, "olga", "Đang xử lý", fingerprint=ACKED_FP)]
        self.events = [AlertEvent(now - 900, ROOT_FP, "firing", rule="device_unreachable",
                                  subject="q3-sw1"),
                       AlertEvent(now - 1200, ACKED_FP, "ack", "olga", "Đã gọi nhà mạng",
                                  "link_errors", "dc-core-r1/1")]

    def snapshot(self) -> AlertsSnapshot:
        notifiers = [NotifierHealth("alertmanager", "alertmanager", self.notifier_ok, 12,
                                    3, 0 if self.notifier_ok else 3,
                                    "" if self.notifier_ok else AM_ERROR, time.time() - 500),
                     NotifierHealth("email", "email", True, 4)]
        if self.no_notifiers:
            notifiers = []
        traps = [TrapSummary(time.time() - 30, "127.0.3.1", "q3-sw1", "2c", "link_down",
                             "1.3.6.1.6.3.1.1.5.3", "linkDown ifIndex 2"),
                 TrapSummary(time.time() - 90, "127.0.9.9", None, "1", "unknown",
                             "1.3.6.1.4.1.99999.0.1", "enterprise trap from an unknown sender")]
        active = [a for a in self.alerts if a.active]
        return AlertsSnapshot(time.time(), list(self.incidents), active, list(self.windows),
                              list(self.silences), notifiers, traps, trap_drops=4)

    def history(self, limit: int = 200, fingerprint: str | None = None) -> list[AlertEvent]:
        self.calls.append(("history", limit, fingerprint))
        return [e for e in self.events if fingerprint in (None, e.fingerprint)][:limit]

    def _alert(self, fp: str) -> Alert:
        found = [a for a in self.alerts if a.fingerprint == fp]
        if not found:
            raise KeyError(fp)
        return found[0]

    def ack(self, fingerprint: str, actor: str, note: str) -> None:
        alert = self._alert(fingerprint)
        self.calls.append(("ack", fingerprint, actor, note))
        alert.acked_by, alert.acked_at, alert.ack_note = actor, time.time(), note
        self.events.insert(0, AlertEvent(time.time(), fingerprint, "ack", actor, note))

    def silence(self, fingerprint: str, seconds: float, actor: str, note: str) -> Silence:
        self._alert(fingerprint)
        self.calls.append(("silence", fingerprint, seconds, actor, note))
        made = Silence(len(self.silences) + 10, time.time() + seconds, actor, note,
                       fingerprint=fingerprint)
        self.silences.append(made)
        return made

    def unsilence(self, silence_id: int, actor: str) -> None:
        if silence_id not in {s.id for s in self.silences}:
            raise KeyError(silence_id)
        self.calls.append(("unsilence", silence_id, actor))
        self.silences = [s for s in self.silences if s.id != silence_id]

    def start_maintenance(self, kind: str, target: str, seconds: float, actor: str,
                          note: str) -> Maintenance:
        if target == "nope":
            raise ValueError(f"no {kind} called {target!r}")
        self.calls.append(("maintenance", kind, target, seconds, actor, note))
        made = Maintenance(len(self.windows) + 20, kind, target, time.time(),
                           time.time() + seconds, actor, note)
        self.windows.append(made)
        return made

    def schedule_maintenance(self, kind: str, target: str, *, weekdays: tuple[int, ...],
                             start_time: str, duration: float, actor: str, note: str = "",
                             starts_at: float | None = None, ends_at: float | None = None,
                             timezone: str = "Asia/Ho_Chi_Minh") -> Maintenance:
        """A weekly window, checked like the real service does (``nope``: unknown target)."""
        if target == "nope":
            raise ValueError(f"there is no {kind} {target!r} in the inventory")
        now = time.time()
        made = Maintenance(len(self.windows) + 20, kind, target,
                           now if starts_at is None else starts_at, ends_at, actor, note,
                           weekdays=weekdays, start_time=start_time, duration=duration,
                           timezone=timezone)
        check_window(made, now)
        self.calls.append(("schedule", kind, target, weekdays, start_time, duration, actor,
                           note, ends_at, timezone))
        self.windows.append(made)
        return made

    def end_maintenance(self, window_id: int, actor: str) -> None:
        if window_id not in {m.id for m in self.windows}:
            raise KeyError(window_id)
        self.calls.append(("end_maintenance", window_id, actor))
        self.windows = [m for m in self.windows if m.id != window_id]


def attach(runtime: Runtime, backend: FakeAlerts | None) -> None:
    """Make ``backend`` the runtime's alerting service (as ``runtime.alerts`` reads it)."""
    if isinstance(getattr(type(runtime), "alerts", None), property):
        runtime.alerting = None if backend is None else SimpleNamespace(  # type: ignore[assignment]
            service=backend)
    else:
        runtime.alerts = backend  # type: ignore[misc]


def add_users(runtime: Runtime) -> None:
    store = UserStore(runtime.sessions)
    for name, role in (("olga", Role.OPERATOR), ("vic", Role.VIEWER)):
        store.create(name, role, "test", Via.CLI)
        store.set_password(name, PASSWORD, "test", Via.CLI)


@contextmanager
def serving(runtime: Runtime) -> Iterator[tuple[FakeAlerts, TestClient]]:
    """A fresh fake backend attached to ``runtime``, and a client of the app over it."""
    backend = FakeAlerts()
    attach(runtime, backend)
    try:
        with TestClient(create_app(runtime), follow_redirects=False) as client:
            yield backend, client
    finally:
        attach(runtime, None)
