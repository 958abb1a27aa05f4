"""The alert lifecycle: pending, firing, resolved, with flap damping.

Each evaluation hands :meth:`Lifecycle.update` the conditions true now. A new
condition makes a *pending* alert; one that held for its rule's ``for:``
fires; when the condition goes away a pending alert is dropped (nobody is
paged: the transition says ``was_pending``) and a firing one resolves once
the condition has been false for ``keep_firing_for``. Resolved alerts leave
:attr:`Lifecycle.alerts`; the caller records the returned transitions.

Flap damping: firing/resolved transitions are counted per fingerprint over
``flap_window`` (across resolved and re-created alerts). When they reach
``flap_threshold`` the alert is *flapping*: it stays firing until its
condition has been false for ``flap_hold``, and the condition coming and
going meanwhile makes no transitions, so nobody is paged again. It stops
flapping once no transition happened within the window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from noc.alerting.model import Alert, AlertState, Condition, severity_rank
from noc.alerting.rules import EffectiveRule

RuleLookup = Callable[[Condition], EffectiveRule]
# for an alert whose rule no longer exists (restored after an upgrade): resolve it normally
_GONE = EffectiveRule("", "warning", False, 0.0, 0.0, None, None, 600.0, 4, 600.0)


@dataclass(frozen=True, slots=True)
class Transition:
    """One alert changing state; ``was_pending``: a pending alert dropped (page nobody)."""

    fingerprint: str
    rule: str
    subject: str
    old: AlertState | None
    new: AlertState
    at: float
    was_pending: bool = False
    alert: Alert | None = field(default=None, compare=False, repr=False)


def _as_condition(alert: Alert) -> Condition:
    return Condition(alert.rule, alert.subject, alert.severity, alert.summary, alert.device,
                     alert.agency, alert.labels, alert.value)


def _recent(times: list[float], now: float, window: float) -> list[float]:
    return [t for t in times if t > now - window]


class Lifecycle:
    """Active alerts by fingerprint and the rules that move them between states."""

    def __init__(self) -> None:
        self.alerts: dict[str, Alert] = {}
        self._false_since: dict[str, float] = {}  # active alerts whose condition is gone
        self._history: dict[str, tuple[list[float], float]] = {}  # resolved: (times, window)
        self._held: dict[str, float] = {}  # restored alerts: no resolving before this time

    def get(self, fp: str) -> Alert | None:
        """The active alert with this fingerprint, if any."""
        return self.alerts.get(fp)

    def active(self) -> list[Alert]:
        """Every pending or firing alert, most severe first, then oldest first."""
        return sorted(self.alerts.values(),
                      key=lambda a: (severity_rank(a.severity), a.active_since, a.fingerprint))

    def restore(self, alerts: Iterable[Alert], hold_until: float | None = None) -> None:
        """Put back active alerts loaded after a restart, state and ack/notify fields intact.

        ``hold_until``: none of them resolves before that time (give the
        pollers one cycle to see the network again before judging).
        """
        for alert in alerts:
            if alert.active:
                self.alerts[alert.fingerprint] = alert
                self._false_since.pop(alert.fingerprint, None)
                if hold_until is not None:
                    self._held[alert.fingerprint] = hold_until

    def update(self, conditions: Iterable[Condition], now: float,
               rules: RuleLookup) -> list[Transition]:
        """Fold one evaluation's conditions in; the transitions it caused, in order."""
        out: list[Transition] = []
        seen: set[str] = set()
        for cond in conditions:
            fp = cond.fingerprint
            if fp in seen:
                continue
            seen.add(fp)
            self._true(cond, fp, now, rules(cond), out)
        for fp, alert in list(self.alerts.items()):
            if fp not in seen:
                try:
                    rule = rules(_as_condition(alert))
                except (KeyError, ValueError):
                    rule = _GONE
                self._false(alert, now, rule, out)
        self._prune_history(now)
        return out

    def _true(self, cond: Condition, fp: str, now: float, rule: EffectiveRule,
              out: list[Transition]) -> None:
        alert = self.alerts.get(fp)
        if alert is None:
            times, _ = self._history.pop(fp, ([], 0.0))
            alert = self.alerts[fp] = Alert(fp, cond.rule, cond.subject, cond.severity,
                                            cond.summary, active_since=now, transitions=times)
            out.append(Transition(fp, alert.rule, alert.subject, None, AlertState.PENDING, now,
                                  alert=alert))
        alert.severity, alert.summary, alert.value = cond.severity, cond.summary, cond.value
        alert.device, alert.agency, alert.labels = cond.device, cond.agency, dict(cond.labels)
        alert.last_true = now
        was_false = self._false_since.pop(fp, None) is not None
        if alert.state is AlertState.PENDING and now - alert.active_since >= rule.for_:
            self._count(alert, now, rule)
            alert.state, alert.fired_at = AlertState.FIRING, now
            out.append(Transition(fp, alert.rule, alert.subject, AlertState.PENDING,
                                  AlertState.FIRING, now, alert=alert))
        elif alert.state is AlertState.FIRING and alert.flapping:
            if was_false:
                self._count(alert, now, rule)  # came back while held: counted, not re-paged
            elif not _recent(alert.transitions, now, rule.flap_window):
                alert.flapping = False

    def _false(self, alert: Alert, now: float, rule: EffectiveRule,
               out: list[Transition]) -> None:
        fp = alert.fingerprint
        since = self._false_since.setdefault(fp, now)
        if alert.state is AlertState.PENDING:
            self._remove(alert, now)
            out.append(Transition(fp, alert.rule, alert.subject, AlertState.PENDING,
                                  AlertState.RESOLVED, now, was_pending=True, alert=alert))
            return
        if since == now and alert.flapping:
            self._count(alert, now, rule)  # went away while held: counted, nothing resolves
        hold = max(rule.keep_firing_for, rule.flap_hold) if alert.flapping \
            else rule.keep_firing_for
        if now - since < hold or now < self._held.get(fp, now):
            return
        if not alert.flapping and len(_recent(alert.transitions, now, rule.flap_window)) + 1 \
                >= rule.flap_threshold:
            self._count(alert, now, rule)  # this resolve would make it flap: hold instead
            alert.flapping = True
            if now - since < rule.flap_hold:
                return
        self._count(alert, now, rule)
        self._remove(alert, now)
        self._history[fp] = (alert.transitions, rule.flap_window)
        alert.flapping = False
        out.append(Transition(fp, alert.rule, alert.subject, AlertState.FIRING,
                              AlertState.RESOLVED, now, alert=alert))

    def _count(self, alert: Alert, now: float, rule: EffectiveRule) -> None:
        """Record a (real or damped) firing/resolved transition; mark flapping at threshold."""
        alert.transitions = [*_recent(alert.transitions, now, rule.flap_window), now]
        if len(alert.transitions) >= rule.flap_threshold:
            alert.flapping = True

    def _remove(self, alert: Alert, now: float) -> None:
        alert.state, alert.resolved_at = AlertState.RESOLVED, now
        del self.alerts[alert.fingerprint]
        self._false_since.pop(alert.fingerprint, None)
        self._held.pop(alert.fingerprint, None)

    def _prune_history(self, now: float) -> None:
        for fp, (times, window) in list(self._history.items()):
            if not times or times[-1] <= now - window:
                del self._history[fp]
