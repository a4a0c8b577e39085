"""Support: the suppression-list audit trail, and the index the gap report reads the
edges of its window through.

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _text() -> sa.types.TypeEngine[str]:
    # Code-point comparison: COLLATE "C" on PostgreSQL, SQLite's BINARY default.
    return sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")


def _pk() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "suppression_audit",
        sa.Column("id", _pk(), primary_key=True, autoincrement=True),
        sa.Column("recipient", _text(), nullable=False),
        sa.Column("action", _text(), nullable=False),
        sa.Column("ses_reason", _text(), nullable=True),
        sa.Column("listed_since", _text(), nullable=True),
        sa.Column("actor", _text(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("created_at", _text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_suppression_audit"),
    )
    op.create_index("ix_suppression_audit_recipient", "suppression_audit", ["recipient"])
    # The gap report scans at most half a day of the log per window edge through this
    # index (whole days come from daily_status_counts).
    op.create_index("ix_notifications_sent_at", "notifications", ["sent_at"])


def downgrade() -> None:
    op.drop_index("ix_notifications_sent_at", table_name="notifications")
    op.drop_index("ix_suppression_audit_recipient", table_name="suppression_audit")
    op.drop_table("suppression_audit")
