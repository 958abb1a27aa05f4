"""The running NOC: inventory, poller, state, and the web server, in one asyncio loop.

Data flows one way: catalog -> scheduler -> SNMP collector -> state ->
(metrics, API, dashboard). :class:`Runtime` owns each part and stops them in
reverse order.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from functools import partial

from pydantic import SecretStr

from collectors.base import DeviceFacts
from collectors.icmp import FpingNotFoundError
from collectors.snmp.client import SnmpClient, SnmpTarget
from collectors.snmp.collector import SnmpCollector
from collectors.snmp.discovery import discover
from collectors.snmp.v3 import V3Credentials
from inventory.catalog import Catalog, CatDevice, load_catalog
from inventory.discovery import answered, record_facts
from noc.alerting.runner import Alerting
from noc.alerting.view import AlertsBackend
from noc.db import init_schema, make_engine, session_factory
from noc.engines import EngineWatch
from noc.history import HistoryRecorder, utc
from noc.icmp_monitor import IcmpMonitor
from noc.influx.export import InfluxExport
from noc.metrics import Snapshot
from noc.overview import Overview, build_overview
from noc.prometheus_query import PrometheusReader
from noc.scheduler import Scheduler, in_shard
from noc.settings import CredentialProfile, Settings
from noc.ssh_job import SshJob
from noc.state import State
from noc.status import AgencyStatus, LinkLoad, agency_statuses, link_loads
from noc.timeseries import SeriesStore
from noc.timeseries_feed import feed_facts, feed_icmp, feed_poll
from noc.timeseries_task import run_series, save_quietly

log = logging.getLogger(__name__)
# health and inventory modules of the facts job (interfaces come from the main poll)
FACT_MODULES = ("entity", "hostres", "ucd", "sensors", "cisco", "juniper", "huawei", "h3c",
                "lldp", "cdp")


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


def snmp_target(dev: CatDevice, profile: CredentialProfile, settings: Settings) -> SnmpTarget:
    """The SNMP target of a device from its credentials profile and the poll settings."""
    poll = settings.poll
    if profile.snmp_version == "3" and profile.v3 is not None:
        v3 = profile.v3
        creds = V3Credentials(v3.user, v3.auth_protocol, _secret(v3.auth_key),
                              v3.priv_protocol, _secret(v3.priv_key))
        return SnmpTarget(dev.address or "", dev.port, "3", v3=creds, timeout=poll.timeout,
                          retries=poll.retries, max_repetitions=poll.max_repetitions)
    return SnmpTarget(dev.address or "", dev.port, profile.snmp_version,
                      community=_secret(profile.community).encode(), timeout=poll.timeout,
                      retries=poll.retries, max_repetitions=poll.max_repetitions)


class Runtime:
    """Everything `noc run` runs, minus the HTTP server (see :mod:`noc.app`)."""

    def __init__(self, settings: Settings, profiles: dict[str, CredentialProfile] | None = None,
                 lab: bool = False) -> None:
        self.settings = settings
        self.lab = lab
        self.profiles = dict(settings.credentials) | (profiles or {})
        self.engine = make_engine(settings.db_url)
        init_schema(self.engine)
        self.sessions = session_factory(self.engine)
        self.catalog = Catalog()
        self.state = State(settings.poll.down_after_failures)
        self.client = SnmpClient()
        self.collector = SnmpCollector(self.client, settings.poll.deadline)
        self.scheduler = Scheduler(self._poll, settings.poll.interval, settings.poll.concurrency)
        self.facts_scheduler = Scheduler(self._poll_facts, settings.poll.facts_interval,
                                         max(1, settings.poll.concurrency // 4))
        self._targets: dict[str, SnmpTarget] = {}
        self._task: asyncio.Task[None] | None = None
        self.engines = EngineWatch()
        self._engine_task: asyncio.Task[None] | None = None
        self._facts_task: asyncio.Task[None] | None = None
        self.icmp = self._icmp_monitor()
        self._icmp_task: asyncio.Task[None] | None = None
        self.series = SeriesStore.for_interval(settings.poll.interval,
                                               max_series=settings.charts.max_series)
        self.series_path = settings.data_dir / "series.bin"
        self._series_task: asyncio.Task[None] | None = None
        self.prometheus = (PrometheusReader(settings.charts.prometheus_url,
                                            settings.charts.prometheus_timeout)
                           if settings.charts.prometheus_url else None)
        if self.icmp is not None:
            self.icmp.on_sample = partial(feed_icmp, self.series)
        self.history = HistoryRecorder(self.sessions)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reload_pending = False
        self._background: set[asyncio.Task[None]] = set()
        self._history_task: asyncio.Task[None] | None = None
        self._overview: tuple[float, Overview] | None = None
        self.started_at = time.time()
        self.influx = InfluxExport.from_settings(settings)  # None: export off
        self.ssh = SshJob(settings, self.state, self.sessions, self.profiles,
                          feed=self.influx.feed if self.influx is not None else None)
        self.alerting = Alerting(self) if settings.alerting.enabled else None

    @property
    def alerts(self) -> AlertsBackend | None:
        """The alerting service as the pages see it (None: alerting off)."""
        return self.alerting.service if self.alerting is not None else None

    def _icmp_monitor(self) -> IcmpMonitor | None:
        if not self.settings.icmp.enabled:
            return None
        try:
            return IcmpMonitor(self.settings.icmp, self.state, on_change=self.repoll)
        except FpingNotFoundError as exc:
            log.error("ICMP reachability off: %s", exc)
            return None

    def repoll(self, names: list[str]) -> None:
        """Poll these devices now (their reachability changed, a trap came, or alerting asks)."""
        self.scheduler.poll_now(names)
        self.ssh.poll_now(names)

    def reload_inventory(self) -> None:
        """Re-read the inventory and tell the scheduler which devices to poll."""
        with self.sessions() as session:
            self._apply_catalog(load_catalog(session))

    def inventory_changed(self) -> None:
        """The inventory was written (API, import): reload it soon, from any thread.

        Bursts of writes coalesce into one reload half a second after the
        first; the database is read in a worker thread, the scheduler updated
        on the event loop.
        """
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._schedule_reload)

    def _schedule_reload(self) -> None:
        if self._reload_pending:
            return
        self._reload_pending = True

        async def reload() -> None:
            await asyncio.sleep(0.5)
            self._reload_pending = False
            try:
                catalog = await asyncio.to_thread(self._read_catalog)
            except Exception:
                log.exception("inventory reload failed; keeping the previous one")
                return
            self._apply_catalog(catalog)

        self._background.add(task := asyncio.create_task(reload(), name="reload"))
        task.add_done_callback(self._background.discard)

    def _read_catalog(self) -> Catalog:
        with self.sessions() as session:
            return load_catalog(session)

    def _apply_catalog(self, catalog: Catalog) -> None:
        self.catalog = catalog
        index, total = self.settings.shard_index_total
        targets = {}
        for dev in self.catalog.devices.values():
            if not dev.snmp_polled or not in_shard(dev.name, index, total):
                continue
            profile = self.profiles.get(dev.credentials or "")
            if profile is None or not profile.has_snmp:
                log.warning("device %s: credentials profile %r %s, not polled over SNMP",
                            dev.name, dev.credentials,
                            "is unknown" if profile is None else "has no SNMP credentials")
                continue
            targets[dev.name] = snmp_target(dev, profile, self.settings)
        self._targets = targets
        self.scheduler.set_devices(targets)
        self.facts_scheduler.set_devices(targets)
        watched = set(targets)
        if self.icmp is not None:
            self.icmp.set_devices(d for d in self.catalog.devices.values()
                                  if in_shard(d.name, index, total))
            watched |= self.icmp.watched
        self.ssh.set_devices(self.catalog.devices.values())  # applies the shard itself
        watched |= self.ssh.watched
        self.state.forget(watched)
        log.info("polling %d devices every %g s", len(targets), self.settings.poll.interval)

    async def start(self) -> None:
        """Open the SNMP socket, load the inventory and start the scheduler."""
        self._loop = asyncio.get_running_loop()
        await self.client.open()
        await asyncio.to_thread(self.series.load, self.series_path)
        if self.influx is not None:
            await self.influx.start()
        self.reload_inventory()
        self._task = asyncio.create_task(self.scheduler.run(), name="scheduler")
        self._engine_task = asyncio.create_task(self.engines.run(lambda: self._targets),
                                                name="engines")
        self._facts_task = asyncio.create_task(self.facts_scheduler.run(), name="facts")
        if self.settings.ssh.enabled:
            await self.ssh.start()
        if self.icmp is not None:
            self._icmp_task = asyncio.create_task(self.icmp.run(), name="icmp")
        self._series_task = asyncio.create_task(run_series(
            self.series, self.series_path, self._series_views, self.series.raw_step,
            self.settings.charts.save_interval), name="series")
        self._history_task = asyncio.create_task(self.history.run(
            self.state.drain_changes, lambda: self.overview().agencies, time.time,
            self._answering), name="history")
        if self.alerting is not None:
            await self.alerting.start()

    async def stop(self) -> None:
        """Stop polling and close the socket."""
        tasks = [t for t in (self._task, self._engine_task, self._facts_task,
                             self._icmp_task, self._history_task, self._series_task,
                             *self._background)
                 if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.alerting is not None:
            try:
                await self.alerting.stop()
            except Exception:
                log.exception("alerting did not stop cleanly")
        await self.ssh.stop()
        await save_quietly(self.series, self.series_path)
        if self.prometheus is not None:
            await self.prometheus.aclose()
        self.history.note_devices(self.state.drain_changes())
        try:
            await asyncio.to_thread(self.history.flush)
        except Exception:
            log.exception("status history not written at stop")
        await self.client.close()
        if self.influx is not None:
            await self.influx.stop()
        self.engine.dispose()

    async def _poll(self, name: str) -> None:
        target = self._targets.get(name)
        if target is None:
            return
        self.state.apply(await self.collector.collect(name, target))
        feed_poll(self.series, self.catalog, self.state.device(name), time.time())
        if self.influx is not None:
            self.influx.feed(self.state.device(name), self.catalog.devices.get(name))
        self._overview = None

    async def _poll_facts(self, name: str) -> None:
        target = self._targets.get(name)
        state = self.state.devices().get(name)
        if target is None or (state is not None and state.up is False):
            return  # a device that does not answer its poll gets no extra load
        started = time.time()
        facts = await discover(self.client, target, FACT_MODULES, self.settings.poll.deadline)
        self.state.apply_facts(name, facts, started)
        feed_facts(self.series, name, facts, started)
        if answered(facts):
            try:
                await asyncio.to_thread(self._record_facts, name, facts, started)
            except Exception:
                log.exception("device %s: discovered facts not stored", name)

    def _record_facts(self, name: str, facts: DeviceFacts, at: float) -> None:
        with self.sessions.begin() as session:
            record_facts(session, name, facts, utc(at))

    def _series_views(self) -> tuple[list[AgencyStatus], list[LinkLoad]]:
        devices = self.state.devices()
        return agency_statuses(self.catalog, devices), link_loads(self.catalog, devices)

    def _answering(self) -> list[str]:
        """Devices that answered their last poll or ICMP cycle (for 'last seen')."""
        return [n for n, d in self.state.devices().items() if d.up or d.icmp_up]

    def overview(self) -> Overview:
        """The current overview (recomputed at most once a second)."""
        now = time.monotonic()
        if self._overview is None or now - self._overview[0] > 1.0:
            ov = build_overview(self.catalog, self.state.devices(), self.scheduler.stats,
                                self.scheduler.interval, self.lab, list(self.state.events))
            self._overview = (now, ov)
        return self._overview[1]

    def snapshot(self) -> Snapshot:
        """What a Prometheus scrape reads."""
        devices = self.state.devices()
        client = {k: int(v) for k, v in dataclasses.asdict(self.client.stats).items()}
        return Snapshot(self.catalog, devices, agency_statuses(self.catalog, devices),
                        self.scheduler.stats, client, self.engines.summary(),
                        self.influx.stats() if self.influx is not None else None,
                        self.icmp.stats if self.icmp is not None else None,
                        self.ssh.stats() if self.settings.ssh.enabled else None,
                        self.alerting.metrics() if self.alerting is not None else None)
