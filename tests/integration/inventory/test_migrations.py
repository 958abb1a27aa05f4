"""The Alembic migrations on a real PostgreSQL 15 (a private cluster, loopback only).

One cluster for the module's tests (session-scoped), a fresh database per
test. The lab inventory written through the NOC's own :class:`Runtime` (as
``noc run`` with ``database_url: postgresql+psycopg://...`` does) must read
back exactly as it does from SQLite, Vietnamese diacritics included.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from inventory.catalog import Catalog, load_catalog
from inventory.models import Agency, Base
from noc.db import (
    alembic_config,
    current_revision,
    head_revision,
    init_schema,
    make_engine,
    schema_differences,
)
from noc.lab.inventory import write_lab_inventory
from noc.lab.process import lab_port
from noc.lab.topology import build_topology
from noc.runtime import Runtime
from noc.settings import load_settings
from tests.peers.postgres import PostgresPeer

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_engine(postgres: PostgresPeer, request: pytest.FixtureRequest) -> Iterator[Engine]:
    engine = make_engine(postgres.create_database(request.node.name.lower()))
    yield engine
    engine.dispose()




def test_upgrade_head_on_postgresql_matches_the_models(pg_engine: Engine):
    assert pg_engine.dialect.driver == "psycopg"
    init_schema(pg_engine)
    with pg_engine.connect() as conn:
        assert schema_differences(conn) == []
    assert current_revision(pg_engine) == head_revision()
    init_schema(pg_engine)  # a second start changes nothing
    with pg_engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(pg_engine).get_table_names()) == {"alembic_version"}
    init_schema(pg_engine)
    with pg_engine.connect() as conn:
        assert schema_differences(conn) == []


def _lab_catalog(url: str, data_dir: Path) -> Catalog:
    settings = load_settings(None, data_dir=data_dir, database_url=url)
    runtime = Runtime(settings)  # creates the engine and runs init_schema, as `noc run` does
    try:
        with runtime.sessions() as session:
            write_lab_inventory(session, build_topology("small"), lab_port(settings.lab.port))
        with runtime.sessions() as session:
            return load_catalog(session)
    finally:
        runtime.engine.dispose()


def test_lab_inventory_reads_back_the_same_from_postgresql_and_sqlite(
        postgres: PostgresPeer, tmp_path: Path):
    on_pg = _lab_catalog(postgres.create_database("lab_small"), tmp_path / "pg")
    on_sqlite = _lab_catalog("", tmp_path / "sqlite")  # "": the default SQLite file
    topo = build_topology("small")

    assert on_pg.agencies == on_sqlite.agencies
    assert on_pg.devices == on_sqlite.devices
    assert on_pg.site_names == on_sqlite.site_names
    assert sorted(on_pg.links, key=lambda ln: ln.name) == sorted(on_sqlite.links,
                                                                key=lambda ln: ln.name)
    assert len(on_pg.agencies) == len(topo.agencies)
    assert len(on_pg.devices) == len(topo.devices)
    assert len(on_pg.links) == len(topo.links)
    names_vi = {a.code: a.name_vi for a in topo.agencies}
    assert {code: a.name_vi for code, a in on_pg.agencies.items()} == names_vi
    assert any(not name.isascii() for name in names_vi.values())  # diacritics were tested
    assert {d.port for d in on_pg.devices.values()} == {lab_port(0)}


def test_create_all_database_on_postgresql_is_stamped_not_recreated(
        pg_engine: Engine, caplog: pytest.LogCaptureFixture):
    Base.metadata.create_all(pg_engine)
    with Session(pg_engine) as session:
        session.add(Agency(code="Q1", kind="district", name_vi="Quận 1", name_en="District 1"))
        session.commit()
    with caplog.at_level(logging.WARNING, logger="noc.db"):
        init_schema(pg_engine)
    assert "stamping it at head" in caplog.text
    assert current_revision(pg_engine) == head_revision()
    with Session(pg_engine) as session:
        assert session.scalars(select(Agency.name_vi)).all() == ["Quận 1"]
