"""Status callbacks: the ``status_callbacks`` transactional outbox (issue 14).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _text() -> sa.types.TypeEngine[str]:
    # Code-point comparison: COLLATE "C" on PostgreSQL, SQLite's BINARY default.
    return sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")


def _pk() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "status_callbacks",
        sa.Column("id", _pk(), primary_key=True, autoincrement=True),
        sa.Column("webhook_id", _text(), nullable=False),
        sa.Column("notification_pk", sa.BigInteger(), nullable=False),
        sa.Column("previous_status", _text(), nullable=False),
        sa.Column("previous_reason", _text(), nullable=False),
        sa.Column("status", _text(), nullable=False),
        sa.Column("reason", _text(), nullable=False),
        sa.Column("status_at", _text(), nullable=False),
        sa.Column("state", _text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", _text(), nullable=False),
        sa.Column("next_attempt_at", _text(), nullable=True),
        sa.Column("delivered_at", _text(), nullable=True),
        sa.Column("updated_at", _text(), nullable=False),
        sa.Column("cause", _text(), nullable=True),
        sa.Column("last_error", _text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_status_callbacks"),
    )
    op.create_index(
        "ix_status_callbacks_notification_pk_id",
        "status_callbacks",
        ["notification_pk", "id"],
    )
    op.create_index(
        "ix_status_callbacks_pending",
        "status_callbacks",
        ["id"],
        postgresql_where=sa.text("state = 'pending'"),
        sqlite_where=sa.text("state = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_status_callbacks_pending", table_name="status_callbacks")
    op.drop_index("ix_status_callbacks_notification_pk_id", table_name="status_callbacks")
    op.drop_table("status_callbacks")
