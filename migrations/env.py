"""Alembic environment of the inventory schema (target: ``inventory.models.Base``).

Used two ways:

* by :func:`noc.db.init_schema`, which passes an open connection in
  ``config.attributes["connection"]`` (no URL, no engine created here);
* by the ``alembic`` CLI with ``alembic.ini`` at the repository root: the URL is
  ``-x url=...``, else ``NOC_DATABASE_URL``, else the NOC's default SQLite file.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from inventory.models import Base
from noc.alerting import tables as _alerting_tables  # noqa: F401  (registers the alerting tables)
from noc.auth import models as _auth_models  # noqa: F401  (registers the auth tables)

config = context.config
if config.config_file_name is not None:  # the CLI; the NOC keeps its own logging
    fileConfig(config.config_file_name, disable_existing_loggers=False)
target_metadata = Base.metadata


def _url() -> str:
    return (context.get_x_argument(as_dictionary=True).get("url")
            or os.environ.get("NOC_DATABASE_URL")
            or config.get_main_option("sqlalchemy.url")
            or "sqlite:///var/noc.sqlite3")


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade head --sql``)."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over the caller's connection, or one made from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from noc.db import make_engine  # SQLite pragmas and directory, as the NOC does

    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
