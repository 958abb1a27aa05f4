from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from inventory.enums import Via
from noc.auth.bootstrap import announce_first_admin, ensure_first_admin
from noc.auth.roles import Role
from noc.auth.store import UserStore


def test_first_admin_gets_a_one_time_password_once(sessions: sessionmaker[Session]):
    password = ensure_first_admin(sessions)
    assert password
    admin = UserStore(sessions).authenticate("admin", password)
    assert admin is not None and admin.role is Role.ADMIN and admin.must_change_password
    assert ensure_first_admin(sessions) is None


def test_no_first_admin_when_one_exists(sessions: sessionmaker[Session]):
    UserStore(sessions).create("chief", Role.ADMIN, "r", Via.CLI)
    assert ensure_first_admin(sessions) is None
    assert UserStore(sessions).get("admin") is None


def test_a_demoted_admin_user_is_restored(sessions: sessionmaker[Session]):
    store = UserStore(sessions)
    store.create("admin", Role.VIEWER, "r", Via.CLI)
    password = ensure_first_admin(sessions)
    assert password is not None
    user = store.authenticate("admin", password)
    assert user is not None and user.role is Role.ADMIN


def test_announce_logs_the_password_once_at_warning(sessions: sessionmaker[Session], caplog):
    with caplog.at_level(logging.WARNING, "noc.auth.bootstrap"):
        announce_first_admin(sessions)
        announce_first_admin(sessions)
    assert len(caplog.records) == 1
    message = caplog.records[0].getMessage()
    assert caplog.records[0].levelno == logging.WARNING
    assert "One-time password" in message and "shown only once" in message
