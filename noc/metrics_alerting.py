"""Self-monitoring families of alerting: alerts by state, pages, notifiers, traps.

A failing notifier is visible here (``noc_notifier_up 0``) as well as on the
dashboard banner, so the pager itself can be watched from outside (the
Alertmanager heartbeat ``NocWatchdog`` is the other half: it vanishes when
the NOC stops evaluating).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from noc.alerting.view import NotifierHealth
from noc.metrics_text import Family

if TYPE_CHECKING:
    from collectors.traps import TrapStats
    from noc.alerting.service import AlertingStats

STATES = ("pending", "firing", "suppressed")


@dataclass(frozen=True, slots=True)
class AlertingMetrics:
    """What one scrape reads from alerting (copied on the event loop's side)."""

    service: AlertingStats
    notifiers: list[NotifierHealth]
    incidents: int
    traps: TrapStats | None = None
    by_severity: dict[str, int] = field(default_factory=dict)


def alerting_families(metrics: AlertingMetrics | None) -> Iterator[Family]:
    """The alerting families (nothing when alerting is off)."""
    if metrics is None:
        return
    svc = metrics.service
    alerts = Family("noc_alerts", "gauge", "Active alerts by state (suppressed: behind a root "
                    "cause that pages instead).", ["state"])
    for state in STATES:
        alerts.add((state,), svc.by_state.get(state, 0))
    incidents = Family("noc_alert_incidents", "gauge", "Active incidents (one page each).")
    incidents.add((), metrics.incidents)
    pages = Family("noc_alert_notifications", "counter",
                   "Notifications handed to the notifiers, by kind.", ["kind"])
    pages.add(("firing",), svc.pages)
    pages.add(("resolved",), svc.resolves)
    pages.add(("repeat",), svc.repeats)
    deferred = Family("noc_alert_pages_deferred", "counter",
                      "Pages held while an upstream device's status was checked.")
    deferred.add((), svc.deferred)
    duration = Family("noc_alert_evaluation_seconds", "gauge",
                      "Duration of the last rule evaluation.")
    duration.add((), svc.last_duration)
    last = Family("noc_alert_last_evaluation_timestamp_seconds", "gauge",
                  "When rules were last evaluated (UNIX time): stale means the pipeline stopped.")
    last.add((), svc.last_evaluation)
    errors = Family("noc_alert_errors", "counter",
                    "Failed evaluations and failed writes of alert state.", ["kind"])
    errors.add(("evaluation",), svc.errors)
    errors.add(("store",), svc.store_errors)
    yield from (alerts, incidents, pages, deferred, duration, last, errors)
    yield from _notifier_families(metrics.notifiers)
    if metrics.traps is not None:
        yield from _trap_families(metrics.traps)


def _notifier_families(notifiers: list[NotifierHealth]) -> Iterator[Family]:
    up = Family("noc_notifier_up", "gauge",
                "1 when the notifier's last delivery worked, 0 when it is failing.",
                ["notifier", "kind"])
    sent = Family("noc_notifier_sent", "counter", "Deliveries by result.",
                  ["notifier", "result"])
    queued = Family("noc_notifier_queued", "gauge", "Notifications waiting for delivery.",
                    ["notifier"])
    for n in notifiers:
        up.add((n.name, n.kind), 1 if n.ok else 0)
        sent.add((n.name, "ok"), n.sent)
        sent.add((n.name, "failed"), n.failed)
        queued.add((n.name,), n.queued)
    yield from (up, sent, queued)


def _trap_families(stats: TrapStats) -> Iterator[Family]:
    received = Family("noc_traps_received", "counter", "SNMP traps received (datagrams).")
    received.add((), stats.received)
    kinds = Family("noc_traps", "counter", "Accepted traps by kind.", ["kind"])
    for kind, count in sorted(stats.by_kind.items()):
        kinds.add((kind,), count)
    dropped = Family("noc_traps_dropped", "counter", "Trap datagrams dropped, by reason.",
                     ["reason"])
    for reason in ("malformed", "bad_auth", "rate_limited", "queue_dropped"):
        dropped.add((reason,), int(getattr(stats, reason)))
    yield from (received, kinds, dropped)
