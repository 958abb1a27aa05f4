"""Database engine and sessions (SQLite by default, PostgreSQL by URL), schema by Alembic.

The schema is created and evolved by the Alembic migrations in the top-level
``migrations/`` directory of the source tree (the project is installed with
``pip install -e .``, so it is found next to this package):
:func:`init_schema` runs ``upgrade head`` over the engine at every start. A
database made before migrations existed (by ``Base.metadata.create_all``, no
``alembic_version`` table) is *stamped* when its tables match the models —
its rows are kept — and refused with the differences otherwise.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

import noc.alerting.tables  # registers the alerting tables on Base.metadata
import noc.auth  # noqa: F401  (registers the user tables on Base.metadata)
from inventory.models import Base

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_PG_LOCK_KEY = 0x4E4F43  # "NOC": one migrating process at a time on a shared PostgreSQL


class SchemaMismatchError(RuntimeError):
    """An unversioned database whose tables differ from the models: not touched."""


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL and foreign keys, and its directory is created."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def migrations_dir() -> Path:
    """The Alembic script directory (``migrations/`` at the top of the source tree)."""
    if not (MIGRATIONS_DIR / "env.py").is_file():
        raise RuntimeError(f"Alembic migrations not found at {MIGRATIONS_DIR}: install the "
                           "project from its source tree with `pip install -e .`")
    return MIGRATIONS_DIR


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the migrations, optionally bound to ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def schema_differences(connection: Connection) -> list[object]:
    """Differences between the database's schema and the models ([] when they match)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def init_schema(engine: Engine) -> None:
    """Bring the schema to the newest migration (``alembic upgrade head``)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        config = alembic_config(conn)
        if _is_unversioned_legacy(conn):
            diffs = schema_differences(conn)
            if diffs:
                raise SchemaMismatchError(
                    f"{_where(engine)} has inventory tables but no alembic_version, and its "
                    f"schema differs from the models; not touching it: {diffs}")
            log.warning("database %s was created without migrations (create_all) and "
                        "matches the models: stamping it at head, keeping its rows",
                        _where(engine))
            command.stamp(config, "head")
            return
        command.upgrade(config, "head")


def _is_unversioned_legacy(conn: Connection) -> bool:
    tables = set(inspect(conn).get_table_names())
    return "alembic_version" not in tables and bool(tables & set(Base.metadata.tables))


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def head_revision() -> str:
    """The newest migration revision shipped with this release."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {migrations_dir()}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: not under migrations)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``."""
    return sessionmaker(engine, expire_on_commit=False)
