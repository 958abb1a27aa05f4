"""One call that puts access control on an app: the middleware and the auth pages."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from noc.auth.middleware import AuthMiddleware
from noc.auth.policy import AuthPolicy
from noc.auth.views import make_auth_router
from noc.settings import Settings


def install_auth(app: FastAPI, sessions: sessionmaker[Session], settings: Settings,
                 lab: bool) -> AuthPolicy:
    """Add :class:`AuthMiddleware` and the /login, /account, /admin pages; the policy used."""
    policy = AuthPolicy.from_settings(settings, lab)
    app.add_middleware(AuthMiddleware, sessions=sessions, policy=policy)
    app.include_router(make_auth_router(sessions, settings))
    return policy
