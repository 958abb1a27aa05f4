"""One inventory test suite, two databases: every test using ``db`` runs on SQLite and PostgreSQL.

The PostgreSQL is a private cluster (Debian ``postgresql``, loopback port, own
data dir) shared by the session; each test gets a fresh database on it, and a
fresh SQLite file. Both are migrated with ``init_schema`` exactly as the NOC does.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once (init_schema); each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "inventory.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    init_schema(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres: PostgresPeer) -> str:
    """A PostgreSQL database migrated once; each test's database is a copy of it."""
    url = postgres.create_database("t_template")
    engine = make_engine(url)
    init_schema(engine)
    engine.dispose()
    return "t_template"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    """A migrated, empty database: a copy of a template migrated with init_schema once.

    The copy is then brought to head with ``init_schema`` again (a no-op that
    proves the copy is at head), exactly as the NOC does at every start.
    """
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "inventory.sqlite3"
        shutil.copyfile(template, target)
        url = f"sqlite:///{target}"
    else:
        peer: PostgresPeer = request.getfixturevalue("postgres")
        source: str = request.getfixturevalue("postgres_template")
        digest = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:10]
        name = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[-40:]
        url = peer.create_database(f"t_{name}_{digest}", template=source)
    engine = make_engine(url)
    init_schema(engine)
    yield Db(url, engine, session_factory(engine))
    engine.dispose()
    if request.param == "postgresql":
        peer.drop_database(engine.url.database or "")
