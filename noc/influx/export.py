"""The runtime's hook: poll results -> points -> :class:`~noc.influx.writer.InfluxWriter`."""

from __future__ import annotations

from pathlib import Path

from inventory.catalog import CatDevice
from noc.influx.points import PointBuilder
from noc.influx.writer import InfluxStats, InfluxWriter
from noc.settings import Settings
from noc.state import DeviceState


class InfluxExport:
    """Owns the writer and the point builder; :meth:`feed` after every device poll."""

    def __init__(self, settings: Settings) -> None:
        cfg = settings.influx
        buffer_dir = cfg.buffer_dir or Path(settings.data_dir) / "influx-buffer"
        self.writer = InfluxWriter(cfg, buffer_dir)
        self.builder = PointBuilder(cfg.layout, cfg.measurement_prefix)

    @classmethod
    def from_settings(cls, settings: Settings) -> InfluxExport | None:
        """The export, or None when ``influx.url`` is empty."""
        return cls(settings) if settings.influx.enabled else None

    def feed(self, dev: DeviceState, cat: CatDevice | None) -> None:
        """Queue the points of the device's latest poll (no I/O)."""
        self.writer.add(self.builder.device_lines(dev, cat))

    async def start(self) -> None:
        """Replay what a previous run left, then start writing."""
        await self.writer.start()

    async def stop(self) -> None:
        """Flush to disk, drain briefly, stop (the rest waits on disk for the next start)."""
        await self.writer.stop()

    def stats(self) -> InfluxStats:
        """Self-metrics snapshot."""
        return self.writer.stats()
