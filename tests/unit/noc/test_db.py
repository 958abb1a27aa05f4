"""The schema comes from the Alembic migrations (SQLite here; PostgreSQL in integration)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session

from inventory.models import Agency, Base
from noc.db import (
    SchemaMismatchError,
    alembic_config,
    current_revision,
    head_revision,
    init_schema,
    make_engine,
    schema_differences,
)


def _engine(tmp_path: Path) -> Engine:
    return make_engine(f"sqlite:///{tmp_path / 'db' / 'noc.sqlite3'}")




def test_one_linear_history():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert [r.revision for r in script.walk_revisions()][-1] == "0001"


def test_upgrade_head_matches_the_models(tmp_path: Path):
    """Fails whenever a model changes without a migration (autogenerate finds a diff)."""
    engine = _engine(tmp_path)
    init_schema(engine)
    with engine.connect() as conn:
        assert schema_differences(conn) == []
    assert current_revision(engine) == head_revision()
    init_schema(engine)  # idempotent: the second start changes nothing
    assert current_revision(engine) == head_revision()


def test_create_all_database_is_stamped_and_keeps_its_rows(
        tmp_path: Path, caplog: pytest.LogCaptureFixture):
    engine = _engine(tmp_path)
    Base.metadata.create_all(engine)  # how databases were made before migrations
    with Session(engine) as session:
        session.add(Agency(code="Q1-BN", kind="ward", name_vi="Phường Bến Nghé",
                           name_en="Ben Nghe Ward"))
        session.commit()
    with caplog.at_level(logging.WARNING, logger="noc.db"):
        init_schema(engine)
    assert "stamping it at head" in caplog.text
    assert current_revision(engine) == head_revision()
    with Session(engine) as session:
        assert session.scalars(select(Agency.name_vi)).all() == ["Phường Bến Nghé"]


def test_unversioned_database_that_differs_is_refused_untouched(tmp_path: Path):
    engine = _engine(tmp_path)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE agency (id INTEGER PRIMARY KEY, code VARCHAR(8))"))
        conn.execute(text("INSERT INTO agency (code) VALUES ('Q1')"))
    with pytest.raises(SchemaMismatchError, match="no alembic_version"):
        init_schema(engine)
    assert set(inspect(engine).get_table_names()) == {"agency"}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT code FROM agency")).scalar() == "Q1"


def test_downgrade_base_then_upgrade_head(tmp_path: Path):
    engine = _engine(tmp_path)
    init_schema(engine)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    assert current_revision(engine) is None
    init_schema(engine)
    with engine.connect() as conn:
        assert schema_differences(conn) == []
    assert current_revision(engine) == head_revision()
