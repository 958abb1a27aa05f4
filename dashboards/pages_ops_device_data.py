"""What a device page shows beyond live state: charts, drift, configurations, events.

Each part is a small function reading one source: the time-series store
(charts), the device's own drift items (a few indexed queries), the
configuration store (versions and the latest masked diff) and the status
history.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup

from dashboards.charts import Series
from dashboards.pages_ops_common import History, fmt_bps_axis, fmt_pct, fmt_plain
from inventory.catalog import CatDevice
from inventory.drift import DriftItem, drift_report
from noc.availability_db import figures, history, longest_window, recent
from noc.configs.store import ConfigObjectError, ConfigStore, VersionInfo
from noc.runtime import Runtime
from noc.state import DeviceState, InterfaceState

log = logging.getLogger(__name__)
MAX_DIFF_LINES = 400


@dataclass(frozen=True, slots=True)
class IfRow:
    """One interface row of the device page."""

    index: int
    name: str
    alias: str
    up: bool
    admin_up: bool
    speed_bps: int
    in_bps: float | None
    out_bps: float | None
    utilization: float | None
    in_errors: float | None  # per second
    out_errors: float | None
    link: str  # the link recorded on this interface, "" if none


def interface_rows(state: DeviceState | None, links_by_if: dict[int, str]) -> list[IfRow]:
    """The device's interfaces in ifIndex order, with their rates."""
    if state is None:
        return []
    rows = []
    for if_index, iface in sorted(state.interfaces.items()):
        s = iface.sample
        rows.append(IfRow(if_index, s.name or s.descr or str(if_index), s.alias,
                          s.oper_status == 1, s.admin_status == 1, s.speed_bps, iface.in_bps,
                          iface.out_bps, iface.utilization(), iface.rate("in_errors"),
                          iface.rate("out_errors"), links_by_if.get(if_index, "")))
    return rows


def charted_interfaces(rows: list[IfRow], most: int = 3) -> list[IfRow]:
    """The interfaces worth a traffic chart: those carrying links, then the busiest."""
    linked = [r for r in rows if r.link]
    busy = sorted((r for r in rows if not r.link and r.up),
                  key=lambda r: -max(r.in_bps or 0.0, r.out_bps or 0.0))
    return (linked + busy)[:most]


def device_charts(hist: History, name: str, rows: list[IfRow], t: Any) -> list[Markup]:
    """Traffic of the charted interfaces, then CPU, memory, temperature and round-trip."""
    empty = t("no_history") if hist.store is None else t("no_data")
    charts = []
    for row in charted_interfaces(rows):
        series = [Series(t("inbound"), hist.points("if", name, row.name, "in_bps"), "s1",
                         area=True),
                  Series(t("outbound"), hist.points("if", name, row.name, "out_bps"), "s2")]
        title = f"{t('chart_traffic')} {row.name}" + (f" ({row.link})" if row.link else "")
        charts.append(hist.chart(title, series, fmt_bps_axis, empty))
    for key, label, fmt, top in (("cpu", "chart_cpu", fmt_plain(" %"), 100.0),
                                 ("mem_used_ratio", "chart_memory", fmt_pct, 1.0),
                                 ("temp_max_c", "chart_temperature", fmt_plain(" °C"), None),
                                 ("rtt_ms", "chart_rtt", fmt_plain(" ms"), None)):
        points = hist.points("dev", name, key)
        charts.append(hist.chart(t(label), [Series(t(label), points, "s1", area=True,
                                                   band=True)], fmt, empty, y_max=top))
    return charts


def drift_for(runtime: Runtime, device: str) -> list[DriftItem]:
    """The drift items of one device (a few indexed queries: cheap enough per page)."""
    try:
        with runtime.sessions() as session:
            return drift_report(session, datetime.now(UTC).replace(tzinfo=None), device=device)
    except Exception:  # a broken report must not take the device page down
        log.exception("drift report of %s failed", device)
        return []


@dataclass(frozen=True, slots=True)
class Configs:
    """Stored configuration versions of a device, newest first, and the latest diff."""

    versions: list[VersionInfo]
    diff: list[str]  # masked unified diff lines of the latest change ([] if none)
    truncated: bool
    error: str = ""


def configs_for(runtime: Runtime, dev: CatDevice) -> Configs:
    """The device's configuration versions and the masked diff of the latest change."""
    store = ConfigStore(runtime.settings.data_dir / "configs", runtime.sessions)
    try:
        versions = store.versions(dev.name)
    except LookupError:
        return Configs([], [], False)
    lines: list[str] = []
    error = ""
    if len(versions) >= 2:
        try:
            lines = store.diff(dev.name, platform=dev.platform).splitlines()
        except (ConfigObjectError, LookupError) as exc:
            error = str(exc)
    return Configs(list(reversed(versions)), lines[:MAX_DIFF_LINES],
                   len(lines) > MAX_DIFF_LINES, error)


def status_history(runtime: Runtime, name: str) -> tuple[dict[str, Any], list[Any]]:
    """Availability over 24h/7d/30d and the last stored status changes of a device."""
    stamp = time.time()
    with runtime.sessions() as session:
        changes = history(session, "device", [name], longest_window(stamp))[name]
        last = recent(session, "device", name)
    return dict(figures(changes, stamp)), last


def uptime_seconds(state: DeviceState | None) -> float | None:
    """The device's sysUpTime in seconds (None before the first answer)."""
    if state is None or state.system is None or not state.system.uptime_ticks:
        return None
    return state.system.uptime_ticks / 100


def fmt_duration(seconds: float | None) -> str:
    """A duration as 12d 4h, 3h 05m or 42m."""
    if seconds is None:
        return "–"
    secs = int(seconds)
    if secs >= 86400:
        return f"{secs // 86400}d {secs % 86400 // 3600}h"
    if secs >= 3600:
        return f"{secs // 3600}h {secs % 3600 // 60:02d}m"
    return f"{secs // 60}m"


def interface_of(state: DeviceState | None, if_index: int | None) -> InterfaceState | None:
    """One interface's live state, if known."""
    if state is None or if_index is None:
        return None
    return state.interfaces.get(if_index)
