"""The inventory reports on SQLite and PostgreSQL, checked against counts made from the seed."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.orm import Session

from inventory.enums import DeviceClass, DeviceStatus, Via
from inventory.reports import (
    TOTAL,
    add_months,
    counts_by_class,
    counts_by_funding,
    counts_by_status,
    lifecycle,
    to_csv,
)
from inventory.service import Actor, Inventory
from tests.integration.inventory.conftest import Db

pytestmark = pytest.mark.integration

TODAY = date(2025, 6, 15)
AGENCIES = {  # code: (kind, name_vi, parent)
    "TTDL": ("city", "Trung tâm Dữ liệu Thành phố", None),
    "STTTT": ("department", "Sở Thông tin và Truyền thông", None),
    "Q1": ("district", "Quận 1", None),
    "Q1-BN": ("ward", "Phường Bến Nghé", "Q1"),
    "Q1-DK": ("ward", "Phường Đa Kao", "Q1"),  # no devices: a row of zeros
}
CLASSES = ["workstation", "server", "access_switch", "printer", "kiosk", "router"]
STATUSES = ["active", "active", "spare", "in_repair", "retired", "planned", "active"]
PROGRAMS = ["Đề án 06", "Chương trình chuyển đổi số", ""]
WARRANTIES = [date(2024, 1, 31), date(2025, 8, 31), date(2025, 12, 15), date(2025, 12, 16),
              date(2027, 1, 1), None]
END_OF_LIFE = [None, date(2026, 3, 1), date(2025, 6, 14), None, date(2030, 1, 1)]


@dataclass(frozen=True)
class Seeded:
    agency: str
    name: str
    device_class: str
    status: str
    funding_program: str
    purchase_date: date | None
    warranty_end: date | None
    end_of_life: date | None


def _devices() -> list[Seeded]:
    """47 devices spread over 4 agencies, each field cycling at its own period."""
    agencies = ["TTDL", "STTTT", "Q1", "Q1-BN"]
    out = []
    for n in range(47):
        purchase = None if n % 9 == 0 else date(2019 + n % 5, 1 + n % 12, 1)
        warranty = WARRANTIES[n % len(WARRANTIES)]
        if purchase and warranty and warranty < purchase:
            warranty = None
        out.append(Seeded(agencies[n % 4], f"dev-{n:02d}", CLASSES[n % 6], STATUSES[n % 7],
                          PROGRAMS[n % 3], purchase, warranty, END_OF_LIFE[n % 5]))
    return out


SEED = _devices()


@pytest.fixture
def session(db: Db) -> Iterator[Session]:
    with db.sessions() as s:
        inv = Inventory(s, Actor("import", Via.IMPORT))
        for code, (kind, name_vi, parent) in AGENCIES.items():
            inv.put("agency", {"code": code, "kind": kind, "name_vi": name_vi, "parent": parent})
            inv.put("site", {"code": code, "agency": code, "name": f"Trụ sở {name_vi}"})
        for d in SEED:
            inv.put("device", {"name": d.name, "site": d.agency, "device_class": d.device_class,
                               "status": d.status, "monitoring": "none",
                               "funding_program": d.funding_program,
                               "purchase_date": d.purchase_date, "serial": f"SN{d.name}",
                               "warranty_end": d.warranty_end, "end_of_life": d.end_of_life})
        s.commit()
        yield s


def _rows(report_rows: tuple[tuple[object, ...], ...], columns: tuple[str, ...]) -> dict[
        object, dict[str, object]]:
    return {row[0]: dict(zip(columns, row, strict=True)) for row in report_rows}


def test_counts_by_class_match_the_seed_per_agency_and_city(session: Session) -> None:
    report = counts_by_class(session)
    classes = [c.value for c in DeviceClass]
    assert report.columns == ("agency", "name_vi", *classes, "total")
    rows = _rows(report.rows, report.columns)
    in_service = [d for d in SEED if d.status != "retired"]
    for code, (_, name_vi, _) in AGENCIES.items():
        expected = Counter(d.device_class for d in in_service if d.agency == code)
        assert rows[code]["name_vi"] == name_vi
        assert {c: rows[code][c] for c in classes} == {c: expected[c] for c in classes}
        assert rows[code]["total"] == sum(expected.values())
    assert rows["Q1-DK"]["total"] == 0
    everything = Counter(d.device_class for d in in_service)
    assert {c: rows[TOTAL][c] for c in classes} == {c: everything[c] for c in classes}
    assert rows[TOTAL]["total"] == len(in_service)
    assert [r[0] for r in report.rows][:3] == ["TTDL", "STTTT", "Q1"]  # city, departments...
    with_retired = _rows(counts_by_class(session, include_retired=True).rows, report.columns)
    assert with_retired[TOTAL]["total"] == len(SEED)


def test_counts_by_status_match_the_seed(session: Session) -> None:
    report = counts_by_status(session)
    statuses = [s.value for s in DeviceStatus]
    assert report.columns == ("agency", "name_vi", *statuses, "total")
    rows = _rows(report.rows, report.columns)
    for code in AGENCIES:
        expected = Counter(d.status for d in SEED if d.agency == code)
        assert {s: rows[code][s] for s in statuses} == {s: expected[s] for s in statuses}
    assert rows[TOTAL]["total"] == len(SEED)


def test_counts_by_funding_and_purchase_year_match_the_seed(session: Session) -> None:
    report = counts_by_funding(session)
    expected = Counter((d.funding_program or "(not recorded)",
                        str(d.purchase_date.year) if d.purchase_date else "no_date")
                       for d in SEED)
    years = sorted({y for _, y in expected} - {"no_date"})
    assert report.columns == ("funding_program", *years, "no_date", "total")
    rows = _rows(report.rows, report.columns)
    assert set(rows) == {"Đề án 06", "Chương trình chuyển đổi số", "(not recorded)", TOTAL}
    for program, row in rows.items():
        if program == TOTAL:
            continue
        assert {y: row[y] for y in (*years, "no_date")} == {
            y: expected[(program, y)] for y in (*years, "no_date")}
        assert row["total"] == sum(n for (p, _), n in expected.items() if p == program)
    assert rows[TOTAL]["total"] == len(SEED)


@pytest.mark.parametrize("months", [0, 6, 18])
def test_lifecycle_lists_expired_and_expiring_devices_by_agency(session: Session,
                                                                months: int) -> None:
    horizon = add_months(TODAY, months)
    expected = {}
    for d in SEED:
        dates = [x for x in (d.warranty_end, d.end_of_life) if x is not None and x <= horizon]
        if d.status != "retired" and dates:
            expected[d.name] = "expired" if min(dates) < TODAY else "expiring"
    report = lifecycle(session, TODAY, months)
    assert report.columns == ("agency", "name_vi", "device", "class", "model", "serial",
                              "warranty_end", "end_of_life", "state")
    assert {r[2]: r[8] for r in report.rows} == expected
    assert "expired" in expected.values() and (months == 0 or "expiring" in expected.values())
    assert [r[0] for r in report.rows] == sorted(r[0] for r in report.rows)
    by_name = {d.name: d for d in SEED}
    for row in report.rows:
        seeded = by_name[str(row[2])]
        assert row[0] == seeded.agency
        assert (row[6], row[7]) == (seeded.warranty_end, seeded.end_of_life)


def test_csv_of_every_report_parses_back_with_its_diacritics(session: Session) -> None:
    for report in (counts_by_class(session), counts_by_status(session),
                   counts_by_funding(session), lifecycle(session, TODAY, 6)):
        parsed = list(csv.reader(io.StringIO(to_csv(report), newline="")))
        assert tuple(parsed[0]) == report.columns
        assert parsed[1:] == [["" if v is None else (v.isoformat() if isinstance(v, date)
                                                      else str(v)) for v in row]
                              for row in report.rows]
    text = to_csv(counts_by_class(session))
    assert "Phường Bến Nghé" in text and "Sở Thông tin và Truyền thông" in text
    assert text.encode("utf-8").decode("utf-8") == text
