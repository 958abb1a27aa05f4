"""Admin pages: users (create, role and agency, deactivate, reset password) and API tokens.

A new user's or a reset one-time password, and a new token's secret, are
rendered once on the answer to the POST that made them (``Cache-Control:
no-store``) and are never stored or shown again. Every change is audited with
the admin's name and ``via=ui``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from dashboards.web import base_context, templates
from inventory.enums import Via
from inventory.models import utcnow
from noc.auth.credentials import Credentials
from noc.auth.forms import form_fields
from noc.auth.roles import Role, actor_name, require_role
from noc.auth.store import UserError, UserStore

Lang = Annotated[str, Cookie()]
ROLES = [r.label for r in Role]
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class _Pages:
    """What the admin routes share: the stores and the page renderers."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.users, self.credentials = UserStore(sessions), Credentials(sessions)

    def page(self, request: Request, lang: str, tab: str, error: str = "",
             status: int = 200) -> Response:
        """The users or tokens page, with an error message when a change failed."""
        context = base_context(request, lang, section="", tab=tab, error=error, roles=ROLES,
                               users=self.users.list_users())
        if tab == "tokens":
            context["tokens"] = self.credentials.list_tokens()
        return templates.TemplateResponse(request, f"auth/{tab}.html", context,
                                          status_code=status)

    @staticmethod
    def secret(request: Request, lang: str, title_key: str, subject: str, value: str,
               back: str, bearer: bool = False) -> Response:
        """The page showing a one-time password or a token secret, never cached."""
        context = base_context(request, lang, section="")
        context.update(title=context["t"](title_key), subject=subject, secret=value,
                       back=back, bearer=bearer)
        return templates.TemplateResponse(request, "auth/secret.html", context,
                                          headers=NO_STORE)

    async def change(self, request: Request, lang: str, method: Callable[..., None],
                     *args: Any) -> Response:
        """Call a user change with the admin as actor; back to the list, or the error."""
        try:
            await run_in_threadpool(partial(method, *args, actor_name(request), Via.UI))
        except (UserError, ValueError) as exc:
            return self.page(request, lang, "users", str(exc), 400)
        return RedirectResponse("/admin/users", status_code=303)


def make_admin_router(sessions: sessionmaker[Session]) -> APIRouter:
    """The /admin/users and /admin/tokens pages (admin role only)."""
    pages = _Pages(sessions)
    router = APIRouter(prefix="/admin", include_in_schema=False,
                       dependencies=[Depends(require_role(Role.ADMIN))])
    _user_routes(router, pages)
    _token_routes(router, pages)
    return router


def _user_routes(router: APIRouter, pages: _Pages) -> None:
    users = pages.users

    @router.get("/users", response_class=HTMLResponse)
    def users_page(request: Request, lang: Lang = "vi") -> Response:
        return pages.page(request, lang, "users")

    @router.post("/users", response_class=HTMLResponse)
    async def create_user(request: Request, lang: Lang = "vi") -> Response:
        form = await form_fields(request)
        try:
            user, password = await run_in_threadpool(
                users.create, form.get("name", ""), Role.parse(form.get("role", "viewer")),
                actor_name(request), Via.UI, form.get("agency") or None,
                form.get("display_name", ""))
        except (UserError, ValueError) as exc:
            return pages.page(request, lang, "users", str(exc), 400)
        return pages.secret(request, lang, "auth_one_time_password", user.name, password,
                            "/admin/users")

    @router.post("/users/{name}/role")
    async def set_role(request: Request, name: str, lang: Lang = "vi") -> Response:
        form = await form_fields(request)
        try:
            role = Role.parse(form.get("role", "viewer"))
        except ValueError as exc:
            return pages.page(request, lang, "users", str(exc), 400)
        return await pages.change(request, lang, users.set_role, name, role,
                                  form.get("agency") or None)

    @router.post("/users/{name}/active")
    async def set_active(request: Request, name: str, lang: Lang = "vi") -> Response:
        form = await form_fields(request)
        return await pages.change(request, lang, users.set_active, name,
                                  form.get("active") == "1")

    @router.post("/users/{name}/reset", response_class=HTMLResponse)
    async def reset(request: Request, name: str, lang: Lang = "vi") -> Response:
        try:
            password = await run_in_threadpool(users.reset_password, name,
                                               actor_name(request), Via.UI)
        except UserError as exc:
            return pages.page(request, lang, "users", str(exc), 400)
        return pages.secret(request, lang, "auth_one_time_password", name, password,
                            "/admin/users")


def _expiry(days: str) -> datetime | None:
    if not days.strip():
        return None
    count = int(days)
    if not 1 <= count <= 3650:
        raise UserError("expiry: 1 to 3650 days")
    return utcnow() + timedelta(days=count)


def _token_routes(router: APIRouter, pages: _Pages) -> None:
    credentials = pages.credentials

    @router.get("/tokens", response_class=HTMLResponse)
    def tokens_page(request: Request, lang: Lang = "vi") -> Response:
        return pages.page(request, lang, "tokens")

    @router.post("/tokens", response_class=HTMLResponse)
    async def create_token(request: Request, lang: Lang = "vi") -> Response:
        form = await form_fields(request)
        try:
            token, value = await run_in_threadpool(
                credentials.create_token, form.get("user", ""), form.get("name", ""),
                actor_name(request), Via.UI, _expiry(form.get("days", "")))
        except (UserError, ValueError) as exc:
            return pages.page(request, lang, "tokens", str(exc), 400)
        return pages.secret(request, lang, "auth_token_secret", f"{token.user} · {token.name}",
                            value, "/admin/tokens", bearer=True)

    @router.post("/tokens/{token_id}/revoke")
    async def revoke(request: Request, token_id: int, lang: Lang = "vi") -> Response:
        try:
            await run_in_threadpool(credentials.revoke_token, token_id, actor_name(request),
                                    Via.UI)
        except UserError as exc:
            return pages.page(request, lang, "tokens", str(exc), 400)
        return RedirectResponse("/admin/tokens", status_code=303)
