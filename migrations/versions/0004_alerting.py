"""Alerting: active alert state, history and audit, maintenance windows, silences.

* alert_state: one row per active (pending or firing) alert, by fingerprint,
  so a restart resumes the lifecycle (acknowledgements and "already
  notified" kept); resolved alerts are deleted;
* alert_event: append-only history of transitions and people's actions,
  indexed by time and by fingerprint;
* maintenance_window: one-off and weekly windows on a device, site or agency;
* alert_silence: notifications held for matching alerts until a time;
* alert_meta: small key/value state (e.g. escalation state as JSON).

New tables only; no existing row changes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the alert state, event, maintenance, silence and meta tables."""
    op.create_table("alert_event",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("fingerprint", sa.String(length=16), nullable=False),
    sa.Column("kind", sa.String(length=32), nullable=False),
    sa.Column("actor", sa.String(length=64), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("rule", sa.String(length=64), nullable=False),
    sa.Column("subject", sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("alert_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_event_fingerprint"), ["fingerprint"],
                              unique=False)

    op.create_table("alert_meta",
    sa.Column("key", sa.String(length=64), nullable=False),
    sa.Column("value", sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint("key")
    )
    op.create_table("alert_silence",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("fingerprint", sa.String(length=16), nullable=False),
    sa.Column("rule", sa.String(length=64), nullable=False),
    sa.Column("device", sa.String(length=100), nullable=False),
    sa.Column("agency", sa.String(length=32), nullable=False),
    sa.Column("ends_at", sa.DateTime(), nullable=False),
    sa.Column("created_by", sa.String(length=64), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("ended_by", sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_table("alert_state",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("fingerprint", sa.String(length=16), nullable=False),
    sa.Column("rule", sa.String(length=64), nullable=False),
    sa.Column("subject", sa.String(length=255), nullable=False),
    sa.Column("severity", sa.String(length=16), nullable=False),
    sa.Column("summary", sa.Text(), nullable=False),
    sa.Column("device", sa.String(length=100), nullable=True),
    sa.Column("agency", sa.String(length=32), nullable=True),
    sa.Column("labels", sa.Text(), nullable=False),
    sa.Column("value", sa.Double(), nullable=True),
    sa.Column("state", sa.String(length=16), nullable=False),
    sa.Column("active_since", sa.DateTime(), nullable=False),
    sa.Column("fired_at", sa.DateTime(), nullable=True),
    sa.Column("last_true", sa.DateTime(), nullable=False),
    sa.Column("flapping", sa.Boolean(), nullable=False),
    sa.Column("suppressed_by", sa.String(length=16), nullable=True),
    sa.Column("incident", sa.String(length=16), nullable=True),
    sa.Column("acked_by", sa.String(length=64), nullable=True),
    sa.Column("acked_at", sa.DateTime(), nullable=True),
    sa.Column("ack_note", sa.Text(), nullable=False),
    sa.Column("notified", sa.Boolean(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("fingerprint")
    )
    op.create_table("maintenance_window",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("target", sa.String(length=100), nullable=False),
    sa.Column("starts_at", sa.DateTime(), nullable=False),
    sa.Column("ends_at", sa.DateTime(), nullable=True),
    sa.Column("weekdays", sa.String(length=20), nullable=False),
    sa.Column("start_time", sa.String(length=5), nullable=False),
    sa.Column("duration", sa.Double(), nullable=False),
    sa.Column("timezone", sa.String(length=64), nullable=False),
    sa.Column("created_by", sa.String(length=64), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("ended_by", sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint("id")
    )


def downgrade() -> None:
    """Drop the five tables (active alerts, history, windows and silences are lost)."""
    op.drop_table("maintenance_window")
    op.drop_table("alert_state")
    op.drop_table("alert_silence")
    op.drop_table("alert_meta")
    with op.batch_alter_table("alert_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_event_fingerprint"))
        batch_op.drop_index(batch_op.f("ix_alert_event_at"))

    op.drop_table("alert_event")
