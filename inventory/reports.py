"""Inventory reports: counts by class, status and funding, lifecycle, and their CSV form.

Each report is a pure query function returning a :class:`Report` (a
Vietnamese and an English title, column names, rows), so the CLI prints it as
a table, the API serves it as JSON or CSV, and tests compare it with counts
of their own. Counting happens in the database (``GROUP BY``); Python only
pivots the grouped rows (agencies x classes), never loops over devices.

* :func:`counts_by_class` — devices of each class per agency, plus a city
  total row, like the table of the city's IT plan (retired devices left out);
* :func:`counts_by_status` — devices of each lifecycle status per agency;
* :func:`counts_by_funding` — devices per funding program and purchase year;
* :func:`lifecycle` — devices whose warranty or end of life falls within N
  months (already expired ones too), by agency.

Add a report: write the query function, then name it in :data:`REPORTS`.
"""

from __future__ import annotations

import calendar
import csv
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, cast, extract, func, or_, select
from sqlalchemy.orm import Session

from inventory.drift import DriftItem
from inventory.enums import AgencyKind, DeviceClass, DeviceStatus
from inventory.models import Agency, Device, Site

__all__ = ["REPORTS", "TOTAL", "Report", "add_months", "counts_by_class", "counts_by_funding",
           "counts_by_status", "drift_table", "lifecycle", "run_report", "to_csv"]

Cell = str | int | date | None
TOTAL = "TOTAL"  # the code of the city total row
TOTAL_VI = "Toàn thành phố"
NOT_RECORDED = "(not recorded)"
_RETIRED = DeviceStatus.RETIRED.value
_KIND_ORDER = {kind.value: n for n, kind in enumerate(AgencyKind)}


@dataclass(frozen=True, slots=True)
class Report:
    """A table: titles in Vietnamese and English, column names, rows of cells."""

    title_vi: str
    title_en: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly form: rows as objects keyed by column, dates as ISO strings."""
        return {"title_vi": self.title_vi, "title_en": self.title_en,
                "columns": list(self.columns),
                "rows": [{c: _plain(v) for c, v in zip(self.columns, row, strict=True)}
                         for row in self.rows]}


def _plain(value: Cell) -> str | int | None:
    return value.isoformat() if isinstance(value, date) else value


def to_csv(report: Report) -> str:
    """The report as CSV text: a header row of column names, then the rows (dates ISO)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(report.columns)
    writer.writerows([("" if v is None else _plain(v)) for v in row] for row in report.rows)
    return out.getvalue()


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months (the 31st becomes the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _per_agency(session: Session, column: Any, known: Sequence[str], *,
                only: Any = None) -> tuple[tuple[str, ...], tuple[tuple[Cell, ...], ...]]:
    """Devices per agency (every agency, zeros too) and value of ``column``, pivoted."""
    joined = Device.site_id == Site.id if only is None else (Device.site_id == Site.id) & only
    stmt = (
        select(Agency.code, Agency.name_vi, Agency.kind, column, func.count(Device.id))
        .select_from(Agency).outerjoin(Site, Site.agency_id == Agency.id)
        .outerjoin(Device, joined)
        .group_by(Agency.code, Agency.name_vi, Agency.kind, column))
    table: dict[tuple[int, str, str], Counter[str]] = defaultdict(Counter)
    for code, name_vi, kind, value, count in session.execute(stmt):
        counts = table[(_KIND_ORDER.get(kind, len(_KIND_ORDER)), code, name_vi)]
        if value is not None:
            counts[value] += count
    found = {value for counts in table.values() for value in counts}
    values = [*known, *sorted(found - set(known))]
    rows: list[tuple[Cell, ...]] = [
        (code, name_vi, *(counts[v] for v in values), counts.total())
        for (_, code, name_vi), counts in sorted(table.items())]
    city = sum(table.values(), Counter[str]())
    rows.append((TOTAL, TOTAL_VI, *(city[v] for v in values), city.total()))
    return ("agency", "name_vi", *values, "total"), tuple(rows)


def counts_by_class(session: Session, *, include_retired: bool = False) -> Report:
    """Devices of each class per agency and for the whole city (retired ones left out)."""
    only = None if include_retired else Device.status != _RETIRED
    columns, rows = _per_agency(session, Device.device_class, [c.value for c in DeviceClass],
                                only=only)
    return Report("Số lượng thiết bị theo loại, theo đơn vị",
                  "Devices by class, per agency", columns, rows)


def counts_by_status(session: Session) -> Report:
    """Devices of each lifecycle status per agency and for the whole city."""
    columns, rows = _per_agency(session, Device.status, [s.value for s in DeviceStatus])
    return Report("Số lượng thiết bị theo trạng thái, theo đơn vị",
                  "Devices by status, per agency", columns, rows)


def counts_by_funding(session: Session) -> Report:
    """Devices per funding program (rows) and purchase year (columns), retired ones too."""
    year = cast(extract("year", Device.purchase_date), Integer)
    stmt = (select(Device.funding_program, year, func.count(Device.id))
            .group_by(Device.funding_program, year))
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for program, bought, count in session.execute(stmt):
        table[program or NOT_RECORDED][str(bought) if bought is not None else "no_date"] += count
    years = sorted({y for counts in table.values() for y in counts} - {"no_date"})
    columns = (*years, "no_date")
    rows: list[tuple[Cell, ...]] = [(program, *(counts[c] for c in columns), counts.total())
                                     for program, counts in sorted(table.items())]
    city = sum(table.values(), Counter[str]())
    rows.append((TOTAL, *(city[c] for c in columns), city.total()))
    return Report("Số lượng thiết bị theo nguồn vốn và năm mua",
                  "Devices by funding program and purchase year",
                  ("funding_program", *columns, "total"), tuple(rows))


def lifecycle(session: Session, today: date, months: int = 6) -> Report:
    """Devices out of warranty or at end of life by ``today`` + ``months``, by agency.

    ``state`` is ``expired`` when a date has already passed, else ``expiring``.
    Retired devices are left out.
    """
    horizon = add_months(today, months)
    stmt = (select(Agency.code, Agency.name_vi, Device.name, Device.device_class, Device.model,
                   Device.serial, Device.warranty_end, Device.end_of_life)
            .join(Site, Device.site_id == Site.id).join(Agency, Site.agency_id == Agency.id)
            .where(Device.status != _RETIRED,
                   or_(Device.warranty_end <= horizon, Device.end_of_life <= horizon))
            .order_by(Agency.code, Device.name))
    rows: list[tuple[Cell, ...]] = []
    for row in session.execute(stmt):
        dates = [d for d in row[6:] if d is not None]
        rows.append((*row, "expired" if min(dates) < today else "expiring"))
    return Report(f"Thiết bị hết bảo hành hoặc hết vòng đời trong {months} tháng tới",
                  f"Devices out of warranty or at end of life within {months} months",
                  ("agency", "name_vi", "device", "class", "model", "serial", "warranty_end",
                   "end_of_life", "state"), tuple(rows))


def drift_table(items: Iterable[DriftItem]) -> Report:
    """The drift report as a :class:`Report` (for tables and CSV)."""
    rows = tuple((i.agency, i.subject, i.kind, i.field, i.recorded, i.discovered,
                  i.since.isoformat(timespec="seconds")) for i in items)
    return Report("Khác biệt giữa kiểm kê và thực tế mạng",
                  "Drift between the inventory and the network",
                  ("agency", "subject", "kind", "field", "recorded", "discovered", "since"), rows)


REPORTS: dict[str, Callable[[Session, date, int], Report]] = {
    "by-class": lambda s, _today, _months: counts_by_class(s),
    "by-status": lambda s, _today, _months: counts_by_status(s),
    "by-funding": lambda s, _today, _months: counts_by_funding(s),
    "lifecycle": lifecycle,
}
"""Every report by the name the CLI and the API use."""


def run_report(session: Session, name: str, today: date, months: int = 6) -> Report:
    """The report called ``name`` (a key of :data:`REPORTS`); LookupError for another name."""
    build = REPORTS.get(name)
    if build is None:
        raise LookupError(f"no report {name!r}; reports: {', '.join(REPORTS)}")
    return build(session, today, months)
