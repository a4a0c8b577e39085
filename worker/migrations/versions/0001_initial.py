"""The notification log: notifications, event ledger, dead letters, control messages and
daily status counts.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _text() -> sa.types.TypeEngine[str]:
    # Code-point comparison: COLLATE "C" on PostgreSQL, SQLite's BINARY default.
    return sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")


def _pk() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", _pk(), primary_key=True, autoincrement=True),
        sa.Column("notification_id", _text(), nullable=False),
        sa.Column("ses_message_id", _text(), nullable=False),
        sa.Column("recipient", _text(), nullable=True),
        sa.Column("recipient_original", _text(), nullable=True),
        sa.Column("recipient_domain", _text(), nullable=False),
        sa.Column("notification_type", _text(), nullable=False),
        sa.Column("sent_at", _text(), nullable=False),
        sa.Column("status", _text(), nullable=False),
        sa.Column("reason", _text(), nullable=False),
        sa.Column("status_at", _text(), nullable=False),
        sa.Column("updated_at", _text(), nullable=False),
        sa.Column("source", _text(), nullable=False),
        sa.Column("purged_at", _text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
        sa.UniqueConstraint("notification_id", name="uq_notifications_notification_id"),
        # Status changes stay HOT updates (no index covers the columns they write).
        postgresql_with={"fillfactor": 90},
    )
    op.create_index(
        "uq_notifications_ses_message_id_recipient",
        "notifications",
        ["ses_message_id", "recipient"],
        unique=True,
    )
    op.create_index("ix_notifications_recipient", "notifications", ["recipient"])

    op.create_table(
        "pending_notifications",
        sa.Column("notification_pk", _pk(), autoincrement=False, nullable=False),
        sa.Column("sent_at", _text(), nullable=False),
        sa.PrimaryKeyConstraint("notification_pk", name="pk_pending_notifications"),
        sa.ForeignKeyConstraint(
            ["notification_pk"],
            ["notifications.id"],
            name="fk_pending_notifications_notification_pk_notifications",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_pending_notifications_sent_at", "pending_notifications", ["sent_at"])

    op.create_table(
        "events",
        sa.Column("identity", _text(), nullable=False),
        sa.Column("recipient", _text(), nullable=False),
        sa.Column("message_id", _text(), nullable=False),
        sa.Column("notification_pk", _pk(), nullable=True),
        sa.Column("event_type", _text(), nullable=False),
        sa.Column("occurred_at", _text(), nullable=False),
        sa.Column("status", _text(), nullable=True),
        sa.Column("reason", _text(), nullable=True),
        sa.Column("smtp_status", _text(), nullable=True),
        sa.Column("diagnostic", _text(), nullable=True),
        sa.Column("provider", _text(), nullable=True),
        sa.Column("help_url", _text(), nullable=True),
        sa.Column("recipient_original", _text(), nullable=True),
        sa.Column("received_at", _text(), nullable=False),
        sa.Column("reporting_mta", _text(), nullable=True),
        sa.Column("remote_mta_ip", _text(), nullable=True),
        sa.Column("from_header", _text(), nullable=True),
        sa.Column("subject", _text(), nullable=True),
        sa.Column("sending_domain", _text(), nullable=True),
        sa.PrimaryKeyConstraint("identity", "recipient", name="pk_events"),
        sa.ForeignKeyConstraint(
            ["notification_pk"],
            ["notifications.id"],
            name="fk_events_notification_pk_notifications",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_events_notification_pk", "events", ["notification_pk"])
    op.create_index(
        "ix_events_parked",
        "events",
        ["message_id", "recipient"],
        postgresql_where=sa.text("notification_pk IS NULL"),
        sqlite_where=sa.text("notification_pk IS NULL"),
    )

    op.create_table(
        "dead_letters",
        sa.Column("id", _pk(), primary_key=True, autoincrement=True),
        sa.Column("body_hash", _text(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("code", _text(), nullable=False),
        sa.Column("message", _text(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("first_seen", _text(), nullable=False),
        sa.Column("last_seen", _text(), nullable=False),
        sa.Column("resolved_at", _text(), nullable=True),
        sa.Column("purged_at", _text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dead_letters"),
        sa.UniqueConstraint("body_hash", name="uq_dead_letters_body_hash"),
    )
    op.create_index("ix_dead_letters_last_seen", "dead_letters", ["last_seen"])

    op.create_table(
        "control_messages",
        sa.Column("id", _pk(), primary_key=True, autoincrement=True),
        sa.Column("dedup_key", _text(), nullable=False),
        sa.Column("kind", _text(), nullable=False),
        sa.Column("topic_arn", _text(), nullable=True),
        sa.Column("subscribe_url", _text(), nullable=True),
        sa.Column("token", _text(), nullable=True),
        sa.Column("detail_type", _text(), nullable=True),
        sa.Column("message", _text(), nullable=False),
        sa.Column("received_at", _text(), nullable=False),
        sa.Column("confirmed_at", _text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_control_messages"),
        sa.UniqueConstraint("dedup_key", name="uq_control_messages_dedup_key"),
    )

    op.create_table(
        "daily_status_counts",
        sa.Column("day", _text(), nullable=False),
        sa.Column("recipient_domain", _text(), nullable=False),
        sa.Column("notification_type", _text(), nullable=False),
        sa.Column("status", _text(), nullable=False),
        sa.Column("reason", _text(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day",
            "recipient_domain",
            "notification_type",
            "status",
            "reason",
            name="pk_daily_status_counts",
        ),
    )


def downgrade() -> None:
    op.drop_table("daily_status_counts")
    op.drop_table("control_messages")
    op.drop_index("ix_dead_letters_last_seen", table_name="dead_letters")
    op.drop_table("dead_letters")
    op.drop_index("ix_events_parked", table_name="events")
    op.drop_index("ix_events_notification_pk", table_name="events")
    op.drop_table("events")
    op.drop_index("ix_pending_notifications_sent_at", table_name="pending_notifications")
    op.drop_table("pending_notifications")
    op.drop_index("ix_notifications_recipient", table_name="notifications")
    op.drop_index("uq_notifications_ses_message_id_recipient", table_name="notifications")
    op.drop_table("notifications")
