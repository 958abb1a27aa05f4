"""Assets and operations: lifecycle fields, audit log, discovered facts, drift, history.

* device: platform and SSH port (CLI collection), purchase date, funding
  program, warranty end, end of life, custodian, notes; serial and asset tag
  become unique when not empty (partial unique indexes), status is indexed;
* interface: MAC address and speed;
* new tables audit_entry, discovered_fact, drift_ack, status_change and
  config_version (see ``inventory.records``).

Existing rows get empty strings, port 22 and no dates. Duplicate serials or
asset tags already in the database stop the upgrade with the duplicates named
(nothing is changed: the migration runs in one transaction).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


UNIQUE_WHEN_SET = ("serial", "asset_tag")


def _text_column(name: str, length: int) -> sa.Column[str]:
    return sa.Column(name, sa.String(length=length), nullable=False,
                     server_default=sa.text("''"))


def _when_set(column: str) -> dict[str, sa.TextClause]:
    return {"sqlite_where": sa.text(f"{column} != ''"),
            "postgresql_where": sa.text(f"{column} != ''")}


def _refuse_duplicates(column: str) -> None:
    rows = op.get_bind().execute(sa.text(
        f"SELECT {column}, COUNT(*) FROM device WHERE {column} != '' "
        f"GROUP BY {column} HAVING COUNT(*) > 1")).all()
    if rows:
        listed = ", ".join(f"{value!r} x{count}" for value, count in rows[:20])
        raise RuntimeError(f"cannot make device.{column} unique, duplicates: {listed}; "
                           "fix them and upgrade again")


def upgrade() -> None:
    """Create the operational tables, add the asset fields and the unique indexes."""
    for column in UNIQUE_WHEN_SET:
        _refuse_duplicates(column)
    op.create_table("audit_entry",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("actor", sa.String(length=64), nullable=False),
    sa.Column("via", sa.String(length=16), nullable=False),
    sa.Column("entity", sa.String(length=16), nullable=False),
    sa.Column("key", sa.String(length=200), nullable=False),
    sa.Column("action", sa.String(length=16), nullable=False),
    sa.Column("changes", sa.JSON(), nullable=False),
    sa.Column("note", sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_entry_entity_key", ["entity", "key"], unique=False)

    op.create_table("config_version",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("device", sa.String(length=100), nullable=False),
    sa.Column("digest", sa.String(length=64), nullable=False),
    sa.Column("fetched_at", sa.DateTime(), nullable=False),
    sa.Column("size", sa.Integer(), nullable=False),
    sa.Column("lines_added", sa.Integer(), nullable=False),
    sa.Column("lines_removed", sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("config_version", schema=None) as batch_op:
        batch_op.create_index("ix_config_version_device_at", ["device", "fetched_at"], unique=False)

    op.create_table("drift_ack",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("subject", sa.String(length=120), nullable=False),
    sa.Column("field", sa.String(length=64), nullable=False),
    sa.Column("value", sa.String(length=500), nullable=False),
    sa.Column("actor", sa.String(length=64), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("note", sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("subject", "field")
    )
    op.create_table("status_change",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("subject", sa.String(length=120), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("reason", sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("status_change", schema=None) as batch_op:
        batch_op.create_index("ix_status_change_subject", ["kind", "subject", "at"], unique=False)

    op.create_table("discovered_fact",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("subject", sa.String(length=120), nullable=False),
    sa.Column("device_id", sa.Integer(), nullable=True),
    sa.Column("field", sa.String(length=64), nullable=False),
    sa.Column("value", sa.String(length=500), nullable=False),
    sa.Column("source", sa.String(length=16), nullable=False),
    sa.Column("first_seen", sa.DateTime(), nullable=False),
    sa.Column("last_seen", sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(["device_id"], ["device.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("subject", "field")
    )
    with op.batch_alter_table("discovered_fact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_discovered_fact_device_id"), ["device_id"])

    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.add_column(_text_column("platform", 32))
        batch_op.add_column(sa.Column("ssh_port", sa.Integer(), nullable=False,
                                      server_default=sa.text("22")))
        batch_op.add_column(sa.Column("purchase_date", sa.Date(), nullable=True))
        batch_op.add_column(_text_column("funding_program", 80))
        batch_op.add_column(sa.Column("warranty_end", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("end_of_life", sa.Date(), nullable=True))
        batch_op.add_column(_text_column("custodian", 120))
        batch_op.add_column(_text_column("notes", 500))
        batch_op.drop_index(batch_op.f("ix_device_serial"))
        batch_op.create_index(batch_op.f("ix_device_status"), ["status"])
        for column in UNIQUE_WHEN_SET:
            batch_op.create_index(f"uq_device_{column}", [column], unique=True,
                                  **_when_set(column))

    with op.batch_alter_table("interface", schema=None) as batch_op:
        batch_op.add_column(_text_column("mac", 17))
        batch_op.add_column(sa.Column("speed_mbps", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop what :func:`upgrade` added (asset fields and operational history are lost)."""
    with op.batch_alter_table("interface", schema=None) as batch_op:
        batch_op.drop_column("speed_mbps")
        batch_op.drop_column("mac")

    with op.batch_alter_table("device", schema=None) as batch_op:
        for column in UNIQUE_WHEN_SET:
            batch_op.drop_index(f"uq_device_{column}", **_when_set(column))
        batch_op.drop_index(batch_op.f("ix_device_status"))
        batch_op.create_index(batch_op.f("ix_device_serial"), ["serial"], unique=False)
        batch_op.drop_column("notes")
        batch_op.drop_column("custodian")
        batch_op.drop_column("end_of_life")
        batch_op.drop_column("warranty_end")
        batch_op.drop_column("funding_program")
        batch_op.drop_column("purchase_date")
        batch_op.drop_column("ssh_port")
        batch_op.drop_column("platform")

    with op.batch_alter_table("discovered_fact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_discovered_fact_device_id"))

    op.drop_table("discovered_fact")
    with op.batch_alter_table("status_change", schema=None) as batch_op:
        batch_op.drop_index("ix_status_change_subject")

    op.drop_table("status_change")
    op.drop_table("drift_ack")
    with op.batch_alter_table("config_version", schema=None) as batch_op:
        batch_op.drop_index("ix_config_version_device_at")

    op.drop_table("config_version")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_entity_key")
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))

    op.drop_table("audit_entry")
