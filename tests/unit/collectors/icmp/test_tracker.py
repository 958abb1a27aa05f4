"""Reachability tracker: confirmation before down, no flapping, unknown, the 30 s budget."""

from __future__ import annotations

import pytest

from collectors.icmp.parse import IcmpSample
from collectors.icmp.tracker import ReachabilityTracker, Transition

A, B = "127.0.0.1", "127.0.0.2"


def ok(address: str = A, received: int = 3) -> IcmpSample:
    return IcmpSample(address, 3, received, 0.1, 0.1, 0.1)


def silent(address: str = A) -> IcmpSample:
    return IcmpSample(address, 3, 0)


def test_first_reply_makes_an_unknown_address_up():
    tracker = ReachabilityTracker()
    changes = tracker.update({A: ok()}, at=100.0)
    assert changes == [Transition(A, "unknown", "up", 100.0, "replied to 3/3 probes")]
    assert tracker.state(A) == "up"
    assert tracker.since(A) == 100.0
    assert tracker.update({A: ok()}, at=110.0) == []


def test_one_silent_cycle_is_not_down_two_are():
    tracker = ReachabilityTracker(confirm_cycles=2)
    tracker.update({A: ok()}, 0.0)
    assert tracker.update({A: silent()}, 10.0) == []
    assert tracker.state(A) == "up"
    assert tracker.suspects() == [A]
    [change] = tracker.update({A: silent()}, 20.0)
    assert (change.address, change.old, change.new, change.at) == (A, "up", "down", 20.0)
    assert change.reason == "no reply to 6 probes in 2 consecutive cycles"
    assert tracker.suspects() == []
    assert tracker.update({A: silent()}, 30.0) == []  # already down: no new event


def test_partial_loss_keeps_the_address_up():
    tracker = ReachabilityTracker(confirm_cycles=1)
    tracker.update({A: ok()}, 0.0)
    for at in (10.0, 20.0, 30.0):
        assert tracker.update({A: ok(received=1)}, at) == []
    assert tracker.state(A) == "up"


def test_alternating_silent_and_reply_never_flaps_down():
    tracker = ReachabilityTracker(confirm_cycles=2)
    changes = []
    for i in range(20):
        changes += tracker.update({A: silent() if i % 2 else ok()}, i * 10.0)
    assert [c.new for c in changes] == ["up"]


def test_recovery_is_immediate_on_first_reply():
    tracker = ReachabilityTracker(confirm_cycles=2)
    for at, sample in enumerate([ok(), silent(), silent()]):
        tracker.update({A: sample}, float(at))
    [change] = tracker.update({A: ok(received=1)}, 3.0)
    assert (change.old, change.new, change.reason) == ("down", "up", "replied to 1/3 probes")


def test_unknown_address_goes_down_after_confirmation_only():
    tracker = ReachabilityTracker(confirm_cycles=3)
    assert tracker.update({A: silent()}, 0.0) == []
    assert tracker.update({A: silent()}, 10.0) == []
    [change] = tracker.update({A: silent()}, 20.0)
    assert (change.old, change.new) == ("unknown", "down")


def test_no_result_is_neither_reply_nor_strike():
    tracker = ReachabilityTracker(confirm_cycles=2, stale_after=100.0)
    tracker.update({A: ok()}, 0.0)
    tracker.update({A: silent()}, 10.0)
    cut_short = IcmpSample(A, 1, 0, complete=False)  # the deadline stopped the probing
    nothing = IcmpSample(A, 0, 0, complete=False)
    assert tracker.update({A: cut_short}, 20.0) == []
    assert tracker.update({A: nothing}, 30.0) == []
    assert tracker.state(A) == "up"
    [change] = tracker.update({A: silent()}, 40.0)  # the second real strike
    assert change.new == "down"


def test_no_usable_result_for_stale_after_makes_unknown():
    tracker = ReachabilityTracker(stale_after=30.0)
    tracker.update({A: ok(), B: ok(B)}, 0.0)
    assert tracker.update({B: ok(B)}, 20.0) == []
    [change] = tracker.update({B: ok(B)}, 30.0)
    assert (change.address, change.old, change.new) == (A, "up", "unknown")
    assert change.reason == "no ICMP result for 30 s"
    assert tracker.states() == {A: "unknown", B: "up"}
    assert tracker.expire(40.0) == []  # unknown already: no repeated event


def test_partial_update_of_suspects_confirms_only_them():
    tracker = ReachabilityTracker(confirm_cycles=2)
    tracker.update({A: ok(), B: ok(B)}, 0.0)
    tracker.update({A: silent(), B: ok(B)}, 10.0)
    assert tracker.suspects() == [A]
    changes = tracker.update({address: silent(address) for address in tracker.suspects()}, 12.0)
    assert [(c.address, c.new) for c in changes] == [(A, "down")]
    assert tracker.state(B) == "up"


def test_track_and_forget():
    tracker = ReachabilityTracker(stale_after=30.0)
    tracker.track([A, B], 0.0)
    assert tracker.states() == {A: "unknown", B: "unknown"}
    tracker.forget([B])
    assert tracker.states() == {A: "unknown"}
    assert tracker.state(B) == "unknown"
    assert tracker.since(B) is None


@pytest.mark.parametrize("kwargs", [{"confirm_cycles": 0}, {"stale_after": 0.0}])
def test_bad_settings_are_refused(kwargs: dict[str, float]):
    with pytest.raises(ValueError, match="confirm_cycles"):
        ReachabilityTracker(**kwargs)  # type: ignore[arg-type]


def time_to_down(t0: float, interval: float, duration: float, confirm: int) -> float:
    """Simulated cycles every ``interval`` s, each probing for ``duration`` s; loss at t0.

    A cycle whose probing starts before ``t0`` still gets a reply (worst case); the
    tracker sees each cycle's samples when the cycle ends.
    """
    tracker = ReachabilityTracker(confirm_cycles=confirm, stale_after=1e9)
    k = 0
    while True:
        start = k * interval
        sample = ok() if start < t0 else silent()
        for change in tracker.update({A: sample}, start + duration):
            if change.new == "down":
                return change.at - t0
        k += 1


@pytest.mark.parametrize("duration", [3.0, 8.0])
def test_down_declared_within_30_s_at_a_10_s_interval(duration: float):
    offsets = [20.0 + i * 0.25 for i in range(41)]  # every phase of a 10 s cycle
    worst = max(time_to_down(t0, 10.0, duration, confirm=2) for t0 in offsets)
    assert worst <= 30.0
    assert worst > 20.0  # confirmation really waits for a second silent cycle
    # three confirmations would not meet the budget with an 8 s deadline
    assert max(time_to_down(t0, 10.0, 8.0, confirm=3) for t0 in offsets) > 30.0
