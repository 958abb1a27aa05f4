"""The first admin: created at start when the database has no active admin.

There is never a default password: the user ``admin`` gets a random one-time
password, written once to the console log at WARNING level, and must change
it at the first login. ``noc user create`` is the other way in.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from inventory.enums import Via
from noc.auth.models import User
from noc.auth.roles import Role
from noc.auth.store import UserStore

FIRST_ADMIN = "admin"
ACTOR = "first-run"
log = logging.getLogger(__name__)


def ensure_first_admin(sessions: sessionmaker[Session]) -> str | None:
    """Make sure an active admin exists; the one-time password if one was made, else None.

    An existing, inactive or demoted ``admin`` user is reactivated as admin with
    a fresh one-time password. Two processes starting at once make one admin.
    """
    with sessions() as session:
        if session.scalar(select(User.id).where(User.role == Role.ADMIN.label,
                                                User.active.is_(True)).limit(1)) is not None:
            return None
    store = UserStore(sessions)
    if store.get(FIRST_ADMIN) is None:
        try:
            return store.create(FIRST_ADMIN, Role.ADMIN, ACTOR, Via.CLI,
                                display_name="Administrator")[1]
        except IntegrityError:
            return None  # another process made it a moment ago
    store.set_role(FIRST_ADMIN, Role.ADMIN, None, ACTOR, Via.CLI)
    store.set_active(FIRST_ADMIN, True, ACTOR, Via.CLI)
    return store.reset_password(FIRST_ADMIN, ACTOR, Via.CLI)


def announce_first_admin(sessions: sessionmaker[Session]) -> None:
    """:func:`ensure_first_admin`, printing a new password once, framed, at WARNING level."""
    password = ensure_first_admin(sessions)
    if password is None:
        return
    rule = "=" * 64
    log.warning("\n%s\nNo administrator existed: created user %r.\nOne-time password: %s\n"
                "Log in at /login and choose a new password; this is shown only once.\n%s",
                rule, FIRST_ADMIN, password, rule)
