"""The auth middleware: who each request is, its CSRF token, and the app-wide rules.

For every request it sets ``request.state.user`` (a
:class:`~noc.auth.roles.Principal`, or None when anonymous) from the
``noc_session`` cookie or an ``Authorization: Bearer`` token, and
``request.state.csrf_token``: the session's own, or for anonymous visitors a
random value kept in the ``noc_csrf`` cookie (double submit, used by the login
form). It then applies :func:`noc.auth.policy.decide` and, for unsafe methods
of cookie users and anonymous visitors, checks the CSRF token (form field
``csrf_token`` or header ``X-CSRF-Token``; 403 otherwise). Requests with a
bearer token need no CSRF token: browsers never add that header by themselves.
A bearer token that is wrong, revoked or expired is a 401 even where reading is open.
"""

from __future__ import annotations

import secrets
from urllib.parse import quote

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp

from noc.auth.credentials import Credentials, Identity
from noc.auth.forms import csrf_matches
from noc.auth.policy import UNSAFE_METHODS, AuthPolicy, Verdict, decide, is_api

SESSION_COOKIE = "noc_session"
CSRF_COOKIE = "noc_csrf"


class AuthMiddleware(BaseHTTPMiddleware):
    """Identify, protect against CSRF and enforce :mod:`noc.auth.policy` on every request."""

    def __init__(self, app: ASGIApp, sessions: sessionmaker[Session],
                 policy: AuthPolicy) -> None:
        super().__init__(app)
        self.credentials = Credentials(sessions)
        self.policy = policy

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        """Identify the request, refuse it or pass it on."""
        bearer = _bearer(request)
        cookie = request.cookies.get(SESSION_COOKIE)
        identity = await run_in_threadpool(self._identify, bearer, cookie)
        if bearer is not None and identity is None:
            return _json(401, "invalid or expired API token")
        new_csrf = None
        if identity is not None:
            csrf = identity.csrf_token
        else:
            csrf = request.cookies.get(CSRF_COOKIE) or ""
            if len(csrf) < 32:
                csrf = new_csrf = secrets.token_urlsafe(32)
        request.state.user = identity.principal if identity else None
        request.state.csrf_token = csrf
        request.state.session_id = identity.session_id if identity else None
        request.state.must_change_password = bool(identity and identity.must_change_password)
        response = await self._refusal(request, identity)
        if response is None:
            response = await call_next(request)
        if new_csrf is not None:
            response.set_cookie(CSRF_COOKIE, new_csrf, httponly=True, samesite="lax",
                                secure=self.policy.secure_cookies)
        if cookie is not None and identity is None and bearer is None:
            response.delete_cookie(SESSION_COOKIE)  # expired or ended elsewhere
        return response

    def _identify(self, bearer: str | None, cookie: str | None) -> Identity | None:
        if bearer is not None:
            return self.credentials.token_identity(bearer)
        if cookie:
            return self.credentials.session_identity(cookie)
        return None

    async def _refusal(self, request: Request, identity: Identity | None) -> Response | None:
        path, method = request.url.path, request.method
        user = identity.principal if identity else None
        verdict = decide(method, path, user, bool(identity and identity.must_change_password),
                         self.policy.anonymous_read)
        if verdict is Verdict.LOGIN:
            if is_api(path) or method in UNSAFE_METHODS:
                return _json(401, "log in first", {"WWW-Authenticate": "Bearer"})
            target = path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        if verdict is Verdict.CHANGE_PASSWORD:
            if is_api(path) or method in UNSAFE_METHODS:
                return _json(403, "change your password first (/account)")
            return RedirectResponse("/account", status_code=303)
        if verdict is Verdict.FORBIDDEN:
            return _json(403, "your role does not allow this") if is_api(path) else \
                PlainTextResponse("403: your role does not allow this", status_code=403)
        needs_csrf = method in UNSAFE_METHODS and not (user and user.via_token)
        if needs_csrf and not await csrf_matches(request, request.state.csrf_token):
            return PlainTextResponse("403: CSRF token missing or wrong; reload the page and "
                                     "try again", status_code=403)
        return None


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _json(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)
