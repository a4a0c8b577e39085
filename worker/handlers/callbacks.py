"""Status callbacks: which changes are announced, and one delivery pass over the outbox.

:func:`announced_changes` is called by :func:`worker.handlers.recompute.recompute_statuses`
inside the transaction that writes the changes. :func:`deliver_callbacks` claims due rows
(oldest first, in order per notification), signs and sends them through the
:class:`~worker.handlers.ports.callbacks.CallbackSender`, and settles each row: delivered,
retried later with backoff, or failed. Used by the Celery task ``inboxgap.deliver_callbacks``
and ``inboxgap callbacks deliver``.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from worker.domain.callbacks import (
    CallbackState,
    Settlement,
    encode_body,
    is_announced_change,
    payload,
    settle,
    webhook_headers,
)
from worker.handlers.ports import NotificationState
from worker.handlers.ports.callbacks import (
    CallbackOutbox,
    CallbackSender,
    OutgoingCallback,
    StatusChange,
)

logger = logging.getLogger(__name__)

#: Rows claimed per transaction: enough to keep the sender's pool busy and the per-batch
#: SQL cheap (bench/callbacks.py: ~1,700/s at 500, ~1,900/s at 1,000), small enough that
#: locks are held for about half a second against a fast receiver.
DEFAULT_BATCH_SIZE = 1000


def announced_changes(
    before: Sequence[NotificationState], after: Sequence[NotificationState]
) -> list[StatusChange]:
    """The outbox rows for the states written: one per notification whose (status,
    reason) changed; a replayed or duplicate event that changed nothing adds none."""
    previous = {state.pk: state for state in before}
    changes: list[StatusChange] = []
    for new in after:
        old = previous.get(new.pk)
        if old is None or not is_announced_change(old.status, old.reason, new.status, new.reason):
            continue
        changes.append(
            StatusChange(new.pk, old.status, old.reason, new.status, new.reason, new.status_at)
        )
    return changes


@dataclass(frozen=True, slots=True)
class CallbackConfig:
    """How callbacks are signed and retried (from the settings, via the entry points)."""

    key: bytes | None
    bearer_token: str | None
    max_attempts: int = 10
    batch_size: int = DEFAULT_BATCH_SIZE


@dataclass(slots=True)
class DeliveryResult:
    attempted: int = 0
    delivered: int = 0
    retried: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    batches: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "attempted": self.attempted,
            "delivered": self.delivered,
            "retried": self.retried,
            "failed": dict(self.failed),
            "batches": self.batches,
        }


def _deliver_one_batch(
    outbox: CallbackOutbox,
    sender: CallbackSender,
    config: CallbackConfig,
    clock: Callable[[], datetime],
    jitter: Callable[[], float],
    result: DeliveryResult,
    lock: threading.Lock,
) -> int:
    """Claim, send and settle one batch; the number of rows claimed (0: nothing due)."""
    now = clock()
    with outbox.claim(config.batch_size, now) as batch:
        rows = list(batch.rows)
        if not rows:
            return 0
        requests = []
        for row in rows:
            body = encode_body(payload(row.facts, now=now))
            headers = webhook_headers(
                row.webhook_id, body, now=now, key=config.key, bearer_token=config.bearer_token
            )
            requests.append(OutgoingCallback(row.id, body, headers))
        outcomes = {outcome.id: outcome for outcome in sender.send_all(requests)}
        settled_at = clock()
        settlements: list[tuple[int, Settlement]] = []
        for row in rows:
            outcome = outcomes.get(row.id)
            code = outcome.status_code if outcome is not None else None
            error = outcome.error if outcome is not None else "not sent"
            settlement = settle(
                code,
                error,
                attempts_before=row.attempts,
                max_attempts=config.max_attempts,
                now=settled_at,
                jitter=jitter(),
            )
            settlements.append((row.id, settlement))
        batch.settle(settlements, settled_at)
    with lock:
        for _, settlement in settlements:
            if settlement.state is CallbackState.DELIVERED:
                result.delivered += 1
            elif settlement.state is CallbackState.FAILED:
                result.failed[settlement.cause.value if settlement.cause else "unknown"] += 1
            else:
                result.retried += 1
        result.attempted += len(rows)
        result.batches += 1
    return len(rows)


def deliver_callbacks(
    *,
    outbox: CallbackOutbox,
    sender: CallbackSender,
    config: CallbackConfig,
    clock: Callable[[], datetime],
    jitter: Callable[[], float] = random.random,
    max_seconds: float | None = None,
    monotonic: Callable[[], float] = time.monotonic,
    lanes: int = 1,
) -> DeliveryResult:
    """Deliver every row due now, batch after batch, until none is due (or
    ``max_seconds`` have passed). Each batch is claimed, sent and settled in one go.

    ``lanes`` > 1 runs that many batches at once (PostgreSQL only: each lane's claim
    skips the rows another lane holds, and never takes a row whose notification has an
    older row still pending, held by another lane or not), so the database work of one
    batch overlaps the HTTP requests of another.
    """
    result = DeliveryResult()
    lock = threading.Lock()
    started = monotonic()

    def lane() -> None:
        while max_seconds is None or monotonic() - started < max_seconds:
            if not _deliver_one_batch(outbox, sender, config, clock, jitter, result, lock):
                return

    if lanes <= 1:
        lane()
    else:
        with ThreadPoolExecutor(max_workers=lanes, thread_name_prefix="callback-lane") as pool:
            for future in [pool.submit(lane) for _ in range(lanes)]:
                future.result()
    if result.attempted:
        logger.info(
            "callbacks delivered=%d retried=%d failed=%d",
            result.delivered,
            result.retried,
            sum(result.failed.values()),
        )
    return result


def replay_callbacks(outbox: CallbackOutbox, ids: Collection[int] | None, *, now: datetime) -> int:
    """Send these rows (None: every failed one) again from the first attempt."""
    return outbox.replay(ids, now)
