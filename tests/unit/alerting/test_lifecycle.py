"""The alert lifecycle: pending, firing, resolved, keep_firing_for, flap damping, restore."""

from collections.abc import Callable
from dataclasses import replace

from noc.alerting.lifecycle import Lifecycle, Transition
from noc.alerting.model import Alert, AlertState, Condition, fingerprint
from noc.alerting.rules import EffectiveRule

P, F, R = AlertState.PENDING, AlertState.FIRING, AlertState.RESOLVED
BASE = EffectiveRule("link_down", "critical", True, 0.0, 0.0, None, None, 600.0, 4, 600.0)


def rules(**kw: float) -> Callable[[Condition], EffectiveRule]:
    rule = replace(BASE, **kw)  # type: ignore[arg-type]
    return lambda cond: rule


def cond(summary: str = "link l1 down (a Gi0/1 oper down)", severity: str = "critical",
         value: float | None = None) -> Condition:
    return Condition("link_down", "l1", severity, summary, "b", "Q7", {"link": "l1"}, value)


def moves(transitions: list[Transition]) -> list[tuple[AlertState | None, AlertState]]:
    return [(t.old, t.new) for t in transitions]


def test_pending_then_firing_after_for() -> None:
    life, lookup = Lifecycle(), rules(for_=60.0)
    first = life.update([cond()], 1000.0, lookup)
    assert moves(first) == [(None, P)]
    assert first[0].fingerprint == fingerprint("link_down", "l1") == cond().fingerprint
    alert = life.alerts[cond().fingerprint]
    assert (alert.state, alert.active_since, alert.fired_at) == (P, 1000.0, None)
    assert life.update([cond()], 1059.0, lookup) == []
    assert moves(life.update([cond()], 1060.0, lookup)) == [(P, F)]
    assert (alert.state, alert.fired_at, alert.active_since) == (F, 1060.0, 1000.0)
    assert life.update([cond()], 1070.0, lookup) == []


def test_zero_for_fires_in_the_first_evaluation() -> None:
    life = Lifecycle()
    assert moves(life.update([cond()], 5.0, rules())) == [(None, P), (P, F)]


def test_pending_dropped_silently() -> None:
    life, lookup = Lifecycle(), rules(for_=60.0)
    life.update([cond()], 1000.0, lookup)
    [drop] = life.update([], 1030.0, lookup)
    assert (drop.old, drop.new, drop.was_pending) == (P, R, True)
    assert life.alerts == {} and life.active() == []


def test_firing_resolves_after_keep_firing_for() -> None:
    life, lookup = Lifecycle(), rules(keep_firing_for=30.0)
    life.update([cond()], 0.0, lookup)
    assert life.update([], 10.0, lookup) == []
    assert life.update([cond()], 20.0, lookup) == []  # back in time: still the same firing alert
    assert life.update([], 30.0, lookup) == []
    assert life.update([], 59.0, lookup) == []
    [done] = life.update([], 60.0, lookup)
    assert (done.old, done.new, done.was_pending) == (F, R, False)
    assert done.alert is not None and done.alert.resolved_at == 60.0
    assert life.get(done.fingerprint) is None


def test_refresh_of_severity_summary_value_labels() -> None:
    life, lookup = Lifecycle(), rules()
    life.update([cond(value=1.0)], 0.0, lookup)
    life.update([cond("now worse", "major", 2.0)], 1.0, lookup)
    alert = life.active()[0]
    assert (alert.summary, alert.severity, alert.value, alert.last_true) == (
        "now worse", "major", 2.0, 1.0)
    assert (alert.device, alert.agency, alert.labels) == ("b", "Q7", {"link": "l1"})


def test_flap_damping_holds_one_firing_alert() -> None:
    life, lookup = Lifecycle(), rules(flap_window=600.0, flap_threshold=4, flap_hold=600.0)
    fp = cond().fingerprint
    seen: list[tuple[AlertState | None, AlertState]] = []
    for step in range(20):  # true, false, true, false... every 10 s
        seen += moves(life.update([cond()] if step % 2 == 0 else [], step * 10.0, lookup))
    # fired, resolved, fired again; the next resolve would be the 4th transition: held
    assert seen == [(None, P), (P, F), (F, R), (None, P), (P, F)]
    alert = life.alerts[fp]
    assert (alert.state, alert.flapping, alert.fired_at) == (F, True, 20.0)
    # quiet (false) for less than flap_hold: still firing; then resolved once
    assert life.update([], 190.0 + 599.0, lookup) == []
    [done] = life.update([], 190.0 + 600.0, lookup)
    assert (done.old, done.new) == (F, R)
    assert life.alerts == {}


def test_flapping_stops_when_condition_stays_true() -> None:
    life, lookup = Lifecycle(), rules(flap_threshold=4, flap_window=100.0, flap_hold=100.0)
    for step in range(8):
        life.update([cond()] if step % 2 == 0 else [], step * 5.0, lookup)
    alert = life.alerts[cond().fingerprint]
    assert alert.flapping and alert.state is F
    for t in (40.0, 100.0, 139.0):
        life.update([cond()], t, lookup)
    assert alert.flapping  # the damped return at 40 s is still inside the window
    life.update([cond()], 141.0, lookup)
    assert not alert.flapping
    [done] = life.update([], 145.0, lookup)  # not flapping any more: resolves at once
    assert (done.old, done.new) == (F, R)


def test_restore_keeps_firing_alert_firing_and_notified() -> None:
    fp = fingerprint("link_down", "l1")
    saved = Alert(fp, "link_down", "l1", "critical", "link l1 down", "b", "Q7", {"link": "l1"},
                  state=F, active_since=100.0, fired_at=160.0, last_true=500.0, notified=True,
                  acked_by="lan", acked_at=300.0, ack_note="on it")
    life, lookup = Lifecycle(), rules(for_=60.0)
    life.restore([saved, replace(saved, fingerprint="x", state=R)])
    assert list(life.alerts) == [fp]
    assert life.update([cond()], 1000.0, lookup) == []  # no new pending, no second page
    alert = life.get(fp)
    assert alert is not None
    assert (alert.state, alert.fired_at, alert.notified, alert.acked_by) == (F, 160.0, True, "lan")
    assert alert.ack_note == "on it" and alert.acked_at == 300.0


def test_restore_hold_until_delays_resolution() -> None:
    fp = fingerprint("link_down", "l1")
    saved = Alert(fp, "link_down", "l1", "critical", "s", state=F, fired_at=1.0)
    life = Lifecycle()
    life.restore([saved], hold_until=100.0)
    assert life.update([], 50.0, rules()) == []
    assert moves(life.update([], 100.0, rules())) == [(F, R)]


def test_duplicate_conditions_and_several_alerts() -> None:
    life = Lifecycle()
    other = Condition("cpu_high", "q7-core", "warning", "cpu 97 %", "q7-core", "Q7")
    out = life.update([cond(), cond(), other], 0.0, rules(for_=10.0))
    assert moves(out) == [(None, P), (None, P)]
    assert [a.rule for a in life.active()] == ["link_down", "cpu_high"]  # most severe first
    assert {t.fingerprint for t in out} == {cond().fingerprint, other.fingerprint}


def test_alert_of_an_unknown_rule_still_resolves() -> None:
    def lookup(cond: Condition) -> EffectiveRule:
        raise ValueError(f"unknown alert rule {cond.rule!r}")

    life = Lifecycle()
    life.restore([Alert("fp", "old_rule", "x", "major", "s", state=F, fired_at=1.0)])
    assert moves(life.update([], 10.0, lookup)) == [(F, R)]
