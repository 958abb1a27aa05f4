"""Persistence side of the alerting service: what changed since the last write, written.

The evaluation runs on the event loop and never touches the database; after
it, :meth:`AlertPersistence._write` hands the alerts whose visible state
changed, the fingerprints that went away, the new history events and the
escalation state to a worker thread. Every ``FULL_SAVE`` seconds (and at
stop) every active alert is written, so ``last_true`` stays fresh. A failed
write keeps its events for the next attempt.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from noc.alerting.model import Alert, AlertEvent

if TYPE_CHECKING:
    from noc.alerting.escalation import Escalator
    from noc.alerting.lifecycle import Lifecycle
    from noc.alerting.service import AlertingStats
    from noc.alerting.store import AlertStore

log = logging.getLogger(__name__)
FULL_SAVE = 60.0  # seconds between saves of every active alert (last_true)
ESCALATION_KEY = "escalation"


def signature(alert: Alert) -> tuple[object, ...]:
    """What, when it changes, makes an alert worth writing again."""
    return (alert.state, alert.severity, alert.summary, alert.suppressed_by, alert.incident,
            alert.acked_by, alert.muted, alert.notified, alert.flapping, alert.fired_at)


class AlertPersistence:
    """Mixed into :class:`noc.alerting.service.AlertService`."""

    store: AlertStore
    lifecycle: Lifecycle
    escalator: Escalator
    clock: Callable[[], float]
    _saved: dict[str, tuple[object, ...]]
    _events: list[AlertEvent]
    _last_full_save: float
    stats: AlertingStats

    async def _write(self, force: bool = False) -> None:
        now = self.clock()
        full = force or now - self._last_full_save > FULL_SAVE
        active = {a.fingerprint: a for a in self.lifecycle.active()}
        changed = [a for fp, a in active.items()
                   if full or self._saved.get(fp) != signature(a)]
        signatures = {a.fingerprint: signature(a) for a in changed}
        gone = [fp for fp in self._saved if fp not in active]
        events, self._events = self._events, []
        escalation = self.escalator.state()
        if not changed and not gone and not events and not full:
            return
        try:
            await asyncio.to_thread(self._store_all, changed, gone, events, escalation)
        except Exception:
            self.stats.store_errors += 1
            self._events[:0] = events  # keep them for the next attempt
            log.exception("alert state not written; will retry")
            return
        for fp, sig in signatures.items():
            self._saved[fp] = sig
        for fp in gone:
            self._saved.pop(fp, None)
        if full:
            self._last_full_save = now

    def _store_all(self, changed: list[Alert], gone: list[str], events: list[AlertEvent],
                   escalation: dict[str, Any]) -> None:
        self.store.save(changed, gone)
        if events:
            self.store.record(events)
        self.store.set_meta(ESCALATION_KEY, json.dumps(escalation))
