"""``noc inventory``: import and export the inventory as CSV or YAML files.

``noc inventory import FILE [--dry-run] [--prune [--purge]]`` checks the whole
file first and changes nothing unless every row is valid (exit 1 with every
error, by file, row and field); each change is audited as ``--actor`` (default:
the operating-system user) through ``import``. ``noc inventory export`` writes
YAML (default) or CSV to standard output, a file, or a directory of CSV files.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from noc.cli_common import ConfigOpt, DataDirOpt, console, err_console, settings_or_exit

inventory_app = typer.Typer(help="The inventory: import and export (CSV, YAML), reports, drift.",
                            no_args_is_help=True)
ENTITIES = ("agency", "site", "device", "interface", "link")
EntityOpt = Annotated[str | None, typer.Option(
    "--entity", help=f"One of {', '.join(ENTITIES)}: the table a CSV holds (import: forces it "
                     "and allows some columns only; export: one table).")]


def _say(text: str, *, error: bool = False) -> None:
    """Print plain text (no markup, no wrapping) to stdout, or to stderr in red."""
    target = err_console if error else console
    target.print(text, style="red" if error else None, markup=False, highlight=False,
                 soft_wrap=True)


def _check_entity(entity: str | None) -> None:
    if entity is not None and entity not in ENTITIES:
        _say(f"unknown entity {entity!r}; known: {', '.join(ENTITIES)}", error=True)
        raise typer.Exit(2)


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on stderr (gone when done), fed as ``(phase, done, total)``."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True,
                  disable=not err_console.is_terminal) as bar:
        task = bar.add_task("reading", total=None)

        def update(phase: str, done: int, total: int) -> None:
            bar.update(task, description=phase, completed=done, total=total)

        yield update


def _actor_name(actor: str | None) -> str:
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@inventory_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, help="A .yaml/.yml or .csv file, or a "
                                         "directory of agencies.csv, sites.csv, devices.csv, "
                                         "interfaces.csv, links.csv.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; change "
                                          "nothing.")] = False,
    prune: Annotated[bool, typer.Option("--prune", help="Delete records of the file's entities "
                                        "that it does not name (devices are retired).")] = False,
    purge: Annotated[bool, typer.Option("--purge", help="With --prune: delete devices instead "
                                        "of retiring them.")] = False,
    entity: EntityOpt = None,
    actor: Annotated[str | None, typer.Option(help="Who the audit log names (default: the "
                                              "operating-system user).")] = None,
    show: Annotated[int, typer.Option(help="How many changes to list.")] = 20,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Import a file: all of it or nothing, every change audited."""
    from sqlalchemy.orm import Session  # late: keeps `noc --help` fast

    from inventory.enums import Via
    from inventory.io import ImportOptions, InventoryImportError, read_path, run_import
    from inventory.service import Actor
    from noc.cli_common import open_database

    _check_entity(entity)
    settings = settings_or_exit(config, data_dir=data_dir)
    batch = read_path(file, entity)
    engine = open_database(settings)
    try:
        with _progress() as progress, Session(engine) as session:
            report = run_import(session, batch, Actor(_actor_name(actor), Via.IMPORT),
                                ImportOptions(dry_run=dry_run, prune=prune, purge=purge),
                                progress)
    except InventoryImportError as exc:
        _say(exc.summary(), error=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    _print_report(report, show)


def _print_report(report: Any, show: int) -> None:
    from inventory.io.importer import ACTIONS

    title = "dry run: nothing was changed" if report.dry_run else "imported"
    table = Table("entity", *ACTIONS, title=title)
    for entity in ENTITIES:
        table.add_row(entity, *(str(report.count(entity, a)) for a in ACTIONS))
    console.print(table)
    for change in report.changes[:show]:
        fields = "; ".join(f"{name}: {before!r} → {after!r}"
                           for name, (before, after) in change.changes.items())
        _say(f"{change.action.value} {change.entity} {change.key}: {fields}")
    if len(report.changes) > show:
        _say(f"and {len(report.changes) - show} more change(s)")


@inventory_app.command("export")
def export(
    fmt: Annotated[str, typer.Option("--format", help="yaml or csv.")] = "yaml",
    entity: EntityOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: "
                                                "standard output); a directory for CSV "
                                                "without --entity.")] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Export the inventory as YAML or CSV, in natural-key order."""
    from sqlalchemy.orm import Session

    from inventory.io import export_csv, export_csv_dir, export_yaml
    from noc.cli_common import open_database

    _check_entity(entity)
    if fmt not in ("yaml", "csv"):
        _say(f"unknown format {fmt!r}: yaml or csv", error=True)
        raise typer.Exit(2)
    kind: Literal["yaml", "table", "dir"] = (
        "yaml" if fmt == "yaml" else "table" if entity else "dir")
    if kind == "dir" and output is None:
        _say("CSV of every entity needs a directory: -o DIR (or --entity for one table)",
             error=True)
        raise typer.Exit(2)
    settings = settings_or_exit(config, data_dir=data_dir)
    engine = open_database(settings)
    try:
        with _progress() as progress, Session(engine) as session:
            step = _steps(progress)
            if kind == "dir":
                assert output is not None
                for path in export_csv_dir(session, output, step):
                    _say(f"wrote {path}")
                return
            text = export_yaml(session, step) if kind == "yaml" else \
                export_csv(session, entity or "")
    finally:
        engine.dispose()
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8", newline="")
        _say(f"wrote {output}")


def _steps(progress: Callable[[str, int, int], None]) -> Callable[[str], None]:
    """Count exported entities on the progress bar."""
    done: list[str] = []

    def step(entity: str) -> None:
        done.append(entity)
        progress(f"exported {entity}", len(done), len(ENTITIES))

    return step
