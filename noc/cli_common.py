"""What every ``noc`` sub-command shares: the console, common options, settings, a database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine

from noc.settings import ConfigError, Settings, load_settings

console = Console()
err_console = Console(stderr=True)

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="YAML config file.")]
DataDirOpt = Annotated[Path | None,
                       typer.Option("--data-dir", help="Data directory (default: ./var).")]


def settings_or_exit(config: Path | None, **overrides: object) -> Settings:
    """The settings, or exit 2 with the configuration errors printed in red."""
    try:
        return load_settings(config, **overrides)
    except ConfigError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


def open_database(settings: Settings) -> Engine:
    """The inventory database of ``settings``, migrated to the newest schema."""
    from noc.db import init_schema, make_engine  # late: keeps `noc --help` fast

    engine = make_engine(settings.db_url)
    init_schema(engine)
    return engine
