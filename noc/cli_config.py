"""``noc config ...``: stored device configurations at the terminal, secrets always masked.

* ``list DEVICE``: the stored versions (rev, digest, when, size, lines +/-);
* ``show DEVICE [REV]``: one version, masked (REV: number, ``latest`` or a
  digest prefix; default latest);
* ``diff DEVICE [REV] [--against REV2]``: unified diff, masked; without REV the
  version before the latest against the latest, with REV that one against the
  latest, with ``--against`` REV against REV2. Colored, or ``--plain``.

Versions live under ``DATA_DIR/configs``, indexed in the inventory database.
Masking follows the device's platform from the inventory (``--platform``
overrides; unknown: every platform's rules).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from inventory.models import Device
from noc.cli_common import (
    ConfigOpt,
    DataDirOpt,
    console,
    err_console,
    open_database,
    settings_or_exit,
)
from noc.configs.store import ConfigObjectError, ConfigStore

config_app = typer.Typer(help="Stored device configurations: versions, masked views, diffs.",
                         no_args_is_help=True)

DeviceArg = Annotated[str, typer.Argument(help="Device name, as in the inventory.")]
RevArg = Annotated[str, typer.Argument(help="Revision: number, 'latest' or digest prefix.")]
PlatformOpt = Annotated[str | None, typer.Option(
    "--platform", help="Platform whose secrets to mask (default: the inventory's).")]
_STYLES = {"+": "green", "-": "red", "@": "cyan"}


@contextmanager
def _opened(config: Path | None,
            data_dir: Path | None) -> Iterator[tuple[ConfigStore, sessionmaker[Session]]]:
    """The configuration store and the database sessions of the configured settings."""
    from noc.db import session_factory  # late: keeps `noc --help` fast

    settings = settings_or_exit(config, data_dir=data_dir)
    engine = open_database(settings)
    try:
        sessions = session_factory(engine)
        yield ConfigStore(settings.data_dir / "configs", sessions), sessions
    finally:
        engine.dispose()


@contextmanager
def _errors() -> Iterator[None]:
    """Unknown device or revision, damaged file: the message in red and exit status 1."""
    try:
        yield
    except (LookupError, ConfigObjectError) as exc:
        err_console.print(Text(str(exc), style="red"))
        raise typer.Exit(1) from None


def _platform(sessions: sessionmaker[Session], device: str, given: str | None) -> str:
    """``given``, else the device's platform in the inventory, else "" (mask with every rule)."""
    if given is not None:
        return given
    with sessions() as session:
        found = session.scalar(select(Device.platform).where(Device.name == device))
    return found or ""


@config_app.command("list")
def list_versions(device: DeviceArg, config: ConfigOpt = None,
                  data_dir: DataDirOpt = None) -> None:
    """List the stored versions of DEVICE's configuration, oldest first."""
    with _opened(config, data_dir) as (store, _), _errors():
        versions = store.versions(device)
    table = Table(title=f"Configuration versions of {device}")
    for column in ("Rev", "Digest", "Fetched (UTC)", "Bytes", "+", "-"):
        table.add_column(column, justify="right" if column in ("Rev", "Bytes", "+", "-")
                         else "left")
    for v in versions:
        table.add_row(str(v.rev), v.digest[:12], f"{v.fetched_at:%Y-%m-%d %H:%M:%S}",
                      str(v.size), str(v.lines_added), str(v.lines_removed))
    console.print(table)


@config_app.command("show")
def show(device: DeviceArg, rev: RevArg = "latest", platform: PlatformOpt = None,
         config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Print one version of DEVICE's configuration with its secrets masked."""
    with _opened(config, data_dir) as (store, sessions), _errors():
        text = store.text(device, rev, platform=_platform(sessions, device, platform))
    typer.echo(text, nl=False)


@config_app.command("diff")
def diff(device: DeviceArg, rev: Annotated[str | None, typer.Argument(
             help="Older revision (default: the one before the latest).")] = None,
         against: Annotated[str | None, typer.Option(
             "--against", help="Newer revision to compare with (default: latest).")] = None,
         plain: Annotated[bool, typer.Option("--plain", help="No colors.")] = False,
         platform: PlatformOpt = None, config: ConfigOpt = None,
         data_dir: DataDirOpt = None) -> None:
    """Show what changed in DEVICE's configuration, secrets masked."""
    with _opened(config, data_dir) as (store, sessions), _errors():
        text = store.diff(device, rev, against, platform=_platform(sessions, device, platform))
    if not text:
        err_console.print("no differences")
        return
    if plain:
        typer.echo(text, nl=False)
        return
    for line in text.splitlines():
        style = "bold" if line.startswith(("---", "+++")) else _STYLES.get(line[:1], "")
        console.print(Text(line, style=style), soft_wrap=True, highlight=False)
