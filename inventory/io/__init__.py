"""Inventory import and export: CSV and YAML files in, validated and audited changes out.

* :mod:`inventory.io.formats` reads and writes the files (rows numbered as a
  technician sees them in a spreadsheet, exact round trip);
* :mod:`inventory.io.importer` checks a whole file first and then applies it in
  one transaction through :class:`inventory.service.Inventory` (all or nothing);
* :mod:`inventory.io.exporter` writes the database back out, in natural-key order.
"""

from __future__ import annotations

from inventory.io.errors import InventoryImportError, RowError
from inventory.io.exporter import export_csv, export_csv_dir, export_records, export_yaml
from inventory.io.formats import (
    Batch,
    Row,
    batch_from_records,
    read_csv,
    read_path,
    read_yaml,
    write_csv,
    write_yaml,
)
from inventory.io.importer import ImportOptions, ImportReport, run_import

__all__ = ["Batch", "ImportOptions", "ImportReport", "InventoryImportError", "Row", "RowError",
           "batch_from_records", "export_csv", "export_csv_dir", "export_records",
           "export_yaml", "read_csv", "read_path", "read_yaml", "run_import", "write_csv",
           "write_yaml"]
