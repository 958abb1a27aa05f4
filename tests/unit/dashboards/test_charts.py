"""The hand-written SVG charts: scaling, gaps, empty data, accessibility, time labels."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from dashboards.charts import Series, buckets, line_chart, nice_max, runs, time_label, time_ticks
from dashboards.pages_ops_common import fmt_bps_axis, fmt_pct

START = datetime(2024, 11, 23, 0, 0, tzinfo=UTC).timestamp()  # 07:00 in Vietnam
HOUR = 3600.0


def regular(start: float, end: float, step: float, value: float = 1e6) -> list[tuple[float, float]]:
    out, t = [], start
    while t < end:
        out.append((t, value))
        t += step
    return out


def test_nice_max_rounds_up_to_1_2_25_5() -> None:
    assert nice_max(0.83) == 1.0
    assert nice_max(130e6) == 200e6
    assert nice_max(2.2) == 2.5
    assert nice_max(4.1e3) == 5e3
    assert nice_max(0) == 1.0


def test_a_regular_series_is_one_line() -> None:
    points = regular(START, START + 6 * HOUR, 60)
    pieces = runs(buckets(points, START, START + 6 * HOUR, 288))
    assert len(pieces) == 1


def test_missing_data_is_a_gap_not_a_line() -> None:
    points = regular(START, START + 2 * HOUR, 60) + regular(START + 3 * HOUR, START + 6 * HOUR, 60)
    svg = line_chart([Series("in", points)], START, START + 6 * HOUR, title="t", fmt=str)
    assert len(re.findall(r'class="line s1"', svg)) == 2
    assert len(runs(buckets(points, START, START + 6 * HOUR, 288))) == 2


def test_nan_values_are_gaps_too() -> None:
    points = regular(START, START + HOUR, 60)
    points[20:30] = [(t, float("nan")) for t, _ in points[20:30]]
    assert len(runs(buckets(points, START, START + HOUR, 100))) == 2


def test_y_axis_scales_to_the_peak_and_uses_the_formatter() -> None:
    points = [(START + i * 60, 130e6 if i == 10 else 20e6) for i in range(100)]
    svg = line_chart([Series("in", points)], START, START + 100 * 60, title="t",
                     fmt=fmt_bps_axis)
    labels = re.findall(r'class="ylab"[^>]*>([^<]+)<', svg)
    assert labels[0] == "0" and labels[-1] == "200.0 Mbit/s"


def test_ratio_chart_has_fixed_top() -> None:
    svg = line_chart([Series("u", [(START, 0.1), (START + 60, 0.2)])], START, START + 120,
                     title="t", fmt=fmt_pct, y_max=1.0)
    assert re.findall(r'class="ylab"[^>]*>([^<]+)<', svg)[-1] == "100 %"


def test_empty_data_says_so_and_stays_accessible() -> None:
    svg = line_chart([Series("in", [])], START, START + HOUR, title="Traffic Gi0/1",
                     fmt=str, empty="No history yet")
    assert 'role="img"' in svg
    assert "<title" in svg and "Traffic Gi0/1" in svg
    assert "No history yet" in svg
    assert "class=\"line" not in svg


def test_description_gives_last_and_peak() -> None:
    points = [(START + i * 60, float(i)) for i in range(60)]
    svg = line_chart([Series("CPU", points)], START, START + HOUR, title="CPU",
                     fmt=lambda v: f"{v:.0f}%")
    desc = re.search(r"<desc[^>]*>([^<]+)</desc>", svg)
    assert desc is not None and desc.group(1).startswith("CPU: ") and "max 59%" in desc.group(1)


def test_time_labels_are_vietnam_time() -> None:
    assert time_label(START, 6 * HOUR) == "07:00"
    assert time_label(START, 30 * 86400) == "23/11"
    ticks = time_ticks(START + 600, START + 6 * HOUR)
    assert all(abs((t + 7 * HOUR) % HOUR) < 1e-6 for t in ticks)
    assert 2 <= len(ticks) <= 7


def test_band_and_area_are_drawn_when_asked() -> None:
    points = regular(START, START + HOUR, 10)
    svg = line_chart([Series("x", points, area=True, band=True)], START, START + HOUR,
                     title="t", fmt=str)
    assert 'class="band s1"' in svg and 'class="area s1"' in svg


def test_thirty_days_of_ten_second_samples_stay_small() -> None:
    points = regular(START, START + 30 * 86400, 10)
    svg = line_chart([Series("x", points)], START, START + 30 * 86400, title="t", fmt=str)
    assert len(svg) < 40_000
