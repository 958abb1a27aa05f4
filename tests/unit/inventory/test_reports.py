"""Pure parts of the reports: month arithmetic, CSV text, the JSON form, the drift table."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest

from inventory.drift import DriftItem
from inventory.reports import REPORTS, Report, add_months, drift_table, run_report, to_csv

REPORT = Report("Số lượng thiết bị", "Devices", ("agency", "name_vi", "warranty_end", "total"),
                (("Q1-BN", "Phường Bến Nghé", date(2025, 12, 31), 3),
                 ("Q1-DK", 'Phường "Đa Kao", cũ', None, 0)))


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2025, 6, 15), 6, date(2025, 12, 15)),
    (date(2025, 8, 31), 6, date(2026, 2, 28)),  # no 31 February
    (date(2023, 8, 31), 6, date(2024, 2, 29)),  # leap year
    (date(2025, 12, 1), 1, date(2026, 1, 1)),
    (date(2025, 6, 15), 0, date(2025, 6, 15)),
    (date(2025, 3, 31), -1, date(2025, 2, 28)),
])
def test_add_months_keeps_the_day_or_the_month_end(day: date, months: int,
                                                   expected: date) -> None:
    assert add_months(day, months) == expected


def test_csv_has_a_header_and_round_trips_quotes_commas_and_diacritics() -> None:
    text = to_csv(REPORT)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["agency", "name_vi", "warranty_end", "total"],
                    ["Q1-BN", "Phường Bến Nghé", "2025-12-31", "3"],
                    ["Q1-DK", 'Phường "Đa Kao", cũ', "", "0"]]
    assert not text.startswith("\ufeff")


def test_json_form_keys_rows_by_column_with_iso_dates() -> None:
    assert REPORT.as_dict()["rows"] == [
        {"agency": "Q1-BN", "name_vi": "Phường Bến Nghé", "warranty_end": "2025-12-31",
         "total": 3},
        {"agency": "Q1-DK", "name_vi": 'Phường "Đa Kao", cũ', "warranty_end": None, "total": 0}]


def test_drift_table_has_one_row_per_item() -> None:
    item = DriftItem("q1-sw1", "Q1", "serial", "serial", "FOC1", "FOC2",
                     datetime(2025, 1, 2, 3, 4, 5, 678))
    table = drift_table([item])
    assert table.rows == (("Q1", "q1-sw1", "serial", "serial", "FOC1", "FOC2",
                           "2025-01-02T03:04:05"),)
    assert item.missing is False
    assert DriftItem("q1-sw1", "Q1", "firmware", "firmware", "", "15.2", item.since).missing


def test_unknown_report_name_lists_the_known_ones() -> None:
    with pytest.raises(LookupError, match="reports: by-class, by-status, by-funding, lifecycle"):
        run_report(None, "by-colour", date(2025, 1, 1))  # type: ignore[arg-type]
    assert list(REPORTS) == ["by-class", "by-status", "by-funding", "lifecycle"]
