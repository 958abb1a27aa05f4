"""Tables of access control: users, API tokens and server-side login sessions.

Nothing here holds a secret in clear: a password is a bcrypt hash, an API
token and a session cookie are stored as the SHA-256 of their value, so a
copy of the database lets nobody log in. Sessions live in the database so
that logging out, expiry, deactivation and role changes take effect at the
next request. The user table is called ``user_account`` (``user`` is a
reserved word in PostgreSQL).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from inventory.models import Base, utcnow

__all__ = ["ApiToken", "LoginSession", "User"]


class User(Base):
    """A person who logs in to the NOC."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # login name, lowercase ASCII
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(100))  # bcrypt, see noc.auth.passwords
    role: Mapped[str] = mapped_column(String(16))  # viewer, operator, technician, admin
    agency: Mapped[str | None] = mapped_column(String(32))  # a viewer's agency code, or none
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login: Mapped[datetime | None]


class ApiToken(Base):
    """A bearer token for scripts, acting as its user (shown once, stored as a hash)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))  # what the script is, e.g. "backup-job"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)  # public part, for lookup
    token_hash: Mapped[str] = mapped_column(String(64))  # sha256 hex of the whole token
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(default=False)


class LoginSession(Base):
    """One browser login; ``id`` is the SHA-256 hex of the cookie value."""

    __tablename__ = "login_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))  # forms of this session post it back
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
