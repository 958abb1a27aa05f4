"""Databases for the auth tests: a fresh SQLite file, and a private PostgreSQL on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from noc.auth import passwords
from noc.db import init_schema, make_engine, session_factory
from tests.peers.postgres import PostgresPeer


@pytest.fixture(autouse=True)
def cheap_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "ROUNDS", 4)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresPeer]:
    peer = PostgresPeer()
    peer.start()
    yield peer
    peer.close()


@pytest.fixture
def sessions(tmp_path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path}/auth.sqlite3")
    init_schema(engine)
    yield session_factory(engine)
    engine.dispose()
