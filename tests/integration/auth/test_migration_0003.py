"""Migration 0003 (users, tokens, sessions) up and down on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect

from noc.db import (
    alembic_config,
    current_revision,
    head_revision,
    init_schema,
    make_engine,
    schema_differences,
)

pytestmark = pytest.mark.integration
TABLES = {"user_account", "api_token", "login_session"}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/m.sqlite3"
    return request.getfixturevalue("postgres").create_database(
        f"auth_mig_{request.node.callspec.id}")


def test_upgrade_matches_models_and_downgrade_removes_the_tables(url):
    engine = make_engine(url)
    try:
        init_schema(engine)
        assert current_revision(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) >= TABLES
        with engine.connect() as conn:
            assert schema_differences(conn) == []
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0002")
        assert not TABLES & set(inspect(engine).get_table_names())
        assert current_revision(engine) == "0002"
        init_schema(engine)
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()
