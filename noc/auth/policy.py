"""Who may request what: the app-wide rules the auth middleware enforces.

* Always open, to anyone: ``/login``, ``/static/...``, ``/healthz`` and
  ``/metrics`` (Prometheus scrapes without credentials; the exposition holds
  no secrets, only status and counters — put it behind a proxy or firewall if
  that is too much).
* Anonymous visitors may read (GET/HEAD of pages, fragments and the API) only
  when anonymous read is on: by default with the lab, off with a real config
  unless ``auth.anonymous_read: true`` (wall screens). ``/admin`` and
  ``/account`` always need a login.
* Unsafe methods (POST, PUT, PATCH, DELETE) need at least an operator, writes
  under ``/api/v1/inventory`` a technician, anything under ``/admin`` an admin;
  ``/logout`` and ``/account`` (own password) any logged-in user. Routes add
  finer :func:`noc.auth.roles.require_role` guards.
* A session that must change its password may only reach ``/account``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import Enum

from noc.auth.roles import Principal, Role
from noc.settings import Settings

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
OPEN_PATHS = ("/login", "/healthz", "/metrics")
OPEN_PREFIXES = ("/static/",)
ANY_USER_PATHS = ("/logout", "/account", "/lang")  # writes every logged-in role may make
PASSWORD_CHANGE_PATHS = ("/account", "/logout", "/lang")
LOGIN_ONLY_PREFIXES = ("/admin", "/account")


class Verdict(Enum):
    """What the middleware does with a request."""

    ALLOW = "allow"
    LOGIN = "login"  # anonymous: 401 for the API, redirect to /login for pages
    CHANGE_PASSWORD = "change_password"  # 303 to /account, 403 for the API
    FORBIDDEN = "forbidden"  # 403: logged in, role too low


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    """The auth settings resolved for one running NOC."""

    anonymous_read: bool = False
    secure_cookies: bool = True
    session_hours: float = 12.0

    @classmethod
    def from_settings(cls, settings: Settings, lab: bool) -> AuthPolicy:
        """Resolve the defaults: anonymous read with the lab, Secure cookies off loopback."""
        auth = settings.auth
        anonymous = lab if auth.anonymous_read is None else auth.anonymous_read
        secure = auth.secure_cookies
        if secure is None:
            secure = not is_loopback(settings.listen_host_port[0])
        return cls(anonymous, secure, auth.session_hours)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a listen address) is on 127.0.0.0/8, ::1 or is ``localhost``."""
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_open(path: str) -> bool:
    """Whether ``path`` is served to anyone, logged in or not."""
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def is_api(path: str) -> bool:
    """Whether ``path`` answers machines (JSON, fragments) rather than a browser page."""
    return path.startswith(("/api/", "/fragments/"))


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def required_role(method: str, path: str) -> Role | None:
    """The lowest role allowed to make this request (None: any logged-in user)."""
    if _under(path, "/admin"):
        return Role.ADMIN
    if method not in UNSAFE_METHODS or path in ANY_USER_PATHS:
        return None
    if _under(path, "/api/v1/inventory"):
        return Role.TECHNICIAN
    return Role.OPERATOR


def decide(method: str, path: str, user: Principal | None, must_change_password: bool,
           anonymous_read: bool) -> Verdict:
    """The verdict on one request, before the route's own guards."""
    if is_open(path):
        return Verdict.ALLOW
    if user is None:
        readable = method not in UNSAFE_METHODS and not any(
            _under(path, p) for p in LOGIN_ONLY_PREFIXES)
        return Verdict.ALLOW if anonymous_read and readable else Verdict.LOGIN
    if must_change_password and path not in PASSWORD_CHANGE_PATHS:
        return Verdict.CHANGE_PASSWORD
    role = required_role(method, path)
    return Verdict.FORBIDDEN if role is not None and user.role < role else Verdict.ALLOW
