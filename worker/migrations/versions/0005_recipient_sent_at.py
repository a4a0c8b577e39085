"""The recipient index also orders by send time: ``ix_notifications_recipient_sent_at``
on ``(recipient, sent_at)`` replaces ``ix_notifications_recipient`` (issue 14).

The deliverability answer and the lookup by email read the newest notifications of one
address. With ``(recipient)`` alone PostgreSQL fetched every row of the address and sorted
them, so an address with thousands of notifications (a shared ops mailbox) cost thousands
of row reads per answer; with ``(recipient, sent_at)`` it walks the index backwards and
stops after the ``LIMIT``. Both columns never change on a status update, so status updates
stay HOT-eligible as before (no status column is added to the index).

The index is built in the upgrade's transaction, which holds writes to ``notifications``
while it runs (about half a minute per 10M rows on the 2-core CI machine). To keep
ingesting meanwhile on a large log, build it first with
``CREATE INDEX CONCURRENTLY ix_notifications_recipient_sent_at ON notifications
(recipient, sent_at)``: the upgrade then finds it and only drops the old index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _swap(create: str, columns: list[str], drop: str) -> None:
    op.create_index(create, "notifications", columns, if_not_exists=True)
    op.drop_index(drop, table_name="notifications")


def upgrade() -> None:
    _swap(
        "ix_notifications_recipient_sent_at",
        ["recipient", "sent_at"],
        "ix_notifications_recipient",
    )


def downgrade() -> None:
    _swap(
        "ix_notifications_recipient",
        ["recipient"],
        "ix_notifications_recipient_sent_at",
    )
