"""Half of each ``notifications`` page left free (fillfactor 50, was 90) (issue 15).

Every notification changes status at least once (``sent`` to delivered, bounced... or to
``unknown`` by the sweep). That update is HOT (no index entry written) only when the new
row version fits on its page; at fillfactor 90 about one row in ten found room, so the
sweep of a bulk-loaded log and ingestion wrote a new entry in each of the four indexes of
``notifications`` for most rows (~17 µs per row here, against ~2 µs for a HOT update).

PostgreSQL applies a fillfactor to pages filled from now on; rows already stored keep
their pages until the table is rewritten (``VACUUM FULL notifications`` or pg_repack, at
a quiet time). SQLite has no fillfactor: nothing to do there.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE notifications SET (fillfactor = 50)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE notifications SET (fillfactor = 90)")
