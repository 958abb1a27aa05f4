"""``noc user ...``: create users, set passwords, list users, issue API tokens.

One-time passwords and token secrets are printed once, here, and stored
only as hashes. Every change is audited with ``via=cli`` and the operating
system user as the actor.
"""

from __future__ import annotations

import getpass
from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from inventory.enums import Via
from inventory.models import utcnow
from noc.auth.credentials import Credentials
from noc.auth.passwords import PasswordPolicyError
from noc.auth.roles import Role
from noc.auth.store import UserError, UserStore
from noc.cli_common import (
    ConfigOpt,
    DataDirOpt,
    console,
    err_console,
    open_database,
    settings_or_exit,
)

users_app = typer.Typer(help="Users and API tokens of the web interface.",
                        no_args_is_help=True)
NameArg = Annotated[str, typer.Argument(help="Login name.")]


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except OSError:
        return "cli"


def _sessions(config: ConfigOpt, data_dir: DataDirOpt) -> sessionmaker[Session]:
    from noc.db import session_factory  # late: keeps `noc --help` fast

    return session_factory(open_database(settings_or_exit(config, data_dir=data_dir)))


def _fail(exc: Exception) -> typer.Exit:
    err_console.print(f"[red]{exc}[/red]")
    return typer.Exit(1)


def _show_once(what: str, value: str) -> None:
    console.print(f"{what}: [bold]{value}[/bold]", highlight=False, soft_wrap=True)
    console.print("[yellow]Shown only this once; it is stored only as a hash.[/yellow]")


@users_app.command("create")
def create(name: NameArg,
           role: Annotated[str, typer.Option(help="viewer, operator, technician or admin.")],
           agency: Annotated[str | None, typer.Option(help="Limit a viewer to this agency "
                                                           "code (and its wards).")] = None,
           display_name: Annotated[str, typer.Option(help="Full name.")] = "",
           config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Create a user with a one-time password (printed once; changed at first login)."""
    try:
        user, password = UserStore(_sessions(config, data_dir)).create(
            name, Role.parse(role), _actor(), Via.CLI, agency, display_name)
    except (UserError, ValueError) as exc:
        raise _fail(exc) from None
    console.print(f"created {user.name} ({user.role.label}"
                  f"{', agency ' + user.agency if user.agency else ''})")
    _show_once("one-time password", password)


@users_app.command("passwd")
def passwd(name: NameArg,
           one_time: Annotated[bool, typer.Option("--one-time", help="Generate a one-time "
                                                  "password instead of asking for one.")] = False,
           config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Set a user's password (asked twice, hidden), or reset it to a one-time password."""
    store = UserStore(_sessions(config, data_dir))
    try:
        if one_time:
            _show_once("one-time password", store.reset_password(name, _actor(), Via.CLI))
            return
        if store.get(name) is None:
            raise UserError(f"no user {name!r}")
        password = typer.prompt("new password", hide_input=True, confirmation_prompt=True)
        store.set_password(name, password, _actor(), Via.CLI)
    except (UserError, PasswordPolicyError) as exc:
        raise _fail(exc) from None
    console.print(f"password of {name} changed; their sessions were ended")


@users_app.command("list")
def list_users(config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """The users: role, agency scope, state, last login."""
    table = Table("name", "display name", "role", "agency", "state", "last login (UTC)")
    for user in UserStore(_sessions(config, data_dir)).list_users():
        state = "active" if user.active else "deactivated"
        if user.must_change_password:
            state += ", must change password"
        table.add_row(user.name, user.display_name, user.role.label, user.agency or "",
                      state, user.last_login.strftime("%Y-%m-%d %H:%M") if user.last_login
                      else "never")
    console.print(table)


@users_app.command("token")
def token(name: NameArg,
          token_name: Annotated[str, typer.Argument(help="What the token is for.")],
          days: Annotated[int | None, typer.Option(help="Expire after this many days.",
                                                   min=1, max=3650)] = None,
          config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Issue an API token acting as a user (the secret is printed once)."""
    expires = utcnow() + timedelta(days=days) if days else None
    try:
        info, secret = Credentials(_sessions(config, data_dir)).create_token(
            name, token_name, _actor(), Via.CLI, expires)
    except UserError as exc:
        raise _fail(exc) from None
    console.print(f"token {info.name!r} for {info.user} (prefix {info.prefix})")
    _show_once("token", secret)
    console.print("use it as the header  Authorization: Bearer <token>")
