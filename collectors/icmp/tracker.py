"""Confirmed up/down/unknown state per address from ICMP samples.

Rules, per address, for each sample given to :meth:`ReachabilityTracker.update`:

* **any reply** (``received >= 1``): *up* at once. One lost packet, or even
  two of three, never makes a device down; the loss is in the sample.
* **silent** (probes sent, complete, none answered): a strike. The address
  goes *down* only after ``confirm_cycles`` consecutive silent samples
  (default 2, each of ``count`` probes: 6 lost packets in a row by default).
* **no result** (``sent == 0``, or an incomplete sample without a reply,
  i.e. the cycle's deadline cut the probing short): neither up nor a strike.
  An address with no usable result for ``stale_after`` seconds becomes
  *unknown* (the collector could not tell; availability leaves that time
  out).

Time to declare down. Connectivity lost at ``t0``: the last cycle that still
got a reply started before ``t0``, so the next one starts by ``t0 + I`` and
the ``confirm_cycles``-th silent one ends by ``t0 + confirm_cycles * I + D``
(``I`` the cycle interval, ``D`` its deadline). With ``I = 10 s``, two
confirmations and ``D <= 8 s`` that is at most 28 s. Callers that want it
faster re-probe :meth:`suspects` (addresses with a strike, not yet down) a
few seconds after a cycle and pass just those samples to :meth:`update`:
a partial update touches only the addresses it contains.

New addresses start *unknown*; every change of state is returned as a
:class:`Transition` so callers can record the event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from collectors.icmp.parse import IcmpSample

UP, DOWN, UNKNOWN = "up", "down", "unknown"


@dataclass(frozen=True, slots=True)
class Transition:
    """One address changed state at ``at`` (wall clock, seconds)."""

    address: str
    old: str
    new: str
    at: float
    reason: str


@dataclass(slots=True)
class _Entry:
    state: str = UNKNOWN
    strikes: int = 0  # consecutive silent samples
    lost: int = 0  # probes lost in those samples
    last_data: float | None = None  # when a usable sample last came
    since: float | None = None  # when ``state`` began


class ReachabilityTracker:
    """Per-address reachability with multi-probe confirmation before *down*."""

    def __init__(self, confirm_cycles: int = 2, stale_after: float = 60.0) -> None:
        if confirm_cycles < 1 or stale_after <= 0:
            raise ValueError("confirm_cycles must be >= 1 and stale_after > 0")
        self.confirm_cycles = confirm_cycles
        self.stale_after = stale_after
        self._entries: dict[str, _Entry] = {}

    def track(self, addresses: Iterable[str], at: float) -> None:
        """Start following addresses (state unknown until their first result)."""
        for address in addresses:
            self._entries.setdefault(address, _Entry(last_data=at, since=at))

    def forget(self, addresses: Iterable[str]) -> None:
        """Stop following addresses (devices removed from the inventory)."""
        for address in addresses:
            self._entries.pop(address, None)

    def state(self, address: str) -> str:
        """Current state of one address (unknown if not tracked)."""
        entry = self._entries.get(address)
        return entry.state if entry else UNKNOWN

    def states(self) -> dict[str, str]:
        """Current state of every tracked address."""
        return {a: e.state for a, e in self._entries.items()}

    def since(self, address: str) -> float | None:
        """When the current state of ``address`` began."""
        entry = self._entries.get(address)
        return entry.since if entry else None

    def suspects(self) -> list[str]:
        """Addresses silent in their last sample but not confirmed down yet."""
        return sorted(a for a, e in self._entries.items() if e.strikes and e.state != DOWN)

    def update(self, samples: Mapping[str, IcmpSample], at: float) -> list[Transition]:
        """Apply one cycle's (or a re-probe's) samples; return the changes of state."""
        changes: list[Transition] = []
        for address, sample in samples.items():
            entry = self._entries.setdefault(address, _Entry(last_data=at, since=at))
            change = self._apply(address, entry, sample, at)
            if change is not None:
                changes.append(change)
        changes.extend(self.expire(at))
        return changes

    def expire(self, at: float) -> list[Transition]:
        """Make *unknown* every address without a usable result for ``stale_after`` s."""
        changes = []
        for address, entry in self._entries.items():
            stale = entry.last_data is None or at - entry.last_data >= self.stale_after
            if entry.state != UNKNOWN and stale:
                reason = f"no ICMP result for {self.stale_after:g} s"
                changes.append(self._move(address, entry, UNKNOWN, at, reason))
                entry.strikes = entry.lost = 0
        return changes

    def _apply(self, address: str, entry: _Entry, sample: IcmpSample,
               at: float) -> Transition | None:
        if sample.replied:
            entry.last_data = at
            entry.strikes = entry.lost = 0
            if entry.state == UP:
                return None
            reason = f"replied to {sample.received}/{sample.sent} probes"
            return self._move(address, entry, UP, at, reason)
        if sample.sent <= 0 or not sample.complete:
            return None  # no usable result: neither up nor a strike
        entry.last_data = at
        entry.strikes += 1
        entry.lost += sample.sent
        if entry.state == DOWN or entry.strikes < self.confirm_cycles:
            return None
        reason = f"no reply to {entry.lost} probes in {entry.strikes} consecutive cycles"
        return self._move(address, entry, DOWN, at, reason)

    @staticmethod
    def _move(address: str, entry: _Entry, new: str, at: float, reason: str) -> Transition:
        change = Transition(address, entry.state, new, at, reason)
        entry.state, entry.since = new, at
        return change
