"""Re-attaching parked events after commit: closes the one race the row locks cannot.

An event whose message is not in the log yet is parked (a ledger row with no
notification). When a batch parks an event for (message, recipient) while another
transaction creates that notification, and both commit at the same moment, neither sees
the other's uncommitted row: the parker found no notification, the creator found no
parked row. On PostgreSQL (READ COMMITTED) that event would stay parked.

The fix: after its commit, every transaction that parked events or created
notifications runs :func:`attach_parked_events` for those (message, recipient) keys, in a
new transaction. Whichever of the two commits last runs this after *both* commits, so
it sees the parked row and the notification and attaches one to the other. Doing it for
keys that need nothing is one indexed read of the (small) parked set. What a crash
between the two transactions (or a re-attach the database refused) leaves is repaired
when the key is seen again (a redelivered batch, the send recorded again) and, at the
latest, by the next sweep: :func:`worker.handlers.sweep.reattach_missed` runs
:func:`attach_parked_in` for every parked key whose notification exists.

SQLite serialises writers, so there the follow-up never finds anything; it is harmless.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import datetime, timedelta

from tenacity import Retrying

from worker.handlers.ports import (
    CountKey,
    CreatedNotification,
    LogTransaction,
    MessageKey,
    NotificationLog,
)
from worker.handlers.recompute import recompute_statuses
from worker.handlers.transactions import in_transaction


def attach_parked_in(
    tx: LogTransaction,
    keys: Collection[MessageKey],
    *,
    now: datetime,
    feedback_window: timedelta,
) -> int:
    """Inside ``tx``: attach parked events of ``keys`` whose notification now exists and
    recompute those statuses. Returns the number of events attached."""
    if not keys:
        return 0
    # Most keys have nothing parked: ask the (small) parked set first.
    parked = tx.parked_keys(keys)
    if not parked:
        return 0
    existing = tx.find_sends(sorted(parked))
    if not existing:
        return 0
    attached = tx.attach_parked(
        [CreatedNotification(s.pk, s.message_id, s.recipient) for s in existing]
    )
    if not attached:
        return 0
    deltas: Counter[CountKey] = Counter()
    recompute_statuses(
        tx,
        sorted(attached),
        now=now,
        feedback_window=feedback_window,
        deltas=deltas,
    )
    if deltas:
        tx.add_counts(deltas)
    return sum(attached.values())


def attach_parked_events(
    keys: Collection[MessageKey],
    *,
    log: NotificationLog,
    now: datetime,
    feedback_window: timedelta,
    retrying: Retrying | None = None,
) -> int:
    """Run :func:`attach_parked_in` in its own transaction (after the caller's commit)."""
    if not keys:
        return 0
    return in_transaction(
        log,
        lambda tx: attach_parked_in(tx, keys, now=now, feedback_window=feedback_window),
        retrying=retrying,
    )
