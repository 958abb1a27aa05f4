"""Import 20,000 asset rows from CSV: seconds and rows/s, against a bare bulk insert.

Generates realistic assets (workstations, printers, kiosks, barcode readers,
access switches) spread over the sites of the city lab, with Vietnamese
custodian names, serials, asset tags, purchase dates and funding programs.
Each run starts from a fresh database holding the lab's inventory, then:

* **import**: parse the CSV and :func:`inventory.io.run_import` it (every row
  validated, references and uniqueness checked, every record audited, one
  transaction);
* **baseline**: the same rows inserted with one SQLAlchemy Core
  ``insert(device)`` executemany (no validation, no audit): the floor;
* **export**: the device table back to CSV, and the whole inventory to YAML.

Medians of ``--runs`` runs (wall time: the database's work is part of it), on
SQLite, and on a private PostgreSQL 15 when ``/usr/lib/postgresql/15/bin`` exists.

    .venv/bin/python bench/inventory_import.py [--rows 20000] [--runs 3] [--no-postgres]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inventory.enums import Via
from inventory.io import export_csv, export_yaml, read_csv, run_import, write_csv
from inventory.models import Device, Site
from inventory.service import Actor
from noc.db import init_schema, make_engine, session_factory
from noc.lab.inventory import write_lab_inventory
from noc.lab.topology import build_topology

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
          "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Quốc", "Thanh", "Đức", "Bích", "Xuân"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hạnh", "Hương", "Khánh", "Lan", "Long", "Mai",
         "Nam", "Phúc", "Quân", "Sơn", "Thảo", "Thủy", "Trang", "Tuấn", "Yến"]
PROGRAMS = ["Đề án CQĐT 2021-2025", "Chương trình Chuyển đổi số 2022", "Ngân sách thường xuyên",
            "Dự án Một cửa điện tử", "Tài trợ ODA Hàn Quốc"]
KINDS = [  # class, name part, vendor, model, share
    ("workstation", "pc", "Dell", "OptiPlex 7090", 55),
    ("printer", "prn", "HP", "LaserJet Pro M404dn", 18),
    ("kiosk", "kiosk", "Viettel", "Kiosk tra cứu TTHC", 8),
    ("barcode_reader", "scan", "Zebra", "DS2208", 12),
    ("access_switch", "asw", "Cisco", "Catalyst 2960-X", 7),
]


def assets(rows: int, seed: int = 7) -> list[dict[str, Any]]:
    """``rows`` asset records at the city lab's sites (loopback addresses only)."""
    rng = random.Random(seed)
    sites = [s.code for s in build_topology("city").sites]
    weights = [k[4] for k in KINDS]
    out = []
    for n in range(rows):
        cls, part, vendor, model, _ = rng.choices(KINDS, weights)[0]
        bought = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
        site = sites[n % len(sites)]
        address = f"127.{40 + n // 65025}.{n // 255 % 255}.{n % 255 + 1}"
        switch = cls == "access_switch"
        out.append({
            "name": f"{site.lower()}-{part}{n:05d}", "site": site, "device_class": cls,
            "vendor": vendor, "model": model, "serial": f"VN{rng.getrandbits(40):010X}",
            "asset_tag": f"TPHCM-{bought.year}-{n:06d}",
            "mgmt_address": address if switch or cls == "workstation" else None,
            "credentials": "lab" if switch else None,
            "monitoring": "snmp" if switch else "icmp" if cls == "workstation" else "none",
            "status": rng.choice(["active"] * 8 + ["spare", "in_repair"]),
            "purchase_date": bought, "funding_program": rng.choice(PROGRAMS),
            "warranty_end": bought + timedelta(days=365 * rng.choice([1, 3, 5])),
            "custodian": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            "notes": rng.choice(["", "", "Phòng một cửa", "Tầng 2", "Đã bảo trì 2024"]),
        })
    return out


def fresh(url_for: Callable[[int], str], run: int) -> Any:
    """A migrated database holding the city lab's inventory."""
    engine = make_engine(url_for(run))
    init_schema(engine)
    with session_factory(engine)() as session:
        write_lab_inventory(session, build_topology("city"), 16161)
    return engine


def timed(fn: Callable[[], Any]) -> float:
    """Wall seconds of one call."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench(name: str, url_for: Callable[[int], str], records: list[dict[str, Any]],
          runs: int) -> None:
    """Median import, baseline and export times on one database kind."""
    text = write_csv("device", records)
    actor = Actor("bench", Via.IMPORT)
    imports, cpu, floors, csv_out, yaml_out = [], [], [], [], []
    for run in range(runs):
        engine = fresh(url_for, 2 * run)
        with Session(engine) as session:
            start_cpu = time.process_time()
            imports.append(timed(partial(_import, session, text, actor)))
            cpu.append(time.process_time() - start_cpu)
        with Session(engine) as session:
            csv_out.append(timed(partial(export_csv, session, "device")))
        with Session(engine) as session:
            yaml_out.append(timed(partial(export_yaml, session)))
        engine.dispose()
        floor_engine = fresh(url_for, 2 * run + 1)
        floors.append(timed(partial(_core_insert, floor_engine, records)))
        floor_engine.dispose()
    rows = len(records)
    imp, floor = statistics.median(imports), statistics.median(floors)
    print(f"{name}: import {rows} rows {imp:.2f} s wall ({rows / imp:,.0f} rows/s), "
          f"{statistics.median(cpu):.2f} s CPU of this process; bare Core insert {floor:.2f} s "
          f"({rows / floor:,.0f} rows/s); import/baseline {imp / floor:.1f}x")
    print(f"{name}: export devices CSV {statistics.median(csv_out):.2f} s, whole inventory "
          f"YAML {statistics.median(yaml_out):.2f} s  (import runs: "
          f"{', '.join(f'{t:.2f}' for t in imports)})")


def _import(session: Session, text: str, actor: Actor) -> None:
    run_import(session, read_csv(text, "devices.csv"), actor)


def _core_insert(engine: Any, records: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        site_ids = dict(conn.execute(select(Site.code, Site.id)).all())
        rows = [{**{k: v for k, v in r.items() if k != "site"}, "site_id": site_ids[r["site"]]}
                for r in records]
        conn.execute(insert(Device.__table__), rows)


def main() -> None:
    """Run the benchmark on SQLite, then on PostgreSQL if it is installed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    records = assets(args.rows)
    with tempfile.TemporaryDirectory(prefix="noc-bench-inv-") as tmp:
        bench("sqlite", lambda n: f"sqlite:///{tmp}/run{n}.sqlite3", records, args.runs)
    if args.no_postgres or not Path("/usr/lib/postgresql/15/bin").exists():
        print("postgresql: skipped")
        return
    from tests.peers.postgres import PostgresPeer

    with PostgresPeer() as peer:
        bench("postgresql", lambda n: peer.create_database(f"bench{n}"), records, args.runs)


if __name__ == "__main__":
    main()
