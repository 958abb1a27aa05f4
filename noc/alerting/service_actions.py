"""People's side of the alerting service: what the pages read and the actions they take.

Actions come from web worker threads. Each one is written to the database
(with its audit event) in the calling thread first, so it is durable before
the page answers, then applied to the in-memory alerts on the event loop,
which owns them. Reads (:meth:`AlertActions.snapshot`) copy what they show.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from noc.alerting.model import Alert, AlertEvent, Incident, Maintenance, Silence
from noc.alerting.view import AlertsSnapshot

if TYPE_CHECKING:
    from inventory.catalog import Catalog
    from noc.alerting.escalation import Escalator
    from noc.alerting.lifecycle import Lifecycle
    from noc.alerting.maintenance import MaintenanceIndex
    from noc.alerting.notify import Dispatcher
    from noc.alerting.store import AlertStore
    from noc.alerting.traps import TrapBook

MAINTENANCE_KINDS = ("device", "site", "agency")
MAX_ACTION_SECONDS = 30 * 86400.0


class AlertActions:
    """Mixed into :class:`noc.alerting.service.AlertService`."""

    store: AlertStore
    lifecycle: Lifecycle
    escalator: Escalator
    dispatcher: Dispatcher
    traps: TrapBook
    catalog: Callable[[], Catalog]
    clock: Callable[[], float]
    incidents: list[Incident]
    windows: list[Maintenance]
    silence_list: list[Silence]
    _index: MaintenanceIndex | None
    trap_drops_source: Callable[[], int]
    _loop: asyncio.AbstractEventLoop | None

    # ------------------------------------------------------------------ reads

    def snapshot(self) -> AlertsSnapshot:
        """Copies of the current incidents, alerts, windows, silences and notifier health."""
        now = self.clock()
        copies: dict[str, Alert] = {a.fingerprint: copy.copy(a) for a in self.lifecycle.active()}
        incidents = []
        for inc in list(self.incidents):
            root = copies.get(inc.root.fingerprint)
            if root is None:
                continue
            members = [copies[m.fingerprint] for m in inc.members if m.fingerprint in copies]
            incidents.append(Incident(inc.id, root, members, inc.title,
                                      list(inc.affected_agencies), inc.affected_devices,
                                      list(inc.contacts), inc.title_vi))
        return AlertsSnapshot(
            at=now, incidents=incidents, alerts=list(copies.values()),
            maintenance=[m for m in self.windows if m.ends_at is None or m.ends_at > now],
            silences=[s for s in self.silence_list if s.ends_at > now],
            notifiers=self.dispatcher.health(), traps=self.traps.recent(),
            trap_drops=self.trap_drops_source())

    def history(self, limit: int = 200, fingerprint: str | None = None) -> list[AlertEvent]:
        """Alert history and actions, newest first (from the database)."""
        return self.store.history(limit=limit, fingerprint=fingerprint)

    # ------------------------------------------------------------------ actions

    def ack(self, fingerprint: str, actor: str, note: str) -> None:
        """Acknowledge an alert (for an incident: its root); stops its escalation."""
        alert = self.lifecycle.get(fingerprint)
        if alert is None:
            raise KeyError(fingerprint)
        now = self.clock()
        self.store.record([AlertEvent(now, fingerprint, "ack", actor, note[:500],
                                      alert.rule, alert.subject)])

        def apply() -> None:
            live = self.lifecycle.get(fingerprint)
            if live is not None:
                live.acked_by, live.acked_at, live.ack_note = actor, now, note[:500]
            self.escalator.ack(fingerprint)

        self._on_loop(apply)

    def silence(self, fingerprint: str, seconds: float, actor: str, note: str) -> Silence:
        """Hold notifications of one alert for ``seconds``."""
        alert = self.lifecycle.get(fingerprint)
        if alert is None:
            raise KeyError(fingerprint)
        _check_seconds(seconds)
        now = self.clock()
        made = self.store.add_silence(fingerprint=fingerprint, ends_at=now + seconds,
                                      created_by=actor, note=note[:500], now=now)
        self._on_loop(lambda: self._set_silences([*self.silence_list, made]))
        return made

    def unsilence(self, silence_id: int, actor: str) -> None:
        """End a silence now."""
        self.store.end_silence(silence_id, actor, self.clock())
        self._on_loop(lambda: self._set_silences(
            [s for s in self.silence_list if s.id != silence_id]))

    def start_maintenance(self, kind: str, target: str, seconds: float, actor: str,
                          note: str) -> Maintenance:
        """A maintenance window from now on a device, site or agency."""
        self._check_target(kind, target)
        _check_seconds(seconds)
        now = self.clock()
        made = self.store.add_maintenance(kind=kind, target=target, starts_at=now,
                                          ends_at=now + seconds, created_by=actor,
                                          note=note[:500], now=now)
        self._on_loop(lambda: self._set_windows([*self.windows, made]))
        return made

    def schedule_maintenance(self, kind: str, target: str, *, weekdays: tuple[int, ...],
                             start_time: str, duration: float, actor: str, note: str = "",
                             starts_at: float | None = None, ends_at: float | None = None,
                             timezone: str = "Asia/Ho_Chi_Minh") -> Maintenance:
        """A weekly window on a device, site or agency, from ``starts_at`` (default now)."""
        self._check_target(kind, target)
        now = self.clock()
        made = self.store.add_maintenance(kind, target, starts_at if starts_at is not None else now,
                                          ends_at, actor, note=note[:500], weekdays=weekdays,
                                          start_time=start_time, duration=duration,
                                          timezone=timezone, now=now)
        self._on_loop(lambda: self._set_windows([*self.windows, made]))
        return made

    def _check_target(self, kind: str, target: str) -> None:
        if kind not in MAINTENANCE_KINDS:
            raise ValueError(f"maintenance applies to a device, site or agency, not {kind!r}")
        if not _exists(self.catalog(), kind, target):
            raise ValueError(f"there is no {kind} {target!r} in the inventory")

    def end_maintenance(self, window_id: int, actor: str) -> None:
        """End a maintenance window now."""
        self.store.end_maintenance(window_id, actor, self.clock())
        self._on_loop(lambda: self._set_windows([w for w in self.windows if w.id != window_id]))

    async def reload_actions(self) -> None:
        """Read the windows and silences again (at start, or after another process wrote)."""
        now = self.clock()
        windows = await asyncio.to_thread(self.store.maintenance, now)
        silences = await asyncio.to_thread(self.store.silences, now)
        self._set_windows(windows)
        self._set_silences(silences)

    # ------------------------------------------------------------------ helpers

    def _set_windows(self, windows: list[Maintenance]) -> None:
        self.windows = windows
        self._index = None

    def _set_silences(self, silences: list[Silence]) -> None:
        self.silence_list = silences

    def _on_loop(self, fn: Callable[[], Any]) -> None:
        """Run ``fn`` on the service's event loop and wait for it (or now, if already there)."""
        loop = self._loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None

        def call() -> None:
            fn()
            wake = getattr(self, "wake", None)
            if wake is not None:
                wake()  # evaluate soon: the action changes what pages

        if loop is None or loop.is_closed() or running is loop:
            call()
            return

        async def on_loop() -> None:
            call()

        asyncio.run_coroutine_threadsafe(on_loop(), loop).result(timeout=10)


def _check_seconds(seconds: float) -> None:
    if not 0 < seconds <= MAX_ACTION_SECONDS:
        raise ValueError("duration must be between 1 second and 30 days")


def _exists(catalog: Catalog, kind: str, target: str) -> bool:
    if kind == "device":
        return target in catalog.devices
    if kind == "agency":
        return target in catalog.agencies
    return any(d.site == target for d in catalog.devices.values())
