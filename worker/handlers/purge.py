"""Retention: personal data older than the retention period is removed, aggregates stay.

For each notification sent before the cutoff: the recipient address (normalised and
original) is set to NULL and its ledger rows (identities, SMTP diagnostics that quote
addresses) are deleted; notification id, SES message id, type, recipient domain, send
time and final status remain, and so do the ``daily_status_counts`` (maintained at ingest,
never touched here). Parked events received before the cutoff are deleted. Dead-letter
bodies last seen before the cutoff are blanked (code, message and counts stay).

Batched: one short transaction per batch, so it can run next to ingestion.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tenacity import Retrying

from worker.handlers.ports import NotificationLog, PurgeCounts
from worker.handlers.transactions import in_transaction

DEFAULT_BATCH_SIZE = 1000


def purge(
    *,
    log: NotificationLog,
    now: datetime,
    older_than: timedelta,
    batch_size: int = DEFAULT_BATCH_SIZE,
    retrying: Retrying | None = None,
) -> PurgeCounts:
    """Purge personal data of everything older than ``now - older_than``."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if older_than <= timedelta(0):
        raise ValueError("older_than must be positive")
    cutoff = now - older_than
    total = PurgeCounts()
    while True:
        counts = in_transaction(
            log, lambda tx: tx.purge_batch(cutoff, now, batch_size), retrying=retrying
        )
        total = total + counts
        if max(counts.notifications, counts.parked_events, counts.dead_letters) < batch_size:
            return total
