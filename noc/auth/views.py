"""Login, logout and the own-account page; :func:`make_auth_router` also mounts the admin pages.

The login form answers every failure with the same "wrong name or password"
and takes the same time whether the name exists or not; failures are
throttled per client address and per name (:class:`~noc.auth.ratelimit.LoginLimiter`,
429 with ``Retry-After``). A user logging in with a one-time password lands
on ``/account`` and can go nowhere else until the password is changed.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from dashboards.web import base_context, templates
from inventory.enums import Via
from noc.auth.admin_views import make_admin_router
from noc.auth.credentials import Credentials
from noc.auth.forms import form_fields
from noc.auth.middleware import SESSION_COOKIE
from noc.auth.passwords import PasswordPolicyError
from noc.auth.policy import AuthPolicy
from noc.auth.ratelimit import LoginLimiter
from noc.auth.roles import principal
from noc.auth.store import UserStore
from noc.settings import Settings

log = logging.getLogger(__name__)
Lang = Annotated[str, Cookie()]


def safe_next(target: str | None) -> str:
    """A local path to go to after login ("/" for anything pointing elsewhere)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _render(request: Request, lang: str, template: str, status: int = 200,
            headers: dict[str, str] | None = None, **extra: Any) -> Response:
    return templates.TemplateResponse(request, f"auth/{template}",
                                      base_context(request, lang, section="", **extra),
                                      status_code=status, headers=headers)


class _Login:
    """What the login and account routes share."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings,
                 limiter: LoginLimiter | None) -> None:
        self.policy = AuthPolicy.from_settings(settings, lab=False)  # cookies, lifetime only
        self.users, self.credentials = UserStore(sessions), Credentials(sessions)
        self.limiter = limiter or LoginLimiter()

    def account(self, request: Request, lang: str, status: int = 200, error: str = "",
                done: bool = False) -> Response:
        """The change-password page."""
        if principal(request) is None:
            return RedirectResponse("/login?next=/account", status_code=303)
        return _render(request, lang, "account.html", status, error=error, done=done,
                       must_change=getattr(request.state, "must_change_password", False))


def make_auth_router(sessions: sessionmaker[Session], settings: Settings,
                     limiter: LoginLimiter | None = None) -> APIRouter:
    """The /login, /logout, /account and /admin pages over one database."""
    shared = _Login(sessions, settings, limiter)
    router = APIRouter(include_in_schema=False)
    _login_routes(router, shared)
    _account_routes(router, shared)
    router.include_router(make_admin_router(sessions))
    return router


def _login_routes(router: APIRouter, shared: _Login) -> None:
    users, credentials, limiter, policy = (shared.users, shared.credentials, shared.limiter,
                                           shared.policy)

    @router.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/", lang: Lang = "vi") -> Response:
        if principal(request) is not None:
            return RedirectResponse(safe_next(next), status_code=303)
        return _render(request, lang, "login.html", next=safe_next(next), name="", error="")

    @router.post("/login", response_class=HTMLResponse)
    async def login(request: Request, lang: Lang = "vi") -> Response:
        form = await form_fields(request)
        name, password = form.get("name", "").strip().lower(), form.get("password", "")
        target, ip = safe_next(form.get("next")), _client_ip(request)
        t = base_context(request, lang)["t"]
        wait = limiter.retry_after(ip, name)
        if wait:
            return _render(request, lang, "login.html", 429, {"Retry-After": str(wait)},
                           next=target, name=name, error=f"{t('auth_too_many')} {wait}")
        user = await run_in_threadpool(users.authenticate, name, password)
        if user is None:
            limiter.failure(ip, name)
            log.info("failed login for %r from %s", name[:64], ip)
            return _render(request, lang, "login.html", 401, next=target, name=name,
                           error=t("auth_wrong"))
        limiter.success(name)
        cookie, _csrf = await run_in_threadpool(
            credentials.open_session, user, policy.session_hours, ip,
            request.headers.get("user-agent", ""))
        log.info("user %s logged in from %s", user.name, ip)
        response = RedirectResponse("/account" if user.must_change_password else target,
                                    status_code=303)
        response.set_cookie(SESSION_COOKIE, cookie, max_age=int(policy.session_hours * 3600),
                            httponly=True, samesite="lax", secure=policy.secure_cookies)
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            await run_in_threadpool(credentials.close_session, cookie)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response


def _account_routes(router: APIRouter, shared: _Login) -> None:
    users, limiter = shared.users, shared.limiter

    @router.get("/account", response_class=HTMLResponse)
    def account_page(request: Request, lang: Lang = "vi") -> Response:
        return shared.account(request, lang)

    @router.post("/account", response_class=HTMLResponse)
    async def change_password(request: Request, lang: Lang = "vi") -> Response:
        user = principal(request)
        if user is None or user.via_token:
            return Response("log in with a browser session", status_code=403)
        form = await form_fields(request)
        t, ip = base_context(request, lang)["t"], _client_ip(request)
        if limiter.retry_after(ip, user.name):
            return shared.account(request, lang, 429, error=t("auth_too_many"))
        if form.get("new", "") != form.get("confirm", ""):
            return shared.account(request, lang, 400, error=t("auth_mismatch"))
        current = await run_in_threadpool(users.authenticate, user.name,
                                          form.get("current", ""))
        if current is None:
            limiter.failure(ip, user.name)
            return shared.account(request, lang, 400, error=t("auth_wrong_current"))
        try:
            await run_in_threadpool(users.set_password, user.name, form.get("new", ""),
                                    user.name, Via.UI, request.state.session_id)
        except PasswordPolicyError as exc:
            return shared.account(request, lang, 400, error=str(exc))
        request.state.must_change_password = False
        return shared.account(request, lang, done=True)
