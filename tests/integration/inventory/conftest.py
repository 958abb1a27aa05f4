"""One inventory test suite, two databases: every test using ``db`` runs on SQLite and PostgreSQL.

The PostgreSQL is a private cluster (Debian ``postgresql``, loopback port, own
data dir) shared by the session; each test gets a fresh database on it, and a
fresh SQLite file. Both are migrated with ``init_schema`` exactly as the NOC does.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from noc.db import init_schema, make_engine, session_factory
from tests.peers.postgres import PostgresPeer


@dataclass
class Db:
    """A migrated, empty inventory database of one dialect."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresPeer]:
    peer = PostgresPeer()
    peer.start()
    yield peer
    peer.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path) -> Iterator[Db]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/inventory.sqlite3"
    else:
        peer: PostgresPeer = request.getfixturevalue("postgres")
        digest = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:10]
        name = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[-40:]
        url = peer.create_database(f"t_{name}_{digest}")  # unique per test, class included
    engine = make_engine(url)
    init_schema(engine)
    yield Db(url, engine, session_factory(engine))
    engine.dispose()
    if request.param == "postgresql":
        peer.drop_database(engine.url.database or "")
