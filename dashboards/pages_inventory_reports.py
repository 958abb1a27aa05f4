"""The reports page: counts by class, status and funding, lifecycle; charts and CSV.

Each report comes from :mod:`inventory.reports` (counted in SQL). The page
shows it as a table with a bar chart (:func:`dashboards.bars.bar_chart`) and
a CSV download of the same table. A user scoped to one agency sees only its
rows, with a total of those rows instead of the city's; the funding report,
which is not per agency, is then not shown.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from dashboards.pages_inventory_web import InventoryPages, Lang, Reader, csv_response, scope_codes
from inventory.reports import TOTAL, Cell, Report, run_report, to_csv

NAMES = ("by-class", "by-status", "by-funding", "lifecycle")
PER_AGENCY = ("by-class", "by-status", "lifecycle")
Months = Annotated[int, Query(ge=1, le=120)]


def _num(cell: Cell) -> int:
    return cell if isinstance(cell, int) else 0


def scoped(report: Report, name: str, codes: set[str] | None) -> Report:
    """``report`` limited to the agencies ``codes`` (a total of those rows; None: as is)."""
    if codes is None:
        return report
    rows = [r for r in report.rows if r[0] in codes]
    if name in ("by-class", "by-status"):
        sums = [sum(_num(r[i]) for r in rows) for i in range(2, len(report.columns))]
        rows.append((TOTAL, "", *sums))
    return Report(report.title_vi, report.title_en, report.columns, tuple(rows))


def build(session: Session, name: str, months: int, codes: set[str] | None,
          today: date | None = None) -> Report:
    """The report ``name`` for the user's scope (404 for the funding report when scoped)."""
    if codes is not None and name not in PER_AGENCY:
        raise HTTPException(404, "this report is for the whole city")
    return scoped(run_report(session, name, today or date.today(), months), name, codes)


def chart_items(name: str, report: Report) -> list[tuple[str, float]]:
    """(label, value) bars of a report: the total row's columns, or counts per agency."""
    if name == "lifecycle":
        per_agency = Counter(str(row[0]) for row in report.rows)
        return [(code, float(n)) for code, n
                in sorted(per_agency.items(), key=lambda kv: (-kv[1], kv[0]))[:20]]
    if name == "by-funding":
        return [(str(row[0]), float(_num(row[-1]))) for row in report.rows if row[0] != TOTAL]
    total = next((row for row in report.rows if row[0] == TOTAL), None)
    if total is None:
        return []
    return [(column, float(_num(value))) for column, value
            in zip(report.columns[2:-1], total[2:-1], strict=True)]


def add_report_routes(router: APIRouter, pages: InventoryPages) -> None:
    """Add ``/inventory/reports`` and its CSV downloads to ``router``."""

    @router.get("/inventory/reports", name="inventory_reports")
    def reports(request: Request, user: Reader, lang: Lang = "vi",
                months: Months = 6) -> Response:
        with pages.reading() as session:
            codes = scope_codes(session, request)
            shown = [n for n in NAMES if codes is None or n in PER_AGENCY]
            tables = {n: build(session, n, months, codes) for n in shown}
        charts = {n: chart_items(n, r) for n, r in tables.items()}
        return pages.render(request, lang, "reports.html", tables=tables, charts=charts,
                            months=months, total_code=TOTAL)

    @router.get("/inventory/reports/{name}.csv", name="inventory_report_csv")
    def report_csv(request: Request, name: str, user: Reader, months: Months = 6) -> Response:
        if name not in NAMES:
            raise HTTPException(404, f"no report {name!r}")
        with pages.reading() as session:
            report = build(session, name, months, scope_codes(session, request))
        return csv_response(to_csv(report), f"{name}.csv")
