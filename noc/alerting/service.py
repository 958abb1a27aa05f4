"""The alerting service: rules over the live state every second, incidents, pages.

One evaluation (:meth:`AlertService.evaluate`, on the event loop, no I/O):

1. conditions from the rules over the catalog and the device states, plus
   the conditions raised by traps;
2. the lifecycle (pending -> firing -> resolved, ``for:``, flap damping);
3. topology: suppression and incidents, parents before children;
4. maintenance windows and silences mark alerts *muted*;
5. paging: an incident pages once when its root fires, unless it is muted,
   milder than ``page_min_severity``, or an upstream device of it is still
   being checked (*settle*: what is behind a dying uplink must not page
   before the uplink does); a paged incident pages ``resolved`` once, and
   escalates until acknowledged.

Writes (alert state, history) go to the database in a worker thread after
the evaluation (:mod:`noc.alerting.service_store`); people's actions (ack,
silence, maintenance) are in :class:`noc.alerting.service_actions.AlertActions`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from collectors.traps import Trap
from inventory.catalog import Catalog
from noc.alerting.conditions import EvalContext, evaluate
from noc.alerting.escalation import Escalator
from noc.alerting.incidents import assign, title_vi
from noc.alerting.lifecycle import Lifecycle, Transition
from noc.alerting.link_traps import LinkTraps
from noc.alerting.maintenance import MaintenanceIndex
from noc.alerting.model import (
    Alert,
    AlertEvent,
    AlertState,
    Condition,
    Incident,
    Maintenance,
    Silence,
    severity_rank,
)
from noc.alerting.notify import Dispatcher, build_dispatcher
from noc.alerting.oncall import route
from noc.alerting.paging import annotations_of, firing, resolved
from noc.alerting.rules import EffectiveRule, RuleSet
from noc.alerting.service_actions import AlertActions
from noc.alerting.service_store import ESCALATION_KEY, AlertPersistence, signature
from noc.alerting.settings import AlertingSettings
from noc.alerting.settle import ancestors, suspect
from noc.alerting.store import AlertStore
from noc.alerting.topology import Topology
from noc.alerting.traps import TrapBook
from noc.state import DeviceState

log = logging.getLogger(__name__)
TOPOLOGY_REFRESH = 300.0  # seconds: LLDP neighbours change slowly
ACTIONS_RELOAD = 30.0  # seconds between re-reads of windows and silences


@dataclass(slots=True)
class AlertingStats:
    """Self-monitoring of the alerting service (for /metrics)."""

    evaluations: int = 0
    last_duration: float = 0.0
    last_evaluation: float = 0.0
    pages: int = 0
    resolves: int = 0
    repeats: int = 0
    deferred: int = 0  # pages held while an upstream device was checked
    errors: int = 0
    store_errors: int = 0
    by_state: dict[str, int] = field(default_factory=dict)


class AlertService(AlertActions, AlertPersistence):
    """Evaluates, persists and pages; the dashboard's :class:`AlertsBackend`."""

    def __init__(self, settings: AlertingSettings, sessions: sessionmaker[Session], *,
                 catalog: Callable[[], Catalog],
                 devices: Callable[[], dict[str, DeviceState]],
                 context: Callable[[float], EvalContext],
                 repoll: Callable[[list[str]], None],
                 poll_interval: float = 60.0, external_url: str = "",
                 dispatcher: Dispatcher | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.store = AlertStore(sessions)
        self.rules = RuleSet(settings.rules)
        self.lifecycle = Lifecycle()
        self.dispatcher = dispatcher or build_dispatcher(settings.notify)
        self.escalator = Escalator(settings.oncall)
        self.catalog = catalog
        self.devices = devices
        self.context = context
        self.repoll = repoll
        self.clock = clock
        self.url = (external_url or settings.notify.external_url).rstrip("/")
        self.traps = TrapBook(settings.traps, self._device_by_address, self._link_changed)
        self.link_traps = LinkTraps()
        self.stats = AlertingStats()
        self.trap_drops_source: Callable[[], int] = lambda: 0
        self.incidents: list[Incident] = []
        self.windows: list[Maintenance] = []
        self.silence_list: list[Silence] = []
        self._index: MaintenanceIndex | None = None
        self._topology: tuple[Catalog, float, Topology] | None = None
        self._addresses: tuple[Catalog, dict[str, str]] | None = None
        self._saved: dict[str, tuple[object, ...]] = {}
        self._events: list[AlertEvent] = []
        self._deferred: dict[str, float] = {}  # root fingerprint -> first deferred at
        self._recovering: dict[str, float] = {}  # member of a resolved incident -> held until
        self._reloaded = time.monotonic()
        self._poll_interval = poll_interval
        self._last_full_save = 0.0
        self._writer: asyncio.Task[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._paged: dict[str, Alert] = {}  # alerts that paged "firing" and are still active
        self._refresh: set[str] = set()

    # ------------------------------------------------------------------ lifecycle of the service

    async def start(self) -> None:
        """Restore the alerts, windows, silences and escalation; start paging."""
        self._loop = asyncio.get_running_loop()
        alerts = await asyncio.to_thread(self.store.load_active)
        grace = self.settings.startup_grace or 1.5 * self._poll_interval
        self.lifecycle.restore(alerts, hold_until=self.clock() + grace)
        self._saved = {a.fingerprint: signature(a) for a in alerts}
        self._paged = {a.fingerprint: a for a in alerts if a.notified}
        self._refresh = set(self._paged)  # re-announced to Alertmanager at the first evaluation
        await self.reload_actions()
        state = await asyncio.to_thread(self.store.get_meta, ESCALATION_KEY)
        if state:
            self.escalator.restore(json.loads(state))
        self.dispatcher.set_alive(self._evaluating)
        await self.dispatcher.start()
        self._task = asyncio.create_task(self.run(), name="alerting")
        log.info("alerting: %d active alerts restored (%d paged)", len(alerts),
                 sum(1 for a in alerts if a.notified))

    async def stop(self) -> None:
        """Stop evaluating; write what is pending; stop the notifiers."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)
        await self._write(force=True)
        await self.dispatcher.stop()

    def _evaluating(self) -> bool:
        """Whether rules were evaluated lately (else the heartbeats stop: dead man's switch)."""
        return self.clock() - self.stats.last_evaluation < max(10.0, 5 * self.settings.interval)

    def wake(self) -> None:
        """Evaluate soon (a trap or a fresh poll result arrived)."""
        self._wake.set()

    async def run(self) -> None:
        """Evaluate every ``interval`` seconds (sooner when woken)."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.interval)
            self._wake.clear()
            try:
                self.evaluate(self.clock())
            except Exception:
                self.stats.errors += 1
                log.exception("alert evaluation failed")
            if self._writer is None or self._writer.done():
                self._writer = asyncio.create_task(self._write(), name="alerting-store")
            await self._reload_now_and_then()

    async def _reload_now_and_then(self) -> None:
        """Re-read windows and silences every ``ACTIONS_RELOAD`` s (the CLI writes them too)."""
        now = time.monotonic()
        if now - self._reloaded < ACTIONS_RELOAD:
            return
        self._reloaded = now
        try:
            await self.reload_actions()
        except Exception:
            self.stats.store_errors += 1
            log.exception("maintenance windows and silences not re-read")

    # ------------------------------------------------------------------ one evaluation

    def evaluate(self, now: float) -> list[Incident]:
        """One evaluation; returns the active incidents."""
        started = time.perf_counter()
        catalog = self.catalog()
        devices = self.devices()
        topo = self._topo(catalog, devices, now)
        conditions = evaluate(catalog, devices, self.context(now), self.rules)
        conditions.extend(self.traps.conditions(now))
        conditions.extend(self.link_traps.conditions(catalog, devices, topo, self.rules))
        transitions = self.lifecycle.update(conditions, now, self._effective)
        active = self.lifecycle.active()
        previous = {i.id: i for i in self.incidents}
        self.incidents = assign(active, topo, catalog)
        for incident in self.incidents:
            incident.title_vi = title_vi(incident, catalog)
        self._mute(active, catalog, topo, now)
        self._record(transitions)
        self._page(catalog, topo, devices, transitions, now, previous)
        self._escalate(catalog, now)
        self._refresh.clear()
        self.stats.evaluations += 1
        self.stats.last_evaluation = now
        self.stats.last_duration = time.perf_counter() - started
        counts: dict[str, int] = {}
        for alert in active:
            key = "suppressed" if alert.suppressed_by else alert.state.value
            counts[key] = counts.get(key, 0) + 1
        self.stats.by_state = counts
        return self.incidents

    def _effective(self, condition: Condition) -> EffectiveRule:
        catalog = self.catalog()
        device = catalog.devices.get(condition.device or "")
        agency = catalog.agencies.get(condition.agency or (device.agency if device else ""))
        return self.rules.effective(condition.rule, device, agency)

    def _topo(self, catalog: Catalog, devices: dict[str, DeviceState], now: float) -> Topology:
        cached = self._topology
        if cached is None or cached[0] is not catalog or now - cached[1] > TOPOLOGY_REFRESH:
            neighbors = {name: d.facts.neighbors for name, d in devices.items()
                         if d.facts is not None and d.facts.neighbors}
            topo = Topology.build(catalog, neighbors)
            self._topology = (catalog, now, topo)
            self._index = None
            return topo
        return cached[2]

    def _mute(self, alerts: list[Alert], catalog: Catalog, topo: Topology, now: float) -> None:
        if self._index is None:
            self._index = MaintenanceIndex(self.windows, catalog, topo.behind)
        silences = [s for s in self.silence_list if s.ends_at > now]
        for alert in alerts:
            window = self._index.covering(alert, now)
            muted = f"maintenance:{window.id}" if window is not None else ""
            if not muted:
                hit = next((s for s in silences if s.matches(alert)), None)
                muted = f"silence:{hit.id}" if hit is not None else ""
            alert.muted = muted

    def _record(self, transitions: list[Transition]) -> None:
        for tr in transitions:
            if tr.was_pending:
                continue
            self._events.append(AlertEvent(tr.at, tr.fingerprint, tr.new.value,
                                           rule=tr.rule, subject=tr.subject))

    # ------------------------------------------------------------------ paging

    def _recover(self, incident: Incident | None, now: float) -> None:
        """The root cause is gone: what it suppressed gets ``settle`` seconds to recover.

        Without this, a healed uplink would page once more for every device
        behind it that the next ICMP cycle or poll has not yet seen again.
        """
        if incident is None or not incident.members:
            return
        hold = now + max(self.settings.settle, 1.0)
        for member in incident.members:
            self._recovering[member.fingerprint] = hold
        self.repoll(sorted({m.device for m in incident.members if m.device}))

    def _pages(self, incident: Incident) -> bool:
        """Whether ``incident`` is severe enough to page (its worst alert counts)."""
        return severity_rank(incident.severity) <= severity_rank(self.settings.page_min_severity)

    def _page(self, catalog: Catalog, topo: Topology, devices: dict[str, DeviceState],
              transitions: list[Transition], now: float,
              previous: dict[str, Incident]) -> None:
        for tr in transitions:  # resolved roots that paged: say it is over, once
            if tr.new is AlertState.RESOLVED and tr.fingerprint in self._paged:
                root = self._paged.pop(tr.fingerprint)
                last = previous.get(root.fingerprint)  # as it stood: the same title and agencies
                notes = (annotations_of(last, catalog, last.title_vi)
                         if last is not None else None)
                self.dispatcher.submit(resolved(root, tr.at, self._link(root.fingerprint),
                                                notes))
                self.escalator.close(root.fingerprint)
                self.stats.resolves += 1
                self._events.append(AlertEvent(tr.at, root.fingerprint, "notified_resolved",
                                               rule=root.rule, subject=root.subject))
                self._recover(previous.get(root.fingerprint), now)
        self._recovering = {fp: t for fp, t in self._recovering.items() if t > now}
        waiting = {i.root.fingerprint for i in self.incidents if not i.root.notified}
        for fp in [fp for fp in self._deferred if fp not in waiting]:
            del self._deferred[fp]  # paged, resolved or now behind another root: settle afresh
        for incident in self.incidents:
            root = incident.root
            if root.notified:
                if root.fingerprint in self._refresh:
                    self.dispatcher.submit(firing(incident, catalog, incident.title_vi,
                                                  self._link(incident.id), refresh=True))
                continue
            if root.state is not AlertState.FIRING or root.muted or not self._pages(incident):
                continue
            if root.fingerprint in self._recovering or self._settling(root, topo, devices, now):
                continue
            self._deferred.pop(root.fingerprint, None)
            chain = self._chain(catalog, root, incident.severity)
            page = self.escalator.open(incident.id, chain, now)
            recipients = page.recipients if page is not None else ()
            self.dispatcher.submit(firing(incident, catalog, incident.title_vi,
                                          self._link(incident.id), recipients))
            root.notified = True
            self._paged[root.fingerprint] = root
            self.stats.pages += 1
            self._events.append(AlertEvent(now, root.fingerprint, "notified",
                                           note=incident.title, rule=root.rule,
                                           subject=root.subject))

    def _chain(self, catalog: Catalog, root: Alert, severity: str):  # type: ignore[no-untyped-def]
        agency = catalog.agencies.get(root.agency or "")
        if agency is None and root.device in catalog.devices:
            agency = catalog.agencies.get(catalog.devices[root.device].agency)
        return route(self.settings.oncall, agency, catalog.agencies, severity)

    def _link(self, incident: str) -> str:
        return f"{self.url}/alerts#i-{incident}" if self.url else ""

    def _settling(self, root: Alert, topo: Topology, devices: dict[str, DeviceState],
                  now: float) -> bool:
        """Whether an upstream device of ``root`` may be failing too (then wait for it)."""
        start = root.labels.get("a_device") if root.rule == "link_down" else root.device
        if not start or self.settings.settle <= 0:
            return False
        suspects = [name for name in ancestors(topo, start, include_self=root.rule == "link_down")
                    if suspect(devices.get(name))]
        if not suspects:
            return False
        first = self._deferred.setdefault(root.fingerprint, now)
        if first == now:
            self.stats.deferred += 1
            self.repoll(suspects)
        return now - first < self.settings.settle

    def _escalate(self, catalog: Catalog, now: float) -> None:
        by_id = {i.id: i for i in self.incidents}
        for page in self.escalator.due(now):
            incident = by_id.get(page.incident)
            if incident is None or incident.acked or incident.root.muted:
                continue  # a muted incident's repeats are skipped, not queued
            self.dispatcher.submit(firing(incident, catalog, incident.title_vi,
                                          self._link(incident.id), page.recipients,
                                          page.level, repeat=page.repeat))
            self.stats.repeats += 1
            self._events.append(AlertEvent(now, incident.id, "escalated",
                                           note=f"level {page.level + 1}",
                                           rule=incident.root.rule,
                                           subject=incident.root.subject))

    # ------------------------------------------------------------------ traps

    def _device_by_address(self, address: str) -> str | None:
        catalog = self.catalog()
        cached = self._addresses
        if cached is None or cached[0] is not catalog:
            table = {d.address: d.name for d in catalog.devices.values() if d.address}
            self._addresses = cached = (catalog, table)
        return cached[1].get(address)

    def receive_trap(self, trap: Trap) -> None:
        """A trap from the receiver: kept for the page, raises alerts, may re-poll its sender."""
        self.traps.add(trap)
        self.link_traps.note(trap, self.traps.device_of(trap))
        self.wake()

    def _link_changed(self, device: str, if_index: int | None) -> None:
        self.repoll([device])
        self.wake()
