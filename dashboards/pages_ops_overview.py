"""What the operators' pages add to the overview wall screen, and the hook of the /alerts pages.

:func:`overview_extras` gives the overview template the network picture
(:mod:`dashboards.topology`), the poller's health (SNMP interval and lag,
ICMP cycle hosts and duration) and the active incidents
(:func:`dashboards.pages_alerts_data.overview_incidents`; None: alerting is
off). The picture is rendered at most once per overview instant and language, whatever the
number of wall screens polling it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup

from dashboards import topology
from dashboards.pages_alerts import make_alerts_router
from dashboards.pages_alerts_data import backend_of_runtime, overview_incidents, safe_snapshot
from dashboards.pages_ops_common import tr, visible_agencies
from dashboards.pages_ops_index import live
from noc.runtime import Runtime

_lock = threading.Lock()
_pictures: dict[tuple[int, float, str, frozenset[str] | None], Markup] = {}


@dataclass(frozen=True, slots=True)
class Health:
    """The poller's self-monitoring, as the wall screen shows it."""

    interval: float
    lag_seconds: float
    polled: int  # devices the NOC polls over SNMP
    completed: int  # polls completed since start
    skipped: int  # polls skipped: the previous one still ran
    icmp_enabled: bool
    icmp_hosts: int
    icmp_replied: int
    icmp_duration: float
    icmp_cycles: int

    @property
    def lag_level(self) -> str:
        """ok, warn (a quarter interval late) or crit (a whole interval late)."""
        if self.lag_seconds > self.interval:
            return "crit"
        return "warn" if self.lag_seconds > self.interval / 4 else "ok"


def health(runtime: Runtime) -> Health:
    """The poller's current health."""
    stats = runtime.scheduler.stats
    icmp = runtime.icmp.stats if runtime.icmp is not None else None
    return Health(runtime.scheduler.interval, stats.lag_seconds, runtime.overview().devices_total,
                  stats.completed, stats.skipped, icmp is not None,
                  icmp.hosts if icmp else 0, icmp.replied if icmp else 0,
                  icmp.last_duration if icmp else 0.0, icmp.cycles if icmp else 0)


def picture(runtime: Runtime, request: Request, lang: str) -> Markup:
    """The topology SVG of the current overview (cached per instant, language and scope)."""
    now = live(runtime)
    visible = visible_agencies(request, now.catalog)
    key = (id(now.catalog), now.ov.at, lang, frozenset(visible) if visible else None)
    with _lock:
        done = _pictures.get(key)
    if done is not None:
        return done
    t = tr(lang)
    down = sum(1 for s in now.ov.agencies if s.status == "down")
    desc = f"{len(now.catalog.agencies)} {t('topo_agencies')}, {down} {t('topo_down')}"
    svg = topology.render(topology.layout(now.catalog), now.catalog, now.statuses, now.loads,
                          t("topology"), desc, visible)
    with _lock:
        _pictures.clear()  # only the current instant is worth keeping
        _pictures[key] = svg
    return svg


def overview_extras(runtime: Runtime) -> Callable[[Request, str], dict[str, Any]]:
    """The function :func:`dashboards.views.make_router` calls for the overview's extras."""

    def extras(request: Request, lang: str) -> dict[str, Any]:
        alerts = overview_incidents(safe_snapshot(backend_of_runtime(runtime)),
                                    visible_agencies(request, runtime.catalog))
        return {"topo": picture(runtime, request, lang), "health": health(runtime),
                "alerts": alerts}

    return extras


def add_alert_routes(router: APIRouter, runtime: Runtime) -> None:
    """Register /alerts and the alerting actions (:mod:`dashboards.pages_alerts`)."""
    router.include_router(make_alerts_router(runtime))
