"""Times are ``timestamptz`` on PostgreSQL (issue 15 item 7, issue 11).

Every column that holds a time held fixed-width UTC text (``2025-03-04T10:15:01.123Z``,
see :func:`worker.domain.timestamps.format_timestamp`). On PostgreSQL they become
``timestamptz``, converted in place (``USING col::timestamptz``: the text names UTC with its
``Z``, so the session's time zone does not matter): 8 bytes instead of 25 per value and per
index entry, comparisons of integers instead of strings, and what anyone querying the log
with SQL or a BI tool expects. ``ALTER COLUMN ... TYPE`` rewrites each table once and
rebuilds its indexes; the table options (``notifications``' fillfactor 50 of migration
0006) are kept. The table is locked while it is rewritten (plan a quiet moment on a large
log): measured on the 2-core CI machine, 7.8 s for 1M notifications with 1M ledger rows
(8.6 s back down), which took 1,103 MB with 367 MB of indexes after it, 1,261 MB with
407 MB of indexes as text.

The values stay to the millisecond (the application truncates what it writes), so the
downgrade writes back exactly the text of before.

Left as text: ``daily_status_counts.day`` (a UTC day ``YYYY-MM-DD``, a key of the counts
upsert), ``suppression_audit.listed_since`` (quoted from SES as it said it, possibly empty)
and ``alert_history.payload`` (a JSON document). SQLite keeps ISO text: nothing to do there.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: Every time column, per table (as the metadata declares them with ``UtcTime``).
TIME_COLUMNS: dict[str, tuple[str, ...]] = {
    "notifications": ("sent_at", "status_at", "updated_at", "purged_at"),
    "pending_notifications": ("sent_at",),
    "events": ("occurred_at", "received_at"),
    "dead_letters": ("first_seen", "last_seen", "resolved_at", "purged_at"),
    "control_messages": ("received_at", "confirmed_at"),
    "alerts": ("fired_at", "last_notified_at", "updated_at", "resolved_at"),
    "alert_history": ("at",),
    "alert_deliveries": ("claimed_until", "delivered_at"),
    "suppression_audit": ("created_at",),
    "status_callbacks": (
        "status_at",
        "created_at",
        "next_attempt_at",
        "delivered_at",
        "updated_at",
    ),
}
#: The fixed-width text of before, from a ``timestamptz``.
_TEXT_OF = """to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""


def _alter(table: str, columns: tuple[str, ...], kind: str, using: str) -> None:
    # One ALTER TABLE per table: one rewrite and one rebuild of its indexes.
    clauses = ", ".join(
        f"ALTER COLUMN {column} TYPE {kind} USING {using.format(column=column)}"
        for column in columns
    )
    op.execute(f"ALTER TABLE {table} {clauses}")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in TIME_COLUMNS.items():
        _alter(table, columns, "timestamptz", "{column}::timestamptz")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in TIME_COLUMNS.items():
        _alter(table, columns, 'text COLLATE "C"', _TEXT_OF)
