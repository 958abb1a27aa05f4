"""Who may do what: the four roles, the user a request acts as, and route guards.

The login machinery (sessions, API tokens, CSRF) puts a :class:`Principal` on
``request.state.user`` for every request, or leaves it ``None`` for an
anonymous visitor. Pages and routes only ever ask this module:
:func:`principal`, :func:`actor_name`, :func:`require_role` and
:func:`agency_scope`.

Roles are ordered: a technician can do everything an operator can, and so on.

* ``viewer``: read pages and the read-only API (optionally scoped to one agency);
* ``operator``: + acknowledge, silence, maintenance windows (alerting);
* ``technician``: + change the inventory (forms, import, API writes, drift);
* ``admin``: + users and API tokens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

from fastapi import HTTPException, Request


class Role(IntEnum):
    """A user's role; a higher value includes every lower one."""

    VIEWER = 1
    OPERATOR = 2
    TECHNICIAN = 3
    ADMIN = 4

    @classmethod
    def parse(cls, name: str) -> Role:
        """The role called ``name`` (ValueError listing the roles otherwise)."""
        try:
            return cls[name.upper()]
        except KeyError:
            allowed = ", ".join(r.name.lower() for r in cls)
            raise ValueError(f"unknown role {name!r}: one of {allowed}") from None

    @property
    def label(self) -> str:
        """The role's lowercase name."""
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Principal:
    """Whom a request acts as: a logged-in user or an API token's owner."""

    name: str
    role: Role
    agency: str | None = None  # a viewer scoped to one agency (and its wards)
    via_token: bool = False  # authenticated by an API token, not a session cookie


def principal(request: Request) -> Principal | None:
    """The user of ``request`` (None: anonymous)."""
    user = getattr(request.state, "user", None)
    return user if isinstance(user, Principal) else None


def actor_name(request: Request) -> str:
    """The name the audit log records for changes made by ``request``."""
    user = principal(request)
    return user.name if user else "anonymous"


def agency_scope(request: Request) -> str | None:
    """The agency the user is limited to (None: the whole city)."""
    user = principal(request)
    return user.agency if user else None


def require_role(role: Role) -> Callable[[Request], Principal]:
    """A FastAPI dependency: 401 for anonymous, 403 below ``role``; returns the user."""

    def guard(request: Request) -> Principal:
        user = principal(request)
        if user is None:
            raise HTTPException(401, "log in first", headers={"WWW-Authenticate": "Bearer"})
        if user.role < role:
            raise HTTPException(403, f"needs the {role.label} role (you are {user.role.label})")
        return user

    return guard
