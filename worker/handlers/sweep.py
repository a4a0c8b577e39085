"""The feedback-window sweep: notifications still ``sent`` once the window has passed
become ``unknown`` (``no_feedback`` or ``delayed_no_outcome``).

Batched by primary key, one short transaction per batch. Safe to run concurrently with
ingestion and with another sweep: each batch locks its rows (in key order) and recomputes
them from their whole ledger with the status rules, so a delivery committed a moment ago
wins over the window instead of being overwritten by a blind ``UPDATE``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from tenacity import Retrying

from worker.domain.timestamps import format_timestamp
from worker.handlers.ports import CountKey, LogTransaction, NotificationLog
from worker.handlers.recompute import recompute_statuses
from worker.handlers.transactions import in_transaction

DEFAULT_BATCH_SIZE = 1000


@dataclass(frozen=True, slots=True)
class SweepResult:
    examined: int = 0
    changed: int = 0
    batches: int = 0


def sweep(
    *,
    log: NotificationLog,
    now: datetime,
    feedback_window: timedelta,
    batch_size: int = DEFAULT_BATCH_SIZE,
    retrying: Retrying | None = None,
) -> SweepResult:
    """Apply the feedback window to every notification still ``sent`` at ``now``."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    cutoff = format_timestamp(now - feedback_window)
    now_text = format_timestamp(now)
    after = 0
    examined = changed = batches = 0

    def one_batch(tx: LogTransaction) -> tuple[list[int], int]:
        pks = tx.pending_notifications(cutoff, after, batch_size)
        deltas: Counter[CountKey] = Counter()
        count = recompute_statuses(
            tx, pks, now=now, now_text=now_text, feedback_window=feedback_window, deltas=deltas
        )
        if deltas:
            tx.add_counts(deltas)
        return pks, count

    while True:
        pks, count = in_transaction(log, one_batch, retrying=retrying)
        if not pks:
            break
        batches += 1
        examined += len(pks)
        changed += count
        after = pks[-1]
        if len(pks) < batch_size:
            break
    return SweepResult(examined=examined, changed=changed, batches=batches)
