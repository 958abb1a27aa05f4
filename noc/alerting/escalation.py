"""Escalation: when to page whom about an unacknowledged incident. Pure logic, no I/O.

The :class:`Escalator` tracks each open incident's place in its chain. The
first page goes out at :meth:`Escalator.open` (level 0). :meth:`Escalator.due`
returns the pages that have come due: a level re-pages every
``repeat_every`` until it has paged ``repeats`` times, then the next level
starts one ``repeat_every`` later plus its own ``after``; the last level
repeats until acknowledged, and the chain stops after ``max_pages`` pages in
all. A page is never sent twice for the same slot: after a restart (see
:meth:`Escalator.state` and :meth:`Escalator.restore`) pages that fell due
during the downtime go out once, and the schedule continues from then.
Recipients are computed when each page goes out, so a rotation handoff
between two pages pages the new person.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from noc.alerting.oncall import Chain, EscalationLevel, OnCallSettings, recipients

log = logging.getLogger(__name__)

STATE_VERSION = 1


@dataclass(frozen=True, slots=True)
class Page:
    """One page to send: who, at which level, and whether it repeats an earlier one."""

    incident: str
    level: int
    recipients: tuple[str, ...]
    repeat: bool  # a re-page at the same level (False: first page at this level)
    at: float


@dataclass(slots=True)
class _Track:
    """Where one incident stands in its chain."""

    chain: Chain
    opened_at: float
    level: int = 0
    pages_at_level: int = 0
    pages: int = 0  # all levels together
    next_at: float | None = None  # None: acknowledged or exhausted
    acked: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"chain": self.chain.name, "opened_at": self.opened_at, "level": self.level,
                "pages_at_level": self.pages_at_level, "pages": self.pages,
                "next_at": self.next_at, "acked": self.acked}


class Escalator:
    """Pages open incidents along their chains until acknowledged or closed."""

    def __init__(self, settings: OnCallSettings) -> None:
        """Escalate with the people, rotations and chains of ``settings``."""
        self.settings = settings
        self._tracks: dict[str, _Track] = {}

    def open(self, incident_id: str, chain: Chain | None, now: float) -> Page | None:
        """Start escalating a new incident; the first page (level 0), or None.

        None when there is no chain (the notifiers' default recipients
        apply and nothing is tracked) or when the incident is already open.
        """
        if chain is None or incident_id in self._tracks:
            return None
        track = _Track(chain=chain, opened_at=now)
        self._tracks[incident_id] = track
        return self._page(incident_id, track, now, repeat=False)

    def due(self, now: float) -> list[Page]:
        """Pages due at ``now``, at most one per incident, earliest first."""
        ready = sorted((t.next_at, i) for i, t in self._tracks.items()
                       if t.next_at is not None and t.next_at <= now)
        pages: list[Page] = []
        for _, incident_id in ready:
            track = self._tracks[incident_id]
            last = len(track.chain.levels) - 1
            if track.level < last and track.pages_at_level >= self._level(track).repeats:
                track.level += 1
                track.pages_at_level = 0
                pages.append(self._page(incident_id, track, now, repeat=False))
            else:
                pages.append(self._page(incident_id, track, now, repeat=True))
        return pages

    def next_due(self) -> float | None:
        """When the next page falls due, if any."""
        times = [t.next_at for t in self._tracks.values() if t.next_at is not None]
        return min(times, default=None)

    def ack(self, incident_id: str) -> bool:
        """Stop paging about an incident; False if it is not tracked."""
        track = self._tracks.get(incident_id)
        if track is None:
            return False
        track.acked = True
        track.next_at = None
        return True

    def unack(self, incident_id: str, now: float) -> bool:
        """Resume paging at the current level one interval from ``now``; False if untracked."""
        track = self._tracks.get(incident_id)
        if track is None or not track.acked:
            return False
        track.acked = False
        if track.pages < track.chain.max_pages:
            track.next_at = now + self._level(track).repeat_every
        return True

    def close(self, incident_id: str) -> None:
        """Forget a resolved incident (unknown ids are ignored)."""
        self._tracks.pop(incident_id, None)

    def tracked(self) -> dict[str, tuple[str, int, bool]]:
        """Incident id -> (chain name, current level, acknowledged)."""
        return {i: (t.chain.name, t.level, t.acked) for i, t in self._tracks.items()}

    def state(self) -> dict[str, Any]:
        """Everything needed to continue after a restart, JSON-serialisable."""
        return {"version": STATE_VERSION,
                "incidents": {i: t.to_json() for i, t in self._tracks.items()}}

    def restore(self, state: Mapping[str, Any]) -> None:
        """Replace the tracked incidents with those of a :meth:`state` dump.

        Chains are looked up by name in the current settings; incidents whose
        chain no longer exists, or whose entry is malformed, are dropped with
        a warning. A level beyond a shortened chain becomes its last level.
        """
        self._tracks = {}
        incidents = state.get("incidents", {})
        if state.get("version") != STATE_VERSION or not isinstance(incidents, Mapping):
            log.warning("escalation state ignored: unknown version or layout")
            return
        for incident_id, entry in incidents.items():
            track = self._revive(str(incident_id), entry)
            if track is not None:
                self._tracks[str(incident_id)] = track

    def _revive(self, incident_id: str, entry: Any) -> _Track | None:
        try:
            chain = self.settings.chain(str(entry["chain"]))
        except KeyError:
            log.warning("escalation of incident %s dropped: chain %r is no longer configured",
                        incident_id, entry.get("chain") if isinstance(entry, Mapping) else None)
            return None
        except TypeError:
            log.warning("escalation of incident %s dropped: malformed state", incident_id)
            return None
        try:
            next_at = entry["next_at"]
            track = _Track(chain=chain, opened_at=float(entry["opened_at"]),
                           level=min(int(entry["level"]), len(chain.levels) - 1),
                           pages_at_level=int(entry["pages_at_level"]),
                           pages=int(entry["pages"]),
                           next_at=None if next_at is None else float(next_at),
                           acked=bool(entry["acked"]))
        except (KeyError, TypeError, ValueError):
            log.warning("escalation of incident %s dropped: malformed state", incident_id)
            return None
        if track.pages >= chain.max_pages:
            track.next_at = None
        return track

    def _level(self, track: _Track) -> EscalationLevel:
        return track.chain.levels[track.level]

    def _page(self, incident_id: str, track: _Track, now: float, *, repeat: bool) -> Page:
        """Record a page at the track's current level and schedule the next one."""
        chain = track.chain
        level = chain.levels[track.level]
        track.pages_at_level += 1
        track.pages += 1
        if track.pages >= chain.max_pages:
            track.next_at = None
        elif track.pages_at_level >= level.repeats and track.level < len(chain.levels) - 1:
            track.next_at = now + level.repeat_every + chain.levels[track.level + 1].after
        else:
            track.next_at = now + level.repeat_every
        return Page(incident=incident_id, level=track.level,
                    recipients=recipients(level, self.settings, now), repeat=repeat, at=now)
