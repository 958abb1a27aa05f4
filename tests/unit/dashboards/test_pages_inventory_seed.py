"""A small seeded inventory and an app serving the inventory pages, shared by the page tests.

Also used by the browser test. :class:`As` is the test stand-in for the
login middleware: it puts a chosen :class:`Principal` on every request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dashboards.pages_inventory import make_inventory_router
from inventory.enums import Via
from inventory.models import Base, Device
from inventory.records import DiscoveredFact
from inventory.reports import add_months
from inventory.service import Actor, Inventory
from noc.auth.roles import Principal, Role
from noc.db import make_engine, session_factory

DASHBOARDS = Path(__file__).parents[3] / "dashboards"
TECH = Principal("tech", Role.TECHNICIAN)
VIEWER = Principal("watcher", Role.VIEWER)
SCOPED = Principal("bn-clerk", Role.VIEWER, agency="Q1")
CSRF = "test-csrf-token"
TODAY = date.today()
PROGRAM = "Đề án CQĐT 2021-2025"

AGENCIES = [
    {"code": "HCM-IT", "kind": "city", "name_vi": "Trung tâm Chuyển đổi số",
     "name_en": "Digital Transformation Center"},
    {"code": "Q1", "kind": "district", "name_vi": "Quận 1", "name_en": "District 1"},
    {"code": "Q1-BN", "kind": "ward", "name_vi": "Phường Bến Nghé", "parent": "Q1",
     "contact_name": "Trần Thị Lan", "contact_phone": "028 3822 0000"},
    {"code": "SO-YT", "kind": "department", "name_vi": "Sở Y tế",
     "name_en": "Department of Health"},
]
SITES = [
    {"code": "DC", "agency": "HCM-IT", "name": "Trung tâm dữ liệu", "role": "datacenter"},
    {"code": "Q1-UB", "agency": "Q1", "name": "UBND Quận 1"},
    {"code": "Q1-BN-UB", "agency": "Q1-BN", "name": "UBND Phường Bến Nghé",
     "address": "29 Lê Duẩn"},
    {"code": "SO-YT-TS", "agency": "SO-YT", "name": "Trụ sở Sở Y tế"},
]
DEVICES: list[dict[str, Any]] = [
    {"name": "core1", "site": "DC", "device_class": "core_switch", "vendor": "Cisco",
     "model": "C9500-24Y4C", "serial": "FOC-CORE-1", "mgmt_address": "127.0.0.1",
     "credentials": "core", "purchase_date": date(2022, 3, 1), "funding_program": PROGRAM,
     "warranty_end": add_months(TODAY, 2)},
    {"name": "q1-sw1", "site": "Q1-UB", "device_class": "access_switch", "vendor": "Cisco",
     "model": "WS-C2960X-24TS-L", "serial": "FOC1234X", "asset_tag": "HCM-0001",
     "mgmt_address": "127.0.1.1", "credentials": "ward", "purchase_date": date(2021, 6, 15),
     "funding_program": PROGRAM, "custodian": "Nguyễn Văn Bình"},
    {"name": "bn-sw1", "site": "Q1-BN-UB", "device_class": "access_switch", "vendor": "HPE",
     "model": "2530-24G", "serial": "SN-BN-1", "mgmt_address": "127.0.2.1", "credentials": "ward",
     "purchase_date": date(2019, 1, 10), "warranty_end": TODAY - timedelta(days=30)},
    {"name": "bn-pc1", "site": "Q1-BN-UB", "device_class": "workstation", "monitoring": "none",
     "status": "spare", "asset_tag": "HCM-0002", "custodian": "Lê Đức Anh"},
    {"name": "yt-fw1", "site": "SO-YT-TS", "device_class": "firewall", "vendor": "Fortinet",
     "model": "FG-100F", "serial": "FGT100F", "mgmt_address": "127.0.3.1", "monitoring": "icmp",
     "end_of_life": add_months(TODAY, 20), "purchase_date": date(2023, 2, 1)},
]
LINKS = [
    {"name": "core1-q1", "a_device": "core1", "a_interface": "Gi1/0/1", "b_device": "q1-sw1",
     "b_interface": "Gi0/1", "network": "metronet", "bandwidth_mbps": 1000},
]


def seed(sessions: sessionmaker[Session]) -> None:
    """Write the seed records (audited as ``seed``) and two discovered differences."""
    with sessions() as session:
        inv = Inventory(session, Actor("seed", Via.CLI))
        tables: list[tuple[str, list[dict[str, Any]]]] = [
            ("agency", AGENCIES), ("site", SITES), ("device", DEVICES), ("link", LINKS)]
        for entity, records in tables:
            for record in records:
                inv.put(entity, record)
        session.flush()
        ids = {name: ident for name, ident in session.execute(select(Device.name, Device.id))}
        session.add_all([
            DiscoveredFact(subject="q1-sw1", device_id=ids["q1-sw1"], field="serial",
                           value="FOC9999Z", source="snmp"),
            DiscoveredFact(subject="bn-sw1", device_id=ids["bn-sw1"], field="firmware",
                           value="YA.16.10", source="snmp"),
        ])
        session.commit()


@dataclass
class As:
    """The principal every request acts as (None: anonymous), and the change-hook calls."""

    user: Principal | None = TECH
    changes: list[int] = field(default_factory=list)


def make_sessions(directory: Path) -> sessionmaker[Session]:
    """A fresh SQLite inventory in ``directory``, seeded."""
    engine = make_engine(f"sqlite:///{directory / 'inventory.db'}")
    Base.metadata.create_all(engine)
    sessions = session_factory(engine)
    seed(sessions)
    return sessions


def make_app(sessions: sessionmaker[Session], who: As) -> FastAPI:
    """An app serving the inventory pages and the static files, acting as ``who.user``."""
    app = FastAPI()
    app.mount("/static", StaticFiles(directory=DASHBOARDS / "static"), name="static")
    app.include_router(make_inventory_router(sessions, lambda: who.changes.append(1)))

    @app.middleware("http")
    async def principal(request: Request, call_next: Callable[..., Response]) -> Response:
        request.state.user = who.user
        request.state.csrf_token = CSRF
        response: Response = await call_next(request)  # type: ignore[misc]
        return response

    return app


def test_seed_is_consistent(tmp_path: Path) -> None:
    sessions = make_sessions(tmp_path)
    with sessions() as session:
        assert len(session.scalars(select(Device)).all()) == len(DEVICES)
