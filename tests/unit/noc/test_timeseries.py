import math
import struct
from pathlib import Path

import pytest

from noc.timeseries import SeriesStore
from noc.timeseries_file import MAGIC

T0 = 1_700_000_400.0  # a multiple of 300 and 60
K = ("dev", "sw1", "cpu")


def finite(points):
    return [(t, v) for t, v in points if not math.isnan(v)]


def test_one_value_per_slot_comes_back_at_its_slot_start():
    store = SeriesStore()
    for i in range(5):
        store.record(K, T0 + 60 * i + 7, float(i))
    assert store.points(K, T0, T0 + 3600) == [(T0 + 60 * i, float(i)) for i in range(5)]


def test_values_in_one_slot_are_averaged():
    store = SeriesStore()
    for v in (10.0, 20.0, 60.0):
        store.record(K, T0 + 5, v)
    assert store.points(K, T0, T0 + 60) == [(T0, 30.0)]


def test_non_finite_values_and_late_values_are_not_stored():
    store = SeriesStore()
    store.record(K, T0, math.nan)
    assert K not in store.series
    store.record(K, T0 + 120, 1.0)
    store.record(K, T0, 5.0)  # older than the newest slot
    store.record(K, T0 + 120, math.inf)
    assert store.points(K, T0 - 600, T0 + 600) == [(T0 + 120, 1.0)]


def test_raw_ring_wraps_and_keeps_the_last_24_hours():
    store = SeriesStore(raw_step=60, raw_span=600, down_step=300, down_span=3600)
    for i in range(25):  # 25 minutes into a 10-slot ring
        store.record(K, T0 + 60 * i, float(i))
    ring = store.series[K].raw
    assert len(ring.avg) == 10 and ring.first() == int(T0 // 60) + 15
    window = store.points(K, T0 + 900, T0 + 1500)
    assert window == [(T0 + 60 * i, float(i)) for i in range(15, 25)]


def test_windows_older_than_raw_retention_read_downsampled_avg_min_max():
    store = SeriesStore(raw_step=60, raw_span=600, down_step=300, down_span=7200)
    for i in range(30):  # 30 minutes, values 0..29
        store.record(K, T0 + 60 * i, float(i))
    avg = store.points(K, T0, T0 + 1800)
    assert avg == [(T0 + 300 * b, 5 * b + 2.0) for b in range(6)]
    assert store.points(K, T0, T0 + 1800, agg="min") == [(T0 + 300 * b, 5.0 * b) for b in range(6)]
    assert store.points(K, T0, T0 + 1800, agg="max")[0] == (T0, 4.0)


def test_downsampled_bucket_min_max_cover_every_value_not_only_slot_means():
    store = SeriesStore(raw_step=60, raw_span=60, down_step=300, down_span=3600)
    for v in (1.0, 9.0, 5.0):  # all in one raw slot: mean 5
        store.record(K, T0 + 1, v)
    assert store.points(K, T0 - 600, T0 + 300, agg="min") == [(T0, 1.0)]
    assert store.points(K, T0 - 600, T0 + 300, agg="max") == [(T0, 9.0)]


def test_a_long_silence_is_one_nan_point_short_ones_are_bridged():
    store = SeriesStore(gap=600)
    for minute in (0, 5, 10, 40, 41):  # facts every 5 min, then a 30-min outage
        store.record(K, T0 + 60 * minute, float(minute))
    pts = store.points(K, T0, T0 + 3600)
    times = [t for t, _ in pts]
    assert times == [T0, T0 + 300, T0 + 600, T0 + 660, T0 + 2400, T0 + 2460]
    assert math.isnan(pts[3][1]) and len(finite(pts)) == 5


def test_a_silence_longer_than_the_ring_blanks_it_all():
    store = SeriesStore(raw_step=60, raw_span=600, down_step=300, down_span=3000)
    store.record(K, T0, 1.0)
    store.record(K, T0 + 86_400, 2.0)
    assert store.points(K, T0, T0 + 86_400) == [(T0 + 86_400, 2.0)]


def test_thinning_minmax_keeps_spikes_and_the_point_budget():
    store = SeriesStore()
    for i in range(1440):
        store.record(K, T0 + 60 * i, 500.0 if i == 777 else float(i % 10))
    pts = store.points(K, T0, T0 + 86_400, step=100)
    assert len(pts) <= 100
    assert max(v for _, v in pts) == 500.0 and min(v for _, v in pts) == 0.0
    assert [t for t, _ in pts] == sorted(t for t, _ in pts)


def test_thinning_avg_averages_chunks():
    store = SeriesStore()
    for i in range(100):
        store.record(K, T0 + 60 * i, float(i))
    pts = store.points(K, T0, T0 + 6000, step=10, thin="avg")
    assert pts == [(T0 + 600 * c, 10 * c + 4.5) for c in range(10)]


def test_thinning_keeps_long_gaps():
    store = SeriesStore()
    for i in list(range(0, 300)) + list(range(900, 1200)):
        store.record(K, T0 + 60 * i, 1.0)
    pts = store.points(K, T0, T0 + 72_000, step=60)
    assert len(pts) <= 61 and sum(1 for _, v in pts if math.isnan(v)) == 1


def test_keys_by_prefix_and_stats():
    store = SeriesStore(max_series=3)
    for key in (("if", "a", "x", "in_bps"), ("if", "a", "y", "in_bps"), ("dev", "a", "up"),
                ("dev", "b", "up")):
        store.record(key, T0, 1.0)
    assert store.keys(("if", "a")) == [("if", "a", "x", "in_bps"), ("if", "a", "y", "in_bps")]
    stats = store.stats()
    assert stats["series"] == 3 and stats["dropped"] == 1
    assert stats["points"] == 6 and stats["bytes"] >= 3 * 4 * 4


def test_for_interval_caps_raw_slots():
    assert SeriesStore.for_interval(60).raw_cap == 1440
    assert SeriesStore.for_interval(10).raw_cap == 2880


def test_prune_forgets_series_silent_for_the_whole_retention():
    store = SeriesStore(down_span=3600)
    store.record(("dev", "old", "up"), T0, 1.0)
    store.record(("dev", "new", "up"), T0 + 7200, 1.0)
    assert store.prune(T0 + 7200) == 1 and store.keys() == [("dev", "new", "up")]


def _filled(**kw: float) -> SeriesStore:
    store = SeriesStore(**kw)  # type: ignore[arg-type]
    for i in range(2000):  # wraps the raw ring
        store.record(K, T0 + 60 * i, float(i % 37))
        store.record(("if", "r1", "Gi0/1 \"uplink\" é", "in_bps"), T0 + 60 * i, 1e9 + i)
    return store


def test_save_and_load_round_trip(tmp_path: Path):
    store, path = _filled(), tmp_path / "series.bin"
    store.save(path)
    again = SeriesStore()
    assert again.load(path)
    assert again.keys() == store.keys()
    for key in store.series:
        for agg in ("avg", "min", "max"):
            assert again.points(key, T0, T0 + 200_000, agg=agg) == \
                store.points(key, T0, T0 + 200_000, agg=agg)
        assert again.points(key, T0 + 100_000, T0 + 200_000) == \
            store.points(key, T0 + 100_000, T0 + 200_000)
    again.record(K, T0 + 60 * 2000, 99.0)  # recording continues where it stopped
    assert again.points(K, T0 + 60 * 1999, T0 + 60 * 2000)[-1] == (T0 + 60 * 2000, 99.0)
    assert not path.with_name("series.bin.tmp").exists()


def test_a_changed_poll_interval_keeps_the_downsampled_tier(tmp_path: Path):
    path = tmp_path / "series.bin"
    _filled().save(path)
    other = SeriesStore(raw_step=30)
    assert other.load(path)
    assert len(other.series[K].raw.avg) == 0 and len(other.series[K].down.avg) > 0


@pytest.mark.parametrize("damage", ["flip", "truncate", "version", "garbage", "empty"])
def test_a_damaged_file_is_ignored_and_the_store_starts_empty(tmp_path: Path, damage: str,
                                                               caplog: pytest.LogCaptureFixture):
    path = tmp_path / "series.bin"
    _filled().save(path)
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF
    elif damage == "truncate":
        data = data[: len(data) // 3]
    elif damage == "version":
        data[len(MAGIC):len(MAGIC) + 4] = struct.pack("<I", 99)
    elif damage == "garbage":
        data = bytearray(b"not a series file at all" * 10)
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    store = _filled()
    assert not store.load(path)
    assert store.series == {}
    assert "ignored" in caplog.text


def test_a_missing_file_is_a_quiet_empty_start(tmp_path: Path):
    store = SeriesStore()
    assert not store.load(tmp_path / "none.bin") and store.series == {}
