"""The feedback-window sweep: notifications still ``sent`` once the window has passed
become ``unknown`` (``no_feedback`` or ``delayed_no_outcome``).

First it repairs what the post-commit re-attach of :mod:`worker.handlers.unpark` can miss:
parked events whose notification is in the log (a process that died between a commit and
its re-attach, or a re-attach the database refused), attached and their statuses
recomputed, so no event stays parked for good while its send is recorded.

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
from worker.handlers.unpark import attach_parked_in

DEFAULT_BATCH_SIZE = 1000


@dataclass(frozen=True, slots=True)
class SweepResult:
    examined: int = 0
    changed: int = 0
    batches: int = 0
    #: Parked events given their notification (missed by the re-attach after a commit).
    reattached: int = 0


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
    reattached = reattach_missed(
        log=log, now=now, feedback_window=feedback_window, batch_size=batch_size, retrying=retrying
    )
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
    return SweepResult(examined=examined, changed=changed, batches=batches, reattached=reattached)


def reattach_missed(
    *,
    log: NotificationLog,
    now: datetime,
    feedback_window: timedelta,
    batch_size: int = DEFAULT_BATCH_SIZE,
    retrying: Retrying | None = None,
) -> int:
    """Attach parked events whose notification exists (see the module text), one short
    transaction per ``batch_size`` keys. Returns the number of events attached."""
    total = 0

    def one_batch(tx: LogTransaction) -> tuple[int, int]:
        keys = tx.parked_with_notification(batch_size)
        attached = attach_parked_in(tx, keys, now=now, feedback_window=feedback_window)
        return len(keys), attached

    while True:
        found, attached = in_transaction(log, one_batch, retrying=retrying)
        total += attached
        # Stop when a batch finds fewer keys than it may, or attaches nothing (a key whose
        # notification went away meanwhile would otherwise be found again and again).
        if found < batch_size or not attached:
            return total
