"""Login sessions (browser cookies) and API tokens (scripts): issue, look up, end.

A session cookie is 256 random bits; the database keeps only its SHA-256 as
the session id, with the session's CSRF token and expiry. An API token reads
``noc_<prefix>_<secret>``: the prefix finds the row, the SHA-256 of the whole
token is compared in constant time. Both are shown exactly once, when issued.
Each request re-reads the user, so deactivation and role changes apply at once.
Token changes are audited (entity ``token``, key ``user/token-name``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from inventory.enums import Action, Via
from inventory.models import utcnow
from noc.auth.models import ApiToken, LoginSession, User
from noc.auth.roles import Principal, Role
from noc.auth.store import UserError, UserInfo, audit

TOKEN_TOUCH = timedelta(minutes=1)  # last_used is written at most this often


def digest(value: str) -> str:
    """The SHA-256 hex of a cookie or token value (what the database stores)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a cookie or token belongs to, as the middleware needs it."""

    principal: Principal
    csrf_token: str = ""  # a session's; empty for a token
    must_change_password: bool = False
    session_id: str | None = None


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """An API token as the admin page lists it (never the secret or its hash)."""

    id: int
    name: str
    user: str
    prefix: str
    created_at: datetime
    last_used: datetime | None
    expires_at: datetime | None
    revoked: bool


class Credentials:
    """Sessions and API tokens of one database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    # -- sessions -------------------------------------------------------------------------------

    def open_session(self, user: UserInfo, hours: float, ip: str = "",
                     user_agent: str = "") -> tuple[str, str]:
        """Start a login session: (cookie value, CSRF token); expired sessions are purged."""
        cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = utcnow()
        with self.sessions.begin() as session:
            session.execute(delete(LoginSession).where(LoginSession.expires_at <= now))
            session.add(LoginSession(id=digest(cookie), user_id=user.id, created_at=now,
                                     expires_at=now + timedelta(hours=hours), csrf_token=csrf,
                                     ip=ip[:64], user_agent=user_agent[:300]))
        return cookie, csrf

    def session_identity(self, cookie: str) -> Identity | None:
        """The identity of a session cookie (None: unknown, expired or user inactive)."""
        sid = digest(cookie)
        with self.sessions() as session:
            found = session.execute(select(LoginSession, User).join(User).where(
                LoginSession.id == sid)).first()
            if found is None:
                return None
            login, user = found
            if login.expires_at <= utcnow() or not user.active:
                return None
            return Identity(Principal(user.name, Role.parse(user.role), user.agency),
                            login.csrf_token, user.must_change_password, sid)

    def close_session(self, cookie: str) -> None:
        """End the session of a cookie (logout)."""
        with self.sessions.begin() as session:
            session.execute(delete(LoginSession).where(LoginSession.id == digest(cookie)))

    # -- API tokens -----------------------------------------------------------------------------

    def create_token(self, user_name: str, token_name: str, actor: str, via: Via,
                     expires_at: datetime | None = None) -> tuple[TokenInfo, str]:
        """Issue a token acting as ``user_name``: (its info, the secret, to be shown once)."""
        token_name = token_name.strip()
        if not 1 <= len(token_name) <= 64:
            raise UserError("token name: 1 to 64 characters")
        prefix = secrets.token_hex(5)
        secret = f"noc_{prefix}_{secrets.token_urlsafe(32)}"
        with self.sessions.begin() as session:
            user = session.scalar(select(User).where(User.name == user_name.strip().lower()))
            if user is None:
                raise UserError(f"no user {user_name!r}")
            row = ApiToken(name=token_name, user_id=user.id, prefix=prefix,
                           token_hash=digest(secret), created_at=utcnow(),
                           expires_at=expires_at, revoked=False)
            session.add(row)
            session.flush()
            audit(session, actor, via, "token", f"{user.name}/{token_name}", Action.CREATE,
                  {"prefix": [None, prefix],
                   "expires_at": [None, expires_at.isoformat() if expires_at else None]})
            return _info(row, user.name), secret

    def token_identity(self, token: str) -> Identity | None:
        """The identity of a bearer token (None: unknown, revoked, expired, user inactive)."""
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != "noc":
            return None
        now = utcnow()
        with self.sessions() as session:
            found = session.execute(select(ApiToken, User).join(User).where(
                ApiToken.prefix == parts[1])).first()
            if found is None:
                return None
            row, user = found
            if (not hmac.compare_digest(row.token_hash, digest(token)) or row.revoked
                    or not user.active or (row.expires_at is not None and row.expires_at <= now)):
                return None
            if row.last_used is None or now - row.last_used > TOKEN_TOUCH:
                row.last_used = now
                session.commit()
            return Identity(Principal(user.name, Role.parse(user.role), user.agency, True))

    def revoke_token(self, token_id: int, actor: str, via: Via) -> None:
        """Revoke a token for good (requests with it get 401 from now on)."""
        with self.sessions.begin() as session:
            found = session.execute(select(ApiToken, User).join(User).where(
                ApiToken.id == token_id)).first()
            if found is None:
                raise UserError(f"no token #{token_id}")
            row, user = found
            if row.revoked:
                return
            row.revoked = True
            audit(session, actor, via, "token", f"{user.name}/{row.name}", Action.UPDATE,
                  {"revoked": [False, True]})

    def list_tokens(self) -> list[TokenInfo]:
        """Every token, newest first."""
        with self.sessions() as session:
            rows = session.execute(select(ApiToken, User.name).join(User).order_by(
                ApiToken.created_at.desc(), ApiToken.id.desc())).all()
            return [_info(token, name) for token, name in rows]


def _info(row: ApiToken, user: str) -> TokenInfo:
    return TokenInfo(row.id, row.name, user, row.prefix, row.created_at, row.last_used,
                     row.expires_at, row.revoked)
