"""A migrated SQLite database per test and a cheap bcrypt cost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from inventory.models import Agency
from noc.auth import passwords
from noc.db import init_schema, make_engine, session_factory


@pytest.fixture(autouse=True)
def cheap_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "ROUNDS", 4)


@pytest.fixture
def sessions(tmp_path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path}/auth.sqlite3")
    init_schema(engine)
    factory = session_factory(engine)
    with factory.begin() as session:
        district = Agency(code="Q1", kind="district", name_vi="Quận 1", name_en="District 1")
        session.add(district)
        session.flush()
        session.add_all([
            Agency(code="Q1-BN", kind="ward", name_vi="Phường Bến Nghé",
                   name_en="Ben Nghe Ward", parent_id=district.id),
            Agency(code="STTTT", kind="department", name_vi="Sở TT&TT", name_en="DIC"),
        ])
    yield factory
    engine.dispose()
