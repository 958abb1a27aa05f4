from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from inventory.enums import Via
from inventory.models import utcnow
from inventory.records import AuditEntry
from noc.auth.credentials import Credentials, digest
from noc.auth.models import ApiToken, LoginSession, User
from noc.auth.passwords import PasswordPolicyError
from noc.auth.roles import Role
from noc.auth.store import UserError, UserStore

Sessions = sessionmaker[Session]


def _audit(sessions: Sessions) -> list[AuditEntry]:
    with sessions() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_create_gives_a_one_time_password_stored_only_as_hash(sessions: Sessions):
    store = UserStore(sessions)
    user, password = store.create("Alice", Role.OPERATOR, "root", Via.CLI)
    assert user.name == "alice" and user.must_change_password
    with sessions() as session:
        row = session.scalars(select(User)).one()
    assert password not in row.password_hash and row.password_hash.startswith("$2b$")
    assert store.authenticate("ALICE", password) == store.get("alice")


def test_duplicate_and_bad_names_are_refused(sessions: Sessions):
    store = UserStore(sessions)
    store.create("bob", Role.VIEWER, "root", Via.CLI)
    with pytest.raises(UserError, match="already exists"):
        store.create("bob", Role.VIEWER, "root", Via.CLI)
    with pytest.raises(UserError, match="user name"):
        store.create("bad name!", Role.VIEWER, "root", Via.CLI)


def test_only_viewers_get_an_existing_agency(sessions: Sessions):
    store = UserStore(sessions)
    assert store.create("ward", Role.VIEWER, "r", Via.UI, agency="Q1")[0].agency == "Q1"
    with pytest.raises(UserError, match="only a viewer"):
        store.create("op", Role.OPERATOR, "r", Via.UI, agency="Q1")
    with pytest.raises(UserError, match="no agency"):
        store.create("ghost", Role.VIEWER, "r", Via.UI, agency="NOPE")


def test_authenticate_refuses_wrong_unknown_and_inactive(sessions: Sessions):
    store = UserStore(sessions)
    _, password = store.create("carol", Role.VIEWER, "r", Via.CLI)
    assert store.authenticate("carol", "wrong password!") is None
    assert store.authenticate("nobody", password) is None
    store.create("admin2", Role.ADMIN, "r", Via.CLI)
    store.set_active("carol", False, "r", Via.CLI)
    assert store.authenticate("carol", password) is None
    assert store.get("carol").last_login is None  # type: ignore[union-attr]


def test_set_password_applies_policy_and_clears_must_change(sessions: Sessions):
    store = UserStore(sessions)
    store.create("dave", Role.VIEWER, "r", Via.CLI)
    with pytest.raises(PasswordPolicyError):
        store.set_password("dave", "short", "dave", Via.UI)
    store.set_password("dave", "a long enough secret", "dave", Via.UI)
    assert store.authenticate("dave", "a long enough secret") is not None
    assert not store.get("dave").must_change_password  # type: ignore[union-attr]


def test_password_changes_end_other_sessions(sessions: Sessions):
    store, creds = UserStore(sessions), Credentials(sessions)
    user, _ = store.create("erin", Role.VIEWER, "r", Via.CLI)
    keep, _ = creds.open_session(user, 1)
    other, _ = creds.open_session(user, 1)
    keep_id = creds.session_identity(keep).session_id  # type: ignore[union-attr]
    store.set_password("erin", "another fine secret", "erin", Via.UI, keep_session=keep_id)
    assert creds.session_identity(keep) is not None
    assert creds.session_identity(other) is None
    new_password = store.reset_password("erin", "admin", Via.UI)
    assert creds.session_identity(keep) is None
    assert store.authenticate("erin", new_password).must_change_password  # type: ignore[union-attr]


def test_last_admin_cannot_be_demoted_or_deactivated(sessions: Sessions):
    store = UserStore(sessions)
    store.create("root", Role.ADMIN, "r", Via.CLI)
    with pytest.raises(UserError, match="last active admin"):
        store.set_role("root", Role.VIEWER, None, "r", Via.CLI)
    with pytest.raises(UserError, match="last active admin"):
        store.set_active("root", False, "r", Via.CLI)
    store.create("root2", Role.ADMIN, "r", Via.CLI)
    store.set_role("root", Role.VIEWER, "Q1", "r", Via.CLI)
    assert store.get("root").role is Role.VIEWER  # type: ignore[union-attr]


def test_sessions_expire_and_close(sessions: Sessions):
    store, creds = UserStore(sessions), Credentials(sessions)
    user, _ = store.create("fay", Role.OPERATOR, "r", Via.CLI)
    cookie, csrf = creds.open_session(user, 1, "127.0.0.9", "test")
    identity = creds.session_identity(cookie)
    assert identity is not None and identity.csrf_token == csrf
    assert identity.principal.role is Role.OPERATOR and not identity.principal.via_token
    with sessions.begin() as session:  # only the digest is stored
        row = session.scalars(select(LoginSession)).one()
        assert row.id == digest(cookie) and cookie not in row.id
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert creds.session_identity(cookie) is None
    cookie2, _ = creds.open_session(user, 1)  # purges the expired one
    with sessions() as session:
        assert session.scalars(select(LoginSession.id)).all() == [digest(cookie2)]
    creds.close_session(cookie2)
    assert creds.session_identity(cookie2) is None
    assert creds.session_identity("made-up") is None


def test_role_change_applies_to_an_open_session(sessions: Sessions):
    store, creds = UserStore(sessions), Credentials(sessions)
    user, _ = store.create("gus", Role.TECHNICIAN, "r", Via.CLI)
    cookie, _ = creds.open_session(user, 1)
    store.set_role("gus", Role.VIEWER, "Q1", "admin", Via.UI)
    identity = creds.session_identity(cookie)
    assert identity is not None and identity.principal.role is Role.VIEWER
    assert identity.principal.agency == "Q1"


def test_tokens_work_until_revoked_or_expired(sessions: Sessions):
    store, creds = UserStore(sessions), Credentials(sessions)
    store.create("bot", Role.TECHNICIAN, "r", Via.CLI)
    info, secret = creds.create_token("bot", "backup job", "admin", Via.UI)
    assert secret.startswith(f"noc_{info.prefix}_")
    identity = creds.token_identity(secret)
    assert identity is not None and identity.principal.via_token
    assert identity.principal.name == "bot" and identity.csrf_token == ""
    assert creds.token_identity(secret[:-1] + ("x" if secret[-1] != "x" else "y")) is None
    assert creds.token_identity("noc_nope_nope") is None
    assert creds.token_identity("garbage") is None
    with sessions() as session:
        row = session.scalars(select(ApiToken)).one()
        assert row.token_hash == digest(secret) and row.last_used is not None
    creds.revoke_token(info.id, "admin", Via.UI)
    assert creds.token_identity(secret) is None
    _, expired = creds.create_token("bot", "old", "admin", Via.UI,
                                    utcnow() - timedelta(minutes=1))
    assert creds.token_identity(expired) is None


def test_tokens_of_deactivated_users_stop(sessions: Sessions):
    store, creds = UserStore(sessions), Credentials(sessions)
    store.create("bot", Role.VIEWER, "r", Via.CLI)
    _, secret = creds.create_token("bot", "wall", "admin", Via.UI)
    store.set_active("bot", False, "admin", Via.UI)
    assert creds.token_identity(secret) is None


def test_user_and_token_changes_are_audited_without_secrets(sessions: Sessions):
    store, creds = UserStore(sessions), Credentials(sessions)
    _, password = store.create("hana", Role.VIEWER, "root", Via.CLI, agency="Q1")
    store.set_role("hana", Role.OPERATOR, None, "boss", Via.UI)
    store.set_password("hana", "the new secret 1234", "hana", Via.UI)
    reset = store.reset_password("hana", "boss", Via.UI)
    info, secret = creds.create_token("hana", "script", "boss", Via.API)
    creds.revoke_token(info.id, "boss", Via.UI)
    entries = _audit(sessions)
    assert [(e.entity, e.action, e.actor, e.via) for e in entries] == [
        ("user", "create", "root", "cli"), ("user", "update", "boss", "ui"),
        ("user", "update", "hana", "ui"), ("user", "update", "boss", "ui"),
        ("token", "create", "boss", "api"), ("token", "update", "boss", "ui")]
    assert entries[1].changes == {"role": ["viewer", "operator"], "agency": ["Q1", None]}
    assert entries[2].note == "password changed" and entries[3].note == "password reset"
    assert entries[4].key == "hana/script"
    dump = repr([(e.changes, e.note, e.key) for e in entries])
    with sessions() as session:
        hashed = session.scalars(select(User.password_hash)).one()
    for value in (password, reset, secret, "the new secret 1234", hashed, digest(secret)):
        assert value not in dump
