"""Availability from transitions: time-weighted, unknown time out of the denominator."""

from __future__ import annotations

import pytest

from noc.availability import (
    WINDOWS,
    Availability,
    Change,
    agency_availability,
    availability,
    by_subject,
    over_windows,
    window,
)

H = 3600.0
DAY = 24 * H


def test_ten_minutes_down_in_a_day():
    changes = [Change(0.0, "up"), Change(5 * H, "down"), Change(5 * H + 600, "up")]
    result = availability(changes, 0.0, DAY)
    assert (result.up_seconds, result.down_seconds, result.unknown_seconds) == (
        DAY - 600, 600.0, 0.0)
    assert result.outages == 1
    assert result.percent == pytest.approx(100 * (DAY - 600) / DAY)


def test_state_before_the_window_carries_into_it():
    changes = [Change(-10 * DAY, "up"), Change(-H, "down"), Change(2 * H, "up")]
    result = availability(changes, 0.0, DAY)
    assert result.down_seconds == 2 * H
    assert result.up_seconds == DAY - 2 * H
    assert result.outages == 1  # in progress when the window opened


def test_still_down_at_window_end():
    result = availability([Change(0.0, "up"), Change(DAY - 100, "down")], 0.0, DAY)
    assert (result.down_seconds, result.outages) == (100.0, 1)


def test_changes_after_the_window_are_ignored():
    changes = [Change(0.0, "up"), Change(DAY, "down"), Change(DAY + 5, "up")]
    result = availability(changes, 0.0, DAY)
    assert (result.up_seconds, result.down_seconds, result.outages) == (DAY, 0.0, 0)


def test_unknown_time_is_left_out_of_the_denominator():
    changes = [Change(0.0, "unknown"), Change(12 * H, "up"), Change(18 * H, "down")]
    result = availability(changes, 0.0, DAY)
    assert result.unknown_seconds == 12 * H
    assert result.known_seconds == 12 * H
    assert result.percent == pytest.approx(50.0)


def test_no_history_is_unknown_not_perfect():
    result = availability([], 0.0, DAY)
    assert result == Availability(0.0, DAY, 0.0, 0.0, DAY, 0)
    assert result.percent is None
    assert availability([], 0.0, DAY, initial="up").percent == 100.0


def test_empty_window():
    result = availability([Change(0.0, "up")], 10.0, 10.0)
    assert result.known_seconds == 0.0
    assert result.percent is None
    with pytest.raises(ValueError, match="before it starts"):
        availability([], 10.0, 5.0)


def test_unsorted_input_and_same_instant_last_wins():
    changes = [Change(20.0, "up"), Change(10.0, "down"), Change(10.0, "up"), Change(0.0, "up")]
    result = availability(changes, 0.0, 30.0)
    assert (result.up_seconds, result.down_seconds, result.outages) == (30.0, 0.0, 0)


def test_change_exactly_at_window_start_sets_the_initial_state():
    result = availability([Change(0.0, "up"), Change(10.0, "down")], 10.0, 20.0)
    assert (result.up_seconds, result.down_seconds) == (0.0, 10.0)


def test_outages_are_counted_per_down_period():
    changes = [Change(0.0, "up"), Change(10.0, "down"), Change(20.0, "up"),
               Change(30.0, "down"), Change(40.0, "unknown"), Change(50.0, "down"),
               Change(60.0, "up")]
    result = availability(changes, 0.0, 100.0)
    # the unknown stretch inside the second outage does not make it two
    assert result.outages == 2
    assert (result.down_seconds, result.unknown_seconds, result.up_seconds) == (30.0, 10.0, 60.0)


def test_repeated_down_reports_are_one_outage():
    changes = [Change(0.0, "down"), Change(5.0, "down"), Change(9.0, "up")]
    assert availability(changes, 0.0, 10.0).outages == 1


def test_agency_degraded_counts_as_up():
    changes = [Change(0.0, "up"), Change(10.0, "degraded"), Change(20.0, "down"),
               Change(30.0, "up")]
    agency = agency_availability(changes, 0.0, 40.0)
    assert (agency.up_seconds, agency.down_seconds) == (30.0, 10.0)
    device_rules = availability(changes, 0.0, 40.0)  # degraded is not a device status
    assert device_rules.unknown_seconds == 10.0


def test_named_windows():
    assert window("24h", 1000.0 * DAY) == (999.0 * DAY, 1000.0 * DAY)
    assert window("7d", 100.0 * DAY)[0] == 93.0 * DAY
    assert WINDOWS["30d"] == 30 * DAY
    with pytest.raises(ValueError, match="unknown window"):
        window("1y", 0.0)


def test_over_windows_weights_by_time():
    now = 100 * DAY
    changes = [Change(0.0, "up"), Change(now - 2 * DAY, "down"), Change(now - DAY, "up")]
    result = over_windows(changes, now)
    assert result["24h"].percent == 100.0
    assert result["7d"].percent == pytest.approx(100 * 6 / 7)
    assert result["30d"].percent == pytest.approx(100 * 29 / 30)


def test_by_subject():
    history = {"dev-a": [Change(0.0, "up")], "dev-b": [Change(0.0, "down")]}
    result = by_subject(history, 0.0, 10.0)
    assert {name: a.percent for name, a in result.items()} == {"dev-a": 100.0, "dev-b": 0.0}
