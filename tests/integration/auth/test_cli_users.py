"""``noc user ...`` through typer's CliRunner on a fresh SQLite data directory."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from inventory.records import AuditEntry
from noc.auth.credentials import Credentials
from noc.auth.store import UserStore
from noc.cli_common import open_database
from noc.cli_users import users_app
from noc.db import session_factory
from noc.settings import load_settings

pytestmark = pytest.mark.integration
runner = CliRunner()


def _run(tmp_path, *args: str, stdin: str | None = None):
    result = runner.invoke(users_app, [*args, "--data-dir", str(tmp_path)], input=stdin)
    return result


def test_create_list_passwd_token(tmp_path):
    created = _run(tmp_path, "create", "minh", "--role", "technician")
    assert created.exit_code == 0, created.output
    password = re.search(r"one-time password: (\S+)", created.output).group(1)  # type: ignore[union-attr]
    sessions = session_factory(open_database(load_settings(data_dir=tmp_path)))
    assert UserStore(sessions).authenticate("minh", password) is not None
    listed = _run(tmp_path, "list")
    assert "minh" in listed.output and "technician" in listed.output
    assert password not in listed.output
    changed = _run(tmp_path, "passwd", "minh", stdin="a typed new password\n"
                                                     "a typed new password\n")
    assert changed.exit_code == 0, changed.output
    assert UserStore(sessions).authenticate("minh", "a typed new password") is not None
    token = _run(tmp_path, "token", "minh", "poller-script", "--days", "7")
    secret = re.search(r"token: (noc_\S+)", token.output).group(1)  # type: ignore[union-attr]
    assert Credentials(sessions).token_identity(secret) is not None
    with sessions() as session:
        entries = session.scalars(select(AuditEntry)).all()
    assert {e.via for e in entries} == {"cli"} and len(entries) == 3
    assert all(secret not in repr(e.changes) and password not in repr(e.changes)
               for e in entries)


def test_errors_exit_nonzero(tmp_path):
    assert _run(tmp_path, "create", "x!", "--role", "viewer").exit_code == 1
    assert _run(tmp_path, "create", "abc", "--role", "boss").exit_code == 1
    assert _run(tmp_path, "token", "ghost", "t").exit_code == 1
    weak = _run(tmp_path, "create", "anh", "--role", "viewer")
    assert weak.exit_code == 0
    refused = _run(tmp_path, "passwd", "anh", stdin="short\nshort\n")
    assert refused.exit_code == 1 and "at least 12" in refused.output
    reset = _run(tmp_path, "passwd", "anh", "--one-time")
    assert reset.exit_code == 0 and "one-time password" in reset.output
