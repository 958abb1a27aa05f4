"""The runtime's SSH job: facts of SSH-monitored devices and scheduled configuration backups.

Two schedulers share one :class:`~collectors.ssh.SshPool` (``ssh.workers``
sessions at once, each limited to ``ssh.timeout`` seconds):

* **facts**, every ``ssh.interval``, for active devices with ``monitoring:
  ssh``, an address, a platform in :data:`FACT_PLATFORMS` and a credentials
  profile with ``ssh_username``. For these devices the SSH answer *is* their
  up/down status: each run goes into :meth:`State.apply` (up, uptime, error)
  and :meth:`State.apply_facts` (memory, disks, load), so they show in the
  same state, ``/metrics`` families and InfluxDB points as SNMP devices.
* **backups**, every ``ssh.config_interval``, for active devices (monitoring
  other than ``none``) whose platform has a command in
  :data:`~noc.configs.backup.CONFIG_COMMANDS` and whose profile has
  ``ssh_username``. A new version after the first raises a ``config_changed``
  event; its masked diff is kept in :attr:`SshJob.last_changes`.

Host keys are checked against ``DATA_DIR/ssh/known_hosts``: a device never
trusted is *down* with a message telling the operator to run ``noc ssh trust
DEVICE``. Error texts come from the SSH collector (built without secrets) and
are redacted once more against the device's own secrets before they reach the
state, the log or :attr:`SshJob.errors`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from collectors.base import ModuleStats, PollResult, SystemInfo
from collectors.ssh import (
    SshPool,
    SshTarget,
    SshTimeoutError,
)
from inventory.catalog import CatDevice
from noc.configs.backup import CONFIG_COMMANDS, ConfigChange, backup_device
from noc.configs.store import ConfigStore
from noc.scheduler import Scheduler, in_shard
from noc.settings import CredentialProfile, Settings
from noc.ssh_collect import (
    FACT_PLATFORMS,
    UNAME,
    Collected,
    collect_facts,
    error_text,
    failure_kind,
    known_hosts,
    ssh_credentials,
    ssh_target,
)
from noc.state import DeviceState, Event, State

__all__ = ["FACT_PLATFORMS", "UNAME", "Collected", "SshJob", "SshJobStats", "collect_facts",
           "error_text", "known_hosts", "ssh_credentials", "ssh_target"]


log = logging.getLogger(__name__)

Feed = Callable[[DeviceState, CatDevice | None], None]


@dataclass(slots=True)
class SshJobStats:
    """The SSH job's self-monitoring (totals since start; ``versions`` by device)."""

    facts_devices: int = 0
    backup_devices: int = 0
    sessions_ok: int = 0
    sessions_failed: int = 0
    failures: dict[str, int] = field(default_factory=dict)  # by kind: auth, timeout...
    backups_ok: int = 0  # fetched (changed or not)
    backups_failed: int = 0
    versions_stored: int = 0
    config_changes: int = 0  # new versions after the first
    last_facts_duration: float = 0.0
    last_backup_duration: float = 0.0
    versions: dict[str, int] = field(default_factory=dict)  # newest revision stored by device


class SshJob:
    """Facts and configuration backups over SSH, scheduled, into the shared state."""

    def __init__(self, settings: Settings, state: State, sessions: sessionmaker[Session],
                 profiles: dict[str, CredentialProfile], *, feed: Feed | None = None,
                 pool: SshPool | None = None) -> None:
        ssh = settings.ssh
        self.settings, self.state, self.profiles, self.feed = settings, state, profiles, feed
        self.pool = pool or SshPool(known_hosts(settings), max_workers=ssh.workers)
        self.store = ConfigStore(settings.data_dir / "configs", sessions)
        self.facts_scheduler = Scheduler(self.poll_facts, ssh.interval, ssh.workers)
        self.backup_scheduler = Scheduler(self._scheduled_backup, ssh.config_interval,
                                          ssh.workers)
        self.stop_grace = 5.0  # seconds stop() waits for aborted sessions to end
        self.last_changes: dict[str, ConfigChange] = {}
        self.errors: dict[str, str] = {}  # device -> why its last backup failed
        self._facts_errors: dict[str, str] = {}  # device -> last facts error (logged once)
        self._stats = SshJobStats()
        self._facts: dict[str, SshTarget] = {}
        self._backups: dict[str, SshTarget] = {}
        self._devices: dict[str, CatDevice] = {}
        self._warned: set[tuple[str, str]] = set()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def facts_targets(self) -> dict[str, SshTarget]:
        """The SSH-monitored devices, by name."""
        return dict(self._facts)

    @property
    def backup_targets(self) -> dict[str, SshTarget]:
        """The devices whose configuration is backed up, by name."""
        return dict(self._backups)

    @property
    def watched(self) -> set[str]:
        """Devices whose state this job keeps (the SSH-monitored ones)."""
        return set(self._facts)

    def _warn_once(self, name: str, problem: str, level: int = logging.WARNING) -> None:
        if (name, problem) not in self._warned:
            self._warned.add((name, problem))
            log.log(level, "device %s: %s", name, problem)

    def _profile(self, dev: CatDevice, needed: bool) -> CredentialProfile | None:
        """The device's profile if it has an SSH login; warn once (info if only optional)."""
        profile = self.profiles.get(dev.credentials or "")
        if profile is None:
            self._warn_once(dev.name, f"credentials profile {dev.credentials!r} is unknown, "
                            "not collected over SSH")
        elif not profile.ssh_username:
            self._warn_once(dev.name, f"credentials profile {dev.credentials!r} has no "
                            "ssh_username, not collected over SSH",
                            logging.WARNING if needed else logging.INFO)
            return None
        return profile

    def poll_now(self, names: list[str]) -> None:
        """Collect the facts (and status) of these SSH-monitored devices now."""
        self.facts_scheduler.poll_now(names)

    def set_devices(self, devices: Iterable[CatDevice]) -> None:
        """Choose the facts and backup targets among ``devices`` (see the module docstring)."""
        index, total = self.settings.shard_index_total
        timeout = self.settings.ssh.timeout
        facts, backups, kept = {}, {}, {}
        for dev in devices:
            if (not self.settings.ssh.enabled or dev.status != "active" or not dev.address
                    or dev.monitoring == "none" or not in_shard(dev.name, index, total)):
                continue
            wants_facts = dev.monitoring == "ssh"
            if wants_facts and dev.platform not in FACT_PLATFORMS:
                self._warn_once(dev.name, f"monitoring ssh needs a platform among "
                                f"{', '.join(sorted(FACT_PLATFORMS))} (has {dev.platform!r})")
                wants_facts = False
            wants_backup = dev.platform in CONFIG_COMMANDS
            if not (wants_facts or wants_backup):
                continue
            profile = self._profile(dev, needed=dev.monitoring == "ssh")
            if profile is None:
                continue
            target = ssh_target(dev.name, dev.address, dev.platform, dev.ssh_port, profile,
                                timeout)
            kept[dev.name] = dev
            if wants_facts:
                facts[dev.name] = target
            if wants_backup:
                backups[dev.name] = target
        self._facts, self._backups, self._devices = facts, backups, kept
        self._stats.facts_devices, self._stats.backup_devices = len(facts), len(backups)
        self.facts_scheduler.set_devices(facts)
        self.backup_scheduler.set_devices(backups)
        log.info("SSH: facts of %d devices every %g s, backups of %d every %g s", len(facts),
                 self.settings.ssh.interval, len(backups), self.settings.ssh.config_interval)

    def _failed(self, name: str, target: SshTarget, exc: Exception,
                seen: dict[str, str], what: str) -> str:
        """Count and log a failed session (a new problem once, not every cycle); its text."""
        text = error_text(name, target, exc)
        kind = failure_kind(exc)
        self._stats.sessions_failed += 1
        self._stats.failures[kind] = self._stats.failures.get(kind, 0) + 1
        if seen.get(name) != text:
            log.warning("ssh %s of %s failed: %s", what, name, text)
        seen[name] = text
        return text

    async def poll_facts(self, name: str) -> None:
        """One facts session of an SSH-monitored device, into the state (up/down, facts)."""
        target = self._facts.get(name)
        if target is None:
            return
        started, clock = time.time(), time.monotonic()
        try:
            got = await collect_facts(self.pool, target)
        except Exception as exc:  # any failure is this device's status, never the job's
            duration = time.monotonic() - clock
            text = self._failed(name, target, exc, self._facts_errors, "facts")
            stats = ModuleStats(duration, timeouts=int(isinstance(exc, SshTimeoutError)),
                                error=text)
            self.state.apply(PollResult(name, False, started, duration, error=text,
                                        modules={"ssh": stats}))
        else:
            duration = time.monotonic() - clock
            self._stats.sessions_ok += 1
            self._facts_errors.pop(name, None)
            system = got.facts.system
            self.state.apply(PollResult(name, True, started, duration,
                                        system=SystemInfo(name=system.name, descr=system.descr,
                                                          uptime_ticks=system.uptime_ticks),
                                        modules={"ssh": ModuleStats(duration)}))
            self.state.apply_facts(name, got.facts, started)
        self._stats.last_facts_duration = duration
        if self.feed is not None:
            self.feed(self.state.device(name), self._devices.get(name))

    async def backup(self, name: str) -> ConfigChange | None:
        """Fetch and store one device's configuration; the change when a version was added."""
        target = self._backups.get(name)
        known = self.state.devices().get(name)
        if target is None or (known is not None and known.up is False):
            return None  # a device that does not answer gets no extra session
        at, clock = time.time(), time.monotonic()
        try:
            change = await backup_device(self.pool, target, self.store,
                                         datetime.fromtimestamp(at, UTC))
        except Exception as exc:  # SSH, refused output, storage: counted per device
            self._stats.backups_failed += 1
            self._failed(name, target, exc, self.errors, "config backup")
            return None
        finally:
            self._stats.last_backup_duration = time.monotonic() - clock
        self._stats.backups_ok += 1
        self._stats.sessions_ok += 1
        self.errors.pop(name, None)
        if change is not None:
            self._stored(name, change, at)
        return change

    async def _scheduled_backup(self, name: str) -> None:
        await self.backup(name)

    def _stored(self, name: str, change: ConfigChange, at: float) -> None:
        self._stats.versions_stored += 1
        self._stats.versions[name] = change.rev
        if change.first:
            log.info("config %s: first version stored", name)
            return
        self._stats.config_changes += 1
        self.last_changes[name] = change
        detail = f"+{change.lines_added} -{change.lines_removed} lines, rev {change.rev}"
        self.state.events.append(Event(at, name, "config_changed", detail))
        log.info("config %s changed: %s", name, detail)

    def stats(self) -> SshJobStats:
        """A copy of the self-monitoring figures (for ``/metrics``)."""
        s = self._stats
        return replace(s, failures=dict(s.failures), versions=dict(s.versions))

    async def start(self) -> None:
        """Start both schedulers (nothing when ``ssh.enabled`` is false)."""
        if not self.settings.ssh.enabled or self._tasks:
            return
        self._tasks = [asyncio.create_task(self.facts_scheduler.run(), name="ssh-facts"),
                       asyncio.create_task(self.backup_scheduler.run(), name="ssh-backups")]

    async def stop(self) -> None:
        """Cancel the schedulers (aborting running sessions) and close the pool."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.pool.close(wait=False)
        try:
            async with asyncio.timeout(self.stop_grace):
                await asyncio.to_thread(self.pool.close)
        except TimeoutError:
            log.warning("SSH sessions still running after %g s; not waiting for them",
                        self.stop_grace)
