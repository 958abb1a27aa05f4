"""Users, API tokens and login sessions (see ``noc.auth.models``).

* user_account: login name (unique), display name, bcrypt password hash,
  role, optional agency scope, active, must-change-password, created and
  last-login times;
* api_token: bearer tokens for scripts, stored as the SHA-256 of the token
  with a public prefix for lookup; expiry and revocation;
* login_session: server-side browser sessions (id = SHA-256 of the cookie),
  with their CSRF token, expiry, client address and user agent.

New tables only; no existing row changes. No user is created here: the
first admin is made by ``noc run`` (one-time password in the log) or by
``noc user create``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the user, API token and login session tables."""
    op.create_table("user_account",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=64), nullable=False),
    sa.Column("display_name", sa.String(length=120), nullable=False),
    sa.Column("password_hash", sa.String(length=100), nullable=False),
    sa.Column("role", sa.String(length=16), nullable=False),
    sa.Column("agency", sa.String(length=32), nullable=True),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("must_change_password", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("last_login", sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("name")
    )
    op.create_table("api_token",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=64), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("prefix", sa.String(length=16), nullable=False),
    sa.Column("token_hash", sa.String(length=64), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("last_used", sa.DateTime(), nullable=True),
    sa.Column("expires_at", sa.DateTime(), nullable=True),
    sa.Column("revoked", sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("prefix")
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table("login_session",
    sa.Column("id", sa.String(length=64), nullable=False),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("expires_at", sa.DateTime(), nullable=False),
    sa.Column("csrf_token", sa.String(length=64), nullable=False),
    sa.Column("ip", sa.String(length=64), nullable=False),
    sa.Column("user_agent", sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id")
    )
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_session_expires_at"), ["expires_at"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_login_session_user_id"), ["user_id"], unique=False)



def downgrade() -> None:
    """Drop the three tables (every user, token and session is lost)."""
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_session_user_id"))
        batch_op.drop_index(batch_op.f("ix_login_session_expires_at"))

    op.drop_table("login_session")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    op.drop_table("user_account")
