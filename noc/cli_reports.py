"""``noc inventory report ...`` and ``noc inventory drift ...``: reports and drift at the terminal.

* ``report by-class | by-status | by-funding | lifecycle --months N``: a table,
  or CSV on stdout with ``--csv``;
* ``drift show [--silent-days N] [--csv]``: what the network says differently;
* ``drift adopt SUBJECT FIELD [--note]``: copy the discovered value into the record;
* ``drift expect SUBJECT FIELD [--note]``: mark the difference as expected.

Changes are audited as the operating-system user, via ``cli``.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from inventory.drift import adopt, drift_report, expect
from inventory.enums import Via
from inventory.models import utcnow
from inventory.reports import Report, drift_table, run_report, to_csv
from inventory.service import Actor, Change, Inventory
from noc.cli_common import (
    ConfigOpt,
    DataDirOpt,
    console,
    err_console,
    open_database,
    settings_or_exit,
)

report_app = typer.Typer(help="Inventory reports: counts by class, status, funding; lifecycle.",
                         no_args_is_help=True)
drift_app = typer.Typer(help="Drift between the inventory and what discovery found.",
                        no_args_is_help=True)

CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")]
NoteOpt = Annotated[str, typer.Option("--note", help="Why (kept in the audit log).")]
SubjectArg = Annotated[str, typer.Argument(help="Device name (or unknown address).")]
FieldArg = Annotated[str, typer.Argument(help="Field of the drift item: serial, model, "
                                              "firmware, vendor, sys_name, seen, neighbor:PORT")]


@contextmanager
def _session(config: Path | None, data_dir: Path | None) -> Iterator[Session]:
    """A session on the configured inventory database (migrated first)."""
    engine = open_database(settings_or_exit(config, data_dir=data_dir))
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


def _print(report: Report, as_csv: bool) -> None:
    """CSV of every column, or a table without the count columns that are all zero."""
    if as_csv:
        typer.echo(to_csv(report), nl=False)
        return
    shown = [n for n, _ in enumerate(report.columns)
             if not report.rows or not all(row[n] == 0 for row in report.rows)]
    table = Table(title=f"{report.title_vi}\n[dim]{report.title_en}[/dim]")
    for n in shown:
        table.add_column(report.columns[n], no_wrap=n < 2, overflow="fold")
    for row in report.rows:
        table.add_row(*("" if row[n] is None else str(row[n]) for n in shown))
    console.print(table)


def _show(name: str, config: Path | None, data_dir: Path | None, as_csv: bool,
          months: int = 6) -> None:
    with _session(config, data_dir) as session:
        _print(run_report(session, name, utcnow().date(), months), as_csv)


@report_app.command("by-class")
def by_class(config: ConfigOpt = None, data_dir: DataDirOpt = None, csv: CsvOpt = False) -> None:
    """Devices of each class per agency, with the city total (retired ones left out)."""
    _show("by-class", config, data_dir, csv)


@report_app.command("by-status")
def by_status(config: ConfigOpt = None, data_dir: DataDirOpt = None,
              csv: CsvOpt = False) -> None:
    """Devices of each lifecycle status per agency."""
    _show("by-status", config, data_dir, csv)


@report_app.command("by-funding")
def by_funding(config: ConfigOpt = None, data_dir: DataDirOpt = None,
               csv: CsvOpt = False) -> None:
    """Devices per funding program and purchase year."""
    _show("by-funding", config, data_dir, csv)


@report_app.command("lifecycle")
def lifecycle(months: Annotated[int, typer.Option(min=0, help="Look this many months ahead.")]
              = 6, config: ConfigOpt = None, data_dir: DataDirOpt = None,
              csv: CsvOpt = False) -> None:
    """Devices out of warranty or at end of life within N months (expired ones too)."""
    _show("lifecycle", config, data_dir, csv, months)


@drift_app.command("show")
def show(silent_days: Annotated[int, typer.Option(min=1, help="Silent after this many days.")]
         = 7, config: ConfigOpt = None, data_dir: DataDirOpt = None,
         csv: CsvOpt = False) -> None:
    """Every unacknowledged difference between recorded and discovered values."""
    with _session(config, data_dir) as session:
        items = drift_report(session, utcnow(), silent_days)
    _print(drift_table(items), csv)
    if not csv:
        console.print(f"{len(items)} difference(s)")


def _act(action: Callable[[Inventory, str, str, str], Change | None], subject: str, field: str,
         note: str, config: Path | None, data_dir: Path | None) -> Change | None:
    with _session(config, data_dir) as session:
        inv = Inventory(session, Actor(getpass.getuser(), Via.CLI))
        try:
            change = action(inv, subject, field, note)
        except LookupError as exc:
            err_console.print(f"[red]{exc.args[0] if exc.args else exc}[/red]")
            raise typer.Exit(1) from None
        except ValueError as exc:  # InventoryError and validation errors too
            err_console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
        session.commit()
    return change


@drift_app.command("adopt")
def adopt_cmd(subject: SubjectArg, field: FieldArg, note: NoteOpt = "",
              config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Copy the discovered value of FIELD into the record of device SUBJECT (audited)."""
    change = _act(adopt, subject, field, note, config, data_dir)
    if change is None:
        console.print(f"{subject}: {field} already has the discovered value")
        return
    before, after = change.changes[field]
    console.print(f"{subject}: {field} {before!r} -> {after!r} (adopted)")


@drift_app.command("expect")
def expect_cmd(subject: SubjectArg, field: FieldArg, note: NoteOpt = "",
               config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Mark the discovered value of FIELD for SUBJECT as expected (audited)."""
    change = _act(expect, subject, field, note, config, data_dir)
    assert change is not None  # expect always records an acknowledgement
    console.print(f"{subject}: {field} = {change.changes[field][1]!r} marked expected")
