"""The feedback-window sweep: notifications still ``sent`` once the window has passed
become ``unknown`` (``no_feedback`` or ``delayed_no_outcome``).

First it repairs what the post-commit re-attach of :mod:`worker.handlers.unpark` can miss:
parked events whose notification is in the log (a process that died between a commit and
its re-attach, or a re-attach the database refused), attached and their statuses
recomputed, so no event stays parked for good while its send is recorded.

Then the window, in chunks: one short transaction per chunk, no per-row round trips.
Each chunk asks the store to apply the domain's window rule
(:data:`~worker.domain.status.WINDOW_RULE`) in bulk: on PostgreSQL one statement takes
the oldest due rows of ``pending_notifications`` that no other transaction holds (``SKIP
LOCKED``), turns them ``unknown`` and writes their counts and outbox rows. Notifications
whose ledger the rule does not decide (and, on SQLite, every due notification) are
recomputed under their row locks from their whole ledger with the status rules, so a
delivery committed a moment ago wins over the window instead of being overwritten. Safe
beside ingestion and beside another sweep: each notification is swept once.

With ``workers`` above 1 that many chunk loops run side by side, each on its own
connection (a thread each: the work is the database's). On PostgreSQL they take disjoint
chunks (``SKIP LOCKED``), so the server sweeps on as many cores; the counts rows they
share are upserted in key order, so they queue for each other's commit but never
deadlock. A store without ``SKIP LOCKED`` (SQLite) is swept with one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tenacity import Retrying

from worker.domain.status import WINDOW_RULE
from worker.handlers.ports import (
    CountKey,
    LogTransaction,
    NotificationLog,
    SweepChunk,
    WindowSweep,
)
from worker.handlers.recompute import recompute_statuses
from worker.handlers.transactions import in_transaction
from worker.handlers.unpark import attach_parked_in

#: Rows per chunk (one transaction). Measured with a 1M-row log: 10,000-row chunks swept
#: ~40% faster than 1,000-row ones (fewer commits); 5,000 keeps each chunk's row locks
#: (which an ingest touching one of those notifications waits for) to ~0.1 s.
DEFAULT_BATCH_SIZE = 5000


def _utc_now() -> datetime:
    return datetime.now(UTC)


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
    clock: Callable[[], datetime] = _utc_now,
    workers: int = 1,
) -> SweepResult:
    """Apply the feedback window to every notification still ``sent`` at ``now``.

    ``now`` decides the statuses (``sweep --now`` may pretend it); ``clock`` is the real
    time the outbox rows of each chunk are created at (see ``recompute_statuses``).
    ``workers``: chunk loops side by side (see the module text); one where the store
    has no :attr:`~worker.handlers.ports.NotificationLog.concurrent_writers`."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if workers < 1:
        raise ValueError("workers must be at least 1")
    reattached = reattach_missed(
        log=log, now=now, feedback_window=feedback_window, batch_size=batch_size, retrying=retrying
    )
    window = _Window(log, now, feedback_window, batch_size, retrying, clock)
    if workers == 1 or not log.concurrent_writers:
        loops = [window.run()]
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="inboxgap-sweeper") as pool:
            loops = list(pool.map(lambda _: window.run(), range(workers)))
    return SweepResult(
        examined=sum(loop.examined for loop in loops),
        changed=sum(loop.changed for loop in loops),
        batches=sum(loop.batches for loop in loops),
        reattached=reattached,
    )


@dataclass(frozen=True, slots=True)
class _Window:
    """One sweep's chunk loop; :meth:`run` may run in several threads at once."""

    log: NotificationLog
    now: datetime
    feedback_window: timedelta
    batch_size: int
    retrying: Retrying | None
    clock: Callable[[], datetime]

    @property
    def cutoff(self) -> datetime:
        """Notifications sent before this are past the window."""
        return self.now - self.feedback_window

    def one_chunk(self, tx: LogTransaction) -> tuple[WindowSweep, int]:
        announced_at = self.clock()
        chunk = tx.sweep_window(
            SweepChunk(
                self.cutoff,
                self.batch_size,
                self.now,
                self.feedback_window,
                WINDOW_RULE,
                announced_at,
            )
        )
        deltas: Counter[CountKey] = Counter()
        count = recompute_statuses(
            tx,
            chunk.recompute,
            now=self.now,
            feedback_window=self.feedback_window,
            deltas=deltas,
            announced_at=announced_at,
        )
        if deltas:
            tx.add_counts(deltas)
        return chunk, chunk.swept + count

    def run(self) -> SweepResult:
        examined = changed = batches = 0
        while True:
            chunk, count = in_transaction(self.log, self.one_chunk, retrying=self.retrying)
            seen = chunk.swept + len(chunk.recompute)
            if seen:
                batches += 1
                examined += seen
                changed += count
            # Swept rows leave the pending set, so the next chunk reads the next ones. Stop
            # when none are left (a short chunk: another loop may still be finishing its
            # own), or when a full chunk moved nothing (every due row held by another
            # transaction: the next run gets them).
            if chunk.due < self.batch_size or not (count or chunk.cleared):
                return SweepResult(examined=examined, changed=changed, batches=batches)


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
