"""Alerts: state, history and delivery outbox, plus the read-side indexes the alert rules
use on the log's tables (see worker/adapters/alert_store.py).

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _text() -> sa.types.TypeEngine[str]:
    # Code-point comparison: COLLATE "C" on PostgreSQL, SQLite's BINARY default.
    return sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")


def _pk() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", _pk(), primary_key=True, autoincrement=True),
        sa.Column("rule", _text(), nullable=False),
        sa.Column("scope", _text(), nullable=False),
        sa.Column("alert_key", _text(), nullable=False),
        sa.Column("state", _text(), nullable=False),
        sa.Column("severity", _text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("alert_window", _text(), nullable=False),
        sa.Column("fired_at", _text(), nullable=False),
        sa.Column("last_notified_at", _text(), nullable=False),
        sa.Column("updated_at", _text(), nullable=False),
        sa.Column("resolved_at", _text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.UniqueConstraint("rule", "scope", "alert_key", name="uq_alerts_rule_scope_alert_key"),
    )
    op.create_index("ix_alerts_state", "alerts", ["state"])

    op.create_table(
        "alert_history",
        sa.Column("id", _pk(), primary_key=True, autoincrement=True),
        sa.Column("alert_id", _pk(), nullable=False),
        sa.Column("kind", _text(), nullable=False),
        sa.Column("rule", _text(), nullable=False),
        sa.Column("scope", _text(), nullable=False),
        sa.Column("alert_key", _text(), nullable=False),
        sa.Column("state", _text(), nullable=False),
        sa.Column("severity", _text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("alert_window", _text(), nullable=False),
        sa.Column("at", _text(), nullable=False),
        sa.Column("payload", _text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alert_history"),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name="fk_alert_history_alert_id_alerts",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_alert_history_at", "alert_history", ["at"])
    op.create_index("ix_alert_history_alert_id", "alert_history", ["alert_id"])

    op.create_table(
        "alert_deliveries",
        sa.Column("id", _pk(), primary_key=True, autoincrement=True),
        sa.Column("history_id", _pk(), nullable=False),
        sa.Column("sink", _text(), nullable=False),
        sa.Column("status", _text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", _text(), nullable=True),
        sa.Column("last_error", _text(), nullable=True),
        sa.Column("delivered_at", _text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_alert_deliveries"),
        sa.UniqueConstraint("history_id", "sink", name="uq_alert_deliveries_history_id_sink"),
        sa.ForeignKeyConstraint(
            ["history_id"],
            ["alert_history.id"],
            name="fk_alert_deliveries_history_id_alert_history",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_alert_deliveries_pending",
        "alert_deliveries",
        ["id"],
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    )

    # Read side of the alert rules on the log's tables.
    op.create_index(
        "ix_events_feedback_received_at",
        "events",
        ["received_at"],
        postgresql_where=sa.text("event_type <> 'Send'"),
        sqlite_where=sa.text("event_type <> 'Send'"),
    )
    op.create_index(
        "ix_events_parked_received_at",
        "events",
        ["received_at"],
        postgresql_where=sa.text("notification_pk IS NULL"),
        sqlite_where=sa.text("notification_pk IS NULL"),
    )
    op.create_index(
        "ix_daily_status_counts_domain_day",
        "daily_status_counts",
        ["recipient_domain", "day"],
    )
    op.create_index(
        "ix_daily_status_counts_type_day",
        "daily_status_counts",
        ["notification_type", "day"],
    )


def downgrade() -> None:
    op.drop_index("ix_daily_status_counts_type_day", table_name="daily_status_counts")
    op.drop_index("ix_daily_status_counts_domain_day", table_name="daily_status_counts")
    op.drop_index("ix_events_parked_received_at", table_name="events")
    op.drop_index("ix_events_feedback_received_at", table_name="events")
    op.drop_index("ix_alert_deliveries_pending", table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
    op.drop_index("ix_alert_history_alert_id", table_name="alert_history")
    op.drop_index("ix_alert_history_at", table_name="alert_history")
    op.drop_table("alert_history")
    op.drop_index("ix_alerts_state", table_name="alerts")
    op.drop_table("alerts")
