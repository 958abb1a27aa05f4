"""Users in the database: create, change role, deactivate, passwords, log in.

Every change is written to the audit log (:class:`inventory.records.AuditEntry`,
entity ``user``) with who made it and through which path; a password appears
there only as "changed" or "reset", never as a value or a hash. Changing a
password, resetting it or deactivating a user ends the user's other sessions.
The last active admin cannot be demoted or deactivated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from inventory.enums import Action, Via
from inventory.models import Agency, utcnow
from inventory.records import AuditEntry
from noc.auth.models import LoginSession, User
from noc.auth.passwords import (
    check_policy,
    dummy_hash,
    hash_password,
    one_time_password,
    verify_password,
)
from noc.auth.roles import Principal, Role

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class UserError(ValueError):
    """A user change that cannot be made; the message says why."""


@dataclass(frozen=True, slots=True)
class UserInfo:
    """A user as pages and commands show it (no password hash)."""

    id: int
    name: str
    display_name: str
    role: Role
    agency: str | None
    active: bool
    must_change_password: bool
    created_at: datetime
    last_login: datetime | None

    @classmethod
    def of(cls, row: User) -> UserInfo:
        """The public view of a user row."""
        return cls(row.id, row.name, row.display_name, Role.parse(row.role), row.agency,
                   row.active, row.must_change_password, row.created_at, row.last_login)

    def principal(self, via_token: bool = False) -> Principal:
        """The :class:`Principal` requests of this user act as."""
        return Principal(self.name, self.role, self.agency, via_token)


def audit(session: Session, actor: str, via: Via, entity: str, key: str, action: Action,
          changes: dict[str, Any] | None = None, note: str = "") -> None:
    """Add an audit entry for a user or token change (in the caller's transaction)."""
    session.add(AuditEntry(actor=actor[:64], via=via.value, entity=entity, key=key[:200],
                           action=action.value, changes=changes or {}, note=note, at=utcnow()))


def drop_sessions(session: Session, user_id: int, keep: str | None = None) -> None:
    """End every login session of a user except ``keep`` (a session id)."""
    stmt = delete(LoginSession).where(LoginSession.user_id == user_id)
    if keep is not None:
        stmt = stmt.where(LoginSession.id != keep)
    session.execute(stmt)


class UserStore:
    """The users of one database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def get(self, name: str) -> UserInfo | None:
        """The user called ``name`` (None: no such user)."""
        with self.sessions() as session:
            row = session.scalar(select(User).where(User.name == name.lower()))
            return UserInfo.of(row) if row else None

    def list_users(self) -> list[UserInfo]:
        """Every user, by name."""
        with self.sessions() as session:
            return [UserInfo.of(u) for u in session.scalars(select(User).order_by(User.name))]

    def create(self, name: str, role: Role, actor: str, via: Via, agency: str | None = None,
               display_name: str = "") -> tuple[UserInfo, str]:
        """Create a user with a one-time password (returned, to be shown once)."""
        name = name.strip().lower()
        if not NAME_RE.match(name):
            raise UserError("user name: 2-64 of a-z 0-9 . _ -, starting with a letter or digit")
        password = one_time_password()
        with self.sessions.begin() as session:
            if session.scalar(select(User.id).where(User.name == name)) is not None:
                raise UserError(f"user {name!r} already exists")
            agency = _checked_agency(session, role, agency)
            row = User(name=name, display_name=display_name.strip()[:120], role=role.label,
                       agency=agency, password_hash=hash_password(password), active=True,
                       must_change_password=True, created_at=utcnow())
            session.add(row)
            session.flush()
            audit(session, actor, via, "user", name, Action.CREATE,
                  {"role": [None, role.label], "agency": [None, agency]})
            return UserInfo.of(row), password

    def set_role(self, name: str, role: Role, agency: str | None, actor: str, via: Via) -> None:
        """Give a user a role and (viewers only) an agency scope."""
        with self.sessions.begin() as session:
            row = _row(session, name)
            agency = _checked_agency(session, role, agency)
            if row.role == Role.ADMIN.label and role < Role.ADMIN:
                _keep_an_admin(session, row)
            changes = {f: [old, new] for f, old, new in
                       (("role", row.role, role.label), ("agency", row.agency, agency))
                       if old != new}
            row.role, row.agency = role.label, agency
            if changes:
                audit(session, actor, via, "user", row.name, Action.UPDATE, changes)

    def set_active(self, name: str, active: bool, actor: str, via: Via) -> None:
        """Activate or deactivate a user (deactivating ends their sessions)."""
        with self.sessions.begin() as session:
            row = _row(session, name)
            if row.active == active:
                return
            if not active and row.role == Role.ADMIN.label:
                _keep_an_admin(session, row)
            row.active = active
            if not active:
                drop_sessions(session, row.id)
            audit(session, actor, via, "user", row.name, Action.UPDATE,
                  {"active": [not active, active]})

    def set_password(self, name: str, password: str, actor: str, via: Via,
                     keep_session: str | None = None) -> None:
        """Set a password the policy accepts; other sessions of the user end."""
        check_policy(password, name)
        with self.sessions.begin() as session:
            row = _row(session, name)
            row.password_hash = hash_password(password)
            row.must_change_password = False
            drop_sessions(session, row.id, keep_session)
            audit(session, actor, via, "user", row.name, Action.UPDATE, note="password changed")

    def reset_password(self, name: str, actor: str, via: Via) -> str:
        """A new one-time password (returned once); the user must change it at next login."""
        password = one_time_password()
        with self.sessions.begin() as session:
            row = _row(session, name)
            row.password_hash = hash_password(password)
            row.must_change_password = True
            drop_sessions(session, row.id)
            audit(session, actor, via, "user", row.name, Action.UPDATE, note="password reset")
        return password

    def authenticate(self, name: str, password: str) -> UserInfo | None:
        """The active user with this name and password (None otherwise, at the same cost)."""
        with self.sessions.begin() as session:
            row = session.scalar(select(User).where(User.name == name.strip().lower()))
            hashed = row.password_hash if row is not None and row.active else dummy_hash()
            if not verify_password(password, hashed) or row is None or not row.active:
                return None
            row.last_login = utcnow()
            return UserInfo.of(row)


def _row(session: Session, name: str) -> User:
    row = session.scalar(select(User).where(User.name == name.strip().lower()))
    if row is None:
        raise UserError(f"no user {name!r}")
    return row


def _checked_agency(session: Session, role: Role, agency: str | None) -> str | None:
    agency = (agency or "").strip() or None
    if agency is None:
        return None
    if role != Role.VIEWER:
        raise UserError("only a viewer can be limited to one agency")
    if session.scalar(select(Agency.id).where(Agency.code == agency)) is None:
        raise UserError(f"no agency with code {agency!r}")
    return agency


def _keep_an_admin(session: Session, leaving: User) -> None:
    others = session.scalar(select(func.count(User.id)).where(
        User.role == Role.ADMIN.label, User.active.is_(True), User.id != leaving.id))
    if not others:
        raise UserError("this is the last active admin; make another admin first")
