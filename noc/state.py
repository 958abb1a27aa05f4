"""Live state: the latest poll of every device, up/down transitions and rates.

The scheduler feeds :meth:`State.apply` one :class:`PollResult` at a time (in
the event loop, so no locking). Readers (metrics, API, dashboard) take
:meth:`State.devices` and get the same objects; they must not mutate them.
"""

from __future__ import annotations

from array import array
from collections import deque
from dataclasses import dataclass, field

from collectors.base import DeviceFacts, InterfaceSample, ModuleStats, PollResult, SystemInfo
from collectors.icmp.parse import IcmpSample
from noc.counterset import CounterSet
from noc.rates import CounterReading, counter_rate

_OCTETS = ("in_octets", "out_octets")
_RATED = ("in_octets", "out_octets", "in_ucast_pkts", "out_ucast_pkts", "in_errors",
          "out_errors", "in_discards", "out_discards")
MAX_PENDING_CHANGES = 100_000  # bound if nobody drains (no recorder running)
EVENT_HISTORY = 500


_NAN = float("nan")
_NO_RATES = array("d", [_NAN] * len(_RATED))


@dataclass(slots=True)
class InterfaceState:
    """Latest values of one interface, with per-second rates of its counters.

    Rates are kept in a compact float array (NaN: unknown), in :data:`_RATED`
    order: a city fleet has hundreds of thousands of interfaces.
    """

    sample: InterfaceSample  # the latest row; its counters are the next rate's start
    read_at: float | None = None  # when ``sample`` was read (None: no usable readings)
    read_uptime: int | None = None  # sysUpTime then
    oper_since: float | None = None  # when the NOC saw ifOperStatus change (None: not seen)
    _rates: array[float] = field(default_factory=lambda: _NO_RATES)

    @property
    def rates(self) -> dict[str, float]:
        """Known per-second rates by counter name."""
        return {name: r for name, r in zip(_RATED, self._rates, strict=True) if r == r}

    @rates.setter
    def rates(self, values: dict[str, float]) -> None:
        self._rates = array("d", (values.get(name, _NAN) for name in _RATED))

    def rate(self, name: str) -> float | None:
        """One counter's per-second rate, if known."""
        value = self._rates[_RATED.index(name)]
        return None if value != value else value

    @property
    def in_bps(self) -> float | None:
        """Inbound bit/s, if known."""
        value = self._rates[0]
        return None if value != value else value * 8

    @property
    def out_bps(self) -> float | None:
        """Outbound bit/s, if known."""
        value = self._rates[1]
        return None if value != value else value * 8

    def utilization(self) -> float | None:
        """Max of in/out over speed, 0..1 (None if speed or rates unknown)."""
        speed = self.sample.speed_bps
        rates = [r for r in (self.in_bps, self.out_bps) if r is not None]
        if not speed or not rates:
            return None
        return max(rates) / speed


@dataclass(slots=True)
class ModuleTotals:
    """Running totals of one poll module on one device (self-monitoring)."""

    polls: int = 0
    errors: int = 0
    pdus: int = 0
    retries: int = 0
    timeouts: int = 0
    last_duration: float = 0.0


@dataclass(slots=True)
class DeviceState:
    """What the NOC knows about one device right now."""

    name: str
    up: bool | None = None  # None: never polled yet
    since: float | None = None  # wall clock of the last up/down transition
    last_poll: float | None = None
    last_duration: float = 0.0
    last_error: str = ""
    failures: int = 0  # consecutive failed polls
    icmp: IcmpSample | None = None  # last ICMP echo result
    icmp_up: bool | None = None  # confirmed reachability (None: unknown)
    icmp_since: float | None = None
    polls: int = 0
    poll_errors: int = 0
    system: SystemInfo | None = None
    interfaces: dict[int, InterfaceState] = field(default_factory=dict)
    modules: dict[str, ModuleTotals] = field(default_factory=dict)
    facts: DeviceFacts | None = None  # last health/inventory discovery
    facts_at: float | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """A state change worth showing: a device or interface going up or down."""

    at: float
    device: str
    kind: str  # device_up, device_down, interface_up, interface_down
    detail: str = ""


class State:
    """All devices' live state, plus a short history of events."""

    def __init__(self, down_after_failures: int = 1) -> None:
        self._devices: dict[str, DeviceState] = {}
        self._down_after = down_after_failures
        self.events: deque[Event] = deque(maxlen=EVENT_HISTORY)
        self._changes: list[Event] = []  # every device up/down, first one included

    def drain_changes(self) -> list[Event]:
        """Device up/down transitions since the last call (the history recorder stores them)."""
        changes, self._changes = self._changes, []
        return changes

    def devices(self) -> dict[str, DeviceState]:
        """Every device's state, by name."""
        return self._devices

    def device(self, name: str) -> DeviceState:
        """One device's state (created empty on first use)."""
        state = self._devices.get(name)
        if state is None:
            state = self._devices[name] = DeviceState(name)
        return state

    def forget(self, keep: set[str]) -> None:
        """Drop devices no longer in the inventory."""
        for name in set(self._devices) - keep:
            del self._devices[name]

    def apply(self, result: PollResult) -> None:
        """Fold one poll result into the state."""
        dev = self.device(result.device)
        dev.polls += 1
        dev.last_poll = result.started
        dev.last_duration = result.duration
        _add_module_stats(dev, result)
        if not result.ok:
            dev.poll_errors += 1
            dev.failures += 1
            dev.last_error = result.error
            if dev.failures >= self._down_after and dev.up is not False:
                self._transition(dev, False, result.started, result.error)
            return
        dev.failures = 0
        dev.last_error = ""
        if dev.up is not True:
            self._transition(dev, True, result.started, "")
        uptime = result.system.uptime_ticks if result.system else None
        dev.system = result.system
        self._apply_interfaces(dev, result, uptime)

    def apply_facts(self, name: str, facts: DeviceFacts, at: float) -> None:
        """Keep the latest health/inventory facts of a device (a failed run keeps the old)."""
        dev = self.device(name)
        error = "; ".join(facts.errors) if not facts.modules_run else ""
        stats = ModuleStats(facts.duration, facts.pdus, error=error)
        _add_module_stats(dev, PollResult(name, not error, at, facts.duration,
                                          modules={"facts": stats}))
        if facts.modules_run:
            dev.facts = facts
            dev.facts_at = at

    def apply_icmp(self, name: str, sample: IcmpSample | None, status: str | None, at: float,
                   reason: str = "", drives_status: bool = False) -> None:
        """Fold an ICMP result in; ``status`` (up/down/unknown) is set on a confirmed change.

        ``drives_status``: the device is watched by ICMP only, so reachability
        is its up/down status (events, history); otherwise a change is an
        ``icmp_up``/``icmp_down`` event next to the SNMP status.
        """
        dev = self.device(name)
        if sample is not None:
            dev.icmp = sample
        if status is None:
            return
        up = {"up": True, "down": False}.get(status)
        if up == dev.icmp_up:
            return
        first = dev.icmp_up is None
        dev.icmp_up, dev.icmp_since = up, at
        if drives_status:
            if up is None:
                dev.up, dev.since = None, at
            else:
                dev.last_poll = at
                dev.last_error = "" if up else reason
                self._transition(dev, up, at, reason)
        elif up is not None and not (first and up):
            self.events.append(Event(at, name, "icmp_up" if up else "icmp_down", reason))

    def _transition(self, dev: DeviceState, up: bool, at: float, why: str) -> None:
        first = dev.up is None
        dev.up = up
        dev.since = at
        event = Event(at, dev.name, "device_up" if up else "device_down", why)
        if len(self._changes) < MAX_PENDING_CHANGES:
            self._changes.append(event)
        if not (first and up):
            self.events.append(event)

    def _apply_interfaces(self, dev: DeviceState, result: PollResult, uptime: int | None) -> None:
        seen: set[int] = set()
        for sample in result.interfaces:
            seen.add(sample.if_index)
            state = dev.interfaces.get(sample.if_index)
            if state is None:
                dev.interfaces[sample.if_index] = InterfaceState(
                    _compact(sample), result.started + result.duration, uptime)
                continue
            if state.sample.oper_status != sample.oper_status:
                state.oper_since = result.started
                self._note_oper_change(dev.name, state.sample, sample, result.started)
            _update_rates(state, sample, result.started + result.duration, uptime)
            state.sample = _compact(sample)
        for gone in set(dev.interfaces) - seen:
            del dev.interfaces[gone]

    def _note_oper_change(self, device: str, old: InterfaceSample, new: InterfaceSample,
                          at: float) -> None:
        if new.admin_status == 1:
            kind = "interface_up" if new.oper_status == 1 else "interface_down"
            self.events.append(Event(at, device, kind, new.name))


def _add_module_stats(dev: DeviceState, result: PollResult) -> None:
    for name, stats in result.modules.items():
        totals = dev.modules.get(name)
        if totals is None:
            totals = dev.modules[name] = ModuleTotals()
        totals.polls += 1
        totals.errors += 1 if stats.error else 0
        totals.pdus += stats.pdus
        totals.retries += stats.retries
        totals.timeouts += stats.timeouts
        totals.last_duration = stats.duration


def _compact(sample: InterfaceSample) -> InterfaceSample:
    """The sample with its counters in a compact mapping (it is kept until the next poll)."""
    sample.counters = CounterSet(sample.counters)
    return sample


def _update_rates(state: InterfaceState, sample: InterfaceSample, at: float,
                  uptime: int | None) -> None:
    """Compute rates from the previous sample's counters to ``sample``'s.

    The previous sample *is* the previous reading (one timestamp and uptime
    per interface), so no per-counter objects are kept: memory stays small
    for fleets of hundreds of thousands of interfaces.
    """
    old = state.sample
    comparable = (state.read_at is not None and old.counter_bits == sample.counter_bits
                  and old.name == sample.name)
    # not comparable: HC columns appeared/disappeared, or the ifIndex now names
    # another interface (renumbered after a reboot or a module swap)
    byte_limit = sample.speed_bps / 8 if sample.speed_bps else None
    rates: dict[str, float] = {}
    if comparable and state.read_at is not None:
        # octets first: _RATED order is also the array order (in, out at 0 and 1)
        for name in _RATED:
            value, before = sample.counters.get(name), old.counters.get(name)
            if value is None or before is None:
                continue
            prev = CounterReading(before, state.read_at, state.read_uptime,
                                  old.discontinuity_ticks)
            cur = CounterReading(value, at, uptime, sample.discontinuity_ticks)
            bits = sample.counter_bits if name in _OCTETS or "ucast" in name else 32
            rate = counter_rate(prev, cur, bits, byte_limit if name in _OCTETS else None)
            if rate is not None:
                rates[name] = rate
    if rates:
        state.rates = rates
    else:
        state._rates = _NO_RATES  # shared, never written in place
    state.read_at, state.read_uptime = at, uptime
