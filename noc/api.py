"""The read-only JSON API, version 1: agencies with their connection status, devices, health.

Secrets never appear: devices show their credentials *profile name* only. A
viewer limited to one agency sees that agency and its wards only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request

from noc.auth.roles import agency_scope
from noc.auth.scope import visible_agencies
from noc.runtime import Runtime
from noc.state import DeviceState


def make_api(runtime: Callable[[], Runtime]) -> APIRouter:
    """The /api/v1 router over the running NOC."""
    router = APIRouter(prefix="/api/v1", tags=["api"])

    def visible(request: Request, rt: Runtime) -> set[str] | None:
        return visible_agencies(agency_scope(request), rt.catalog)

    @router.get("/agencies")
    def agencies(request: Request, kind: str | None = None,
                 status: str | None = None) -> list[dict[str, Any]]:
        """Every agency with its connection status (filter by kind and status)."""
        rt = runtime()
        cat = rt.catalog.agencies
        seen = visible(request, rt)
        return [
            {"code": s.code, "kind": s.kind, "name_vi": s.name_vi, "name_en": s.name_en,
             "parent": cat[s.code].parent, "status": s.status,
             "connected": s.status in ("up", "degraded"), "since": s.since,
             "devices_up": s.devices_up, "devices_total": s.devices_total,
             "reason": s.reason, "upstream": s.upstream}
            for s in rt.overview().agencies
            if (kind is None or s.kind == kind) and (status is None or s.status == status)
            and (seen is None or s.code in seen)
        ]

    @router.get("/devices")
    def devices(request: Request, agency: str | None = None) -> list[dict[str, Any]]:
        """Every device with its live status."""
        rt = runtime()
        seen = visible(request, rt)
        return [_device(d.name, rt) for d in rt.catalog.devices.values()
                if (agency is None or d.agency == agency)
                and (seen is None or d.agency in seen)]

    @router.get("/devices/{name}")
    def device(request: Request, name: str) -> dict[str, Any]:
        """One device with its interfaces."""
        rt = runtime()
        seen = visible(request, rt)
        dev = rt.catalog.devices.get(name)
        if dev is None or (seen is not None and dev.agency not in seen):
            raise HTTPException(404, f"no device {name!r}")
        out = _device(name, rt)
        state = rt.state.devices().get(name)
        out["interfaces"] = [
            {"if_index": i.sample.if_index, "name": i.sample.name, "alias": i.sample.alias,
             "admin_up": i.sample.admin_status == 1, "oper_up": i.sample.oper_status == 1,
             "speed_bps": i.sample.speed_bps, "in_bps": i.in_bps, "out_bps": i.out_bps,
             "counters": dict(i.sample.counters)}
            for i in (state.interfaces.values() if state else [])
        ]
        return out

    @router.get("/snmp/engines")
    def engines() -> dict[str, Any]:
        """SNMPv3 engines by device, duplicate engine IDs and discovery errors."""
        return runtime().engines.summary()

    @router.get("/summary")
    def summary() -> dict[str, Any]:
        """Connected counts per agency kind and device totals."""
        ov = runtime().overview()
        return {"counts": {k: {"connected": c, "total": t} for k, (c, t) in ov.counts.items()},
                "devices_up": ov.devices_up, "devices_total": ov.devices_total, "at": ov.at}

    return router


def _device(name: str, rt: Runtime) -> dict[str, Any]:
    dev = rt.catalog.devices[name]
    state = rt.state.devices().get(name)
    return {
        "name": dev.name, "agency": dev.agency, "site": dev.site, "class": dev.device_class,
        "address": dev.address, "vendor": dev.vendor, "model": dev.model, "serial": dev.serial,
        "monitoring": dev.monitoring, "credentials": dev.credentials,
        "up": state.up if state else None, "since": state.since if state else None,
        "last_poll": state.last_poll if state else None,
        "last_error": state.last_error if state else "",
        "sys_name": state.system.name if state and state.system else None,
        "uptime_seconds": state.system.uptime_ticks / 100 if state and state.system else None,
        "icmp": _icmp(state),
    }


def _icmp(state: DeviceState | None) -> dict[str, Any] | None:
    """Confirmed ICMP reachability and the last cycle's RTT/loss (None: not pinged yet)."""
    if state is None or (state.icmp is None and state.icmp_up is None):
        return None
    sample = state.icmp
    return {"up": state.icmp_up, "since": state.icmp_since,
            "rtt_avg_ms": sample.rtt_avg_ms if sample else None,
            "rtt_max_ms": sample.rtt_max_ms if sample else None,
            "loss_percent": sample.loss_percent if sample else None}


def health(runtime: Runtime) -> dict[str, Any]:
    """Liveness and a little self-monitoring for /healthz."""
    stats = runtime.scheduler.stats
    return {"status": "ok", "uptime_seconds": round(time.time() - runtime.started_at, 1),
            "devices": len(runtime.catalog.devices), "polls": stats.started,
            "lag_seconds": round(stats.lag_seconds, 3)}
