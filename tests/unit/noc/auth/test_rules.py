"""Pure rules: the access policy, login throttling, agency scope."""

from __future__ import annotations

import pytest

from inventory.catalog import CatAgency, Catalog
from noc.auth.policy import AuthPolicy, Verdict, decide, is_loopback, required_role
from noc.auth.ratelimit import LoginLimiter
from noc.auth.roles import Principal, Role
from noc.auth.scope import visible_agencies
from noc.settings import load_settings

VIEWER = Principal("v", Role.VIEWER)
OPERATOR = Principal("o", Role.OPERATOR)
TECH = Principal("t", Role.TECHNICIAN)


@pytest.mark.parametrize(("method", "path", "role"), [
    ("GET", "/", None), ("GET", "/api/v1/devices", None), ("HEAD", "/devices", None),
    ("POST", "/alerts/ack", Role.OPERATOR), ("DELETE", "/api/v1/inventory/devices/x",
                                              Role.TECHNICIAN),
    ("PUT", "/api/v1/inventory", Role.TECHNICIAN), ("GET", "/admin/users", Role.ADMIN),
    ("POST", "/logout", None), ("POST", "/account", None), ("GET", "/administer", None),
])
def test_required_role(method, path, role):
    assert required_role(method, path) == role


def test_anonymous_verdicts():
    assert decide("GET", "/", None, False, True) is Verdict.ALLOW
    assert decide("GET", "/", None, False, False) is Verdict.LOGIN
    assert decide("POST", "/alerts/ack", None, False, True) is Verdict.LOGIN
    assert decide("GET", "/admin/users", None, False, True) is Verdict.LOGIN
    assert decide("GET", "/account", None, False, True) is Verdict.LOGIN
    for path in ("/login", "/metrics", "/healthz", "/static/noc.css"):
        assert decide("GET", path, None, False, False) is Verdict.ALLOW
    assert decide("POST", "/login", None, False, False) is Verdict.ALLOW


def test_user_verdicts():
    assert decide("POST", "/alerts/ack", VIEWER, False, False) is Verdict.FORBIDDEN
    assert decide("POST", "/alerts/ack", OPERATOR, False, False) is Verdict.ALLOW
    assert decide("POST", "/api/v1/inventory/sites", OPERATOR, False, False) is Verdict.FORBIDDEN
    assert decide("POST", "/api/v1/inventory/sites", TECH, False, False) is Verdict.ALLOW
    assert decide("GET", "/", OPERATOR, True, False) is Verdict.CHANGE_PASSWORD
    assert decide("POST", "/account", VIEWER, True, False) is Verdict.ALLOW


def test_policy_defaults_follow_the_lab_and_the_listen_address():
    lab = AuthPolicy.from_settings(load_settings(), lab=True)
    assert lab.anonymous_read and not lab.secure_cookies  # 127.0.0.1:8000
    real = AuthPolicy.from_settings(load_settings(listen="0.0.0.0:8000"), lab=False)
    assert not real.anonymous_read and real.secure_cookies
    wall = AuthPolicy.from_settings(load_settings(auth={"anonymous_read": True}), lab=False)
    assert wall.anonymous_read
    assert is_loopback("127.0.0.5") and is_loopback("localhost") and is_loopback("[::1]")
    assert not is_loopback("example.org")


def test_limiter_locks_after_ten_failures_and_expires():
    now = [1000.0]
    limiter = LoginLimiter(clock=lambda: now[0])
    for _ in range(9):
        limiter.failure("127.0.0.1", "alice")
    assert limiter.retry_after("127.0.0.1", "alice") == 0
    limiter.failure("127.0.0.1", "alice")
    assert limiter.retry_after("127.0.0.1", "alice") == 900
    assert limiter.retry_after("127.0.0.2", "ALICE") == 900  # per name, any address
    assert limiter.retry_after("127.0.0.1", "bob") == 900  # per address, any name
    assert limiter.retry_after("127.0.0.2", "bob") == 0
    now[0] += 600
    assert limiter.retry_after("127.0.0.1", "alice") == 300
    now[0] += 301
    assert limiter.retry_after("127.0.0.1", "alice") == 0


def test_success_clears_the_name_but_not_the_address():
    limiter = LoginLimiter(max_failures=2)
    limiter.failure("127.0.0.1", "alice")
    limiter.failure("127.0.0.1", "alice")
    limiter.success("alice")
    assert limiter.retry_after("127.0.0.2", "alice") == 0
    assert limiter.retry_after("127.0.0.1", "alice") > 0


def test_limiter_memory_is_bounded():
    limiter = LoginLimiter(max_keys=10)
    for i in range(100):
        limiter.failure(f"127.0.0.{i}", f"user{i}")
    assert len(limiter._failures) == 10


def _catalog() -> Catalog:
    agencies = {code: CatAgency(code, kind, code, code, parent) for code, kind, parent in [
        ("Q1", "district", None), ("Q1-BN", "ward", "Q1"), ("Q1-DK", "ward", "Q1"),
        ("Q3", "district", None), ("STTTT", "department", None)]}
    return Catalog(agencies=agencies)


def test_visible_agencies():
    catalog = _catalog()
    assert visible_agencies(None, catalog) is None
    assert visible_agencies("Q1", catalog) == {"Q1", "Q1-BN", "Q1-DK"}
    assert visible_agencies("Q1-BN", catalog) == {"Q1-BN"}
    assert visible_agencies("GONE", catalog) == {"GONE"}
