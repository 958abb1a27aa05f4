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
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from noc.auth.credentials import Credentials, Identity
from noc.auth.forms import csrf_matches
from noc.auth.policy import UNSAFE_METHODS, AuthPolicy, Verdict, decide, is_api

SESSION_COOKIE = "noc_session"
CSRF_COOKIE = "noc_csrf"


class AuthMiddleware:
    """Identify, protect against CSRF and enforce :mod:`noc.auth.policy` on every request.

    A plain ASGI middleware (no per-request task or response streaming
    wrapper): a request with neither a session cookie nor a bearer token is
    decided without touching the database or the thread pool. A body read
    for the CSRF check is replayed to the application.
    """

    def __init__(self, app: ASGIApp, sessions: sessionmaker[Session],
                 policy: AuthPolicy) -> None:
        self.app = app
        self.credentials = Credentials(sessions)
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Identify the request, refuse it or pass it on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        bearer = _bearer(request)
        cookie = request.cookies.get(SESSION_COOKIE)
        identity = None
        if bearer is not None or cookie:
            identity = await run_in_threadpool(self._identify, bearer, cookie)
        if bearer is not None and identity is None:
            await _json(401, "invalid or expired API token")(scope, receive, send)
            return
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
        refusal = await self._refusal(request, identity)
        cookies: list[str] = []
        if new_csrf is not None:
            cookies.append(_cookie_header(CSRF_COOKIE, new_csrf, self.policy.secure_cookies))
        if cookie is not None and identity is None and bearer is None:
            cookies.append(f"{SESSION_COOKIE}=; Max-Age=0; Path=/; SameSite=lax")  # ended
        send_with = _adding_cookies(send, cookies) if cookies else send
        if refusal is not None:
            await refusal(scope, receive, send_with)
            return
        body = getattr(request, "_body", None)  # read by the CSRF check: replay it
        await self.app(scope, _replay(body, receive) if body is not None else receive,
                       send_with)

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


def _cookie_header(name: str, value: str, secure: bool) -> str:
    return (f"{name}={value}; HttpOnly; Path=/; SameSite=lax" + ("; Secure" if secure else ""))


def _adding_cookies(send: Send, cookies: list[str]) -> Send:
    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for value in cookies:
                headers.append("set-cookie", value)
        await send(message)

    return sender


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def receiver() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return receiver


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _json(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)
