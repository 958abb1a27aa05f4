"""The alerting store runs on the inventory's two databases: SQLite and a private PostgreSQL."""

from tests.integration.inventory.conftest import (  # noqa: F401  (fixtures, by name)
    Db,
    db,
    postgres,
    postgres_template,
    sqlite_template,
)
