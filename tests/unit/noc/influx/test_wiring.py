"""The writer's self-metrics reach /metrics through the Snapshot, and the runtime hook."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import CollectorRegistry

from inventory.catalog import Catalog
from noc.influx.export import InfluxExport
from noc.influx.writer import InfluxStats
from noc.metrics import NocCollector, Snapshot
from noc.scheduler import SchedulerStats
from noc.settings import Settings
from noc.state import DeviceState


def test_noc_collector_exports_influx_families_only_when_enabled() -> None:
    stats = InfluxStats(1024, 10, 3.5, 100, 7, 2, 3)
    for influx, expected in ((stats, 7.0), (None, None)):
        reg = CollectorRegistry()
        snap = Snapshot(Catalog(), {}, [], SchedulerStats(), {}, {}, influx)
        reg.register(NocCollector(lambda snap=snap: snap))
        assert reg.get_sample_value("noc_influx_points_dropped_total") == expected


def test_export_is_off_without_url_and_feeds_the_writer(tmp_path: Path) -> None:
    assert InfluxExport.from_settings(Settings(data_dir=tmp_path)) is None
    settings = Settings.model_validate({"data_dir": tmp_path, "influx": {
        "url": "http://127.0.0.1:9", "kind": "v1", "database": "noc"}})
    export = InfluxExport.from_settings(settings)
    assert export is not None
    assert export.writer.buffer.directory == tmp_path / "influx-buffer"
    export.feed(DeviceState("sw1", up=False, last_poll=1.0), None)
    assert export.stats().buffer_points == 1
