"""Run a unit of work in one transaction, retrying the whole of it on transient errors.

The one place that maps storage failures to "retry": :class:`TransientStoreError`
(connection lost, serialisation failure, deadlock, SQLite busy) is retried with tenacity;
anything else propagates at once. Malformed input never gets here: it became a dead
letter before the transaction started.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from worker.handlers.ports import LogTransaction, NotificationLog, TransientStoreError

logger = logging.getLogger(__name__)

R = TypeVar("R")

#: Attempts of one unit of work before the transient error is raised to the caller (the
#: Celery task then retries later; the CLI reports it).
MAX_ATTEMPTS = 5


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    logger.warning(
        "transient storage error, retrying (attempt %d): %s",
        state.attempt_number,
        type(exc).__name__ if exc else "?",
    )


def default_retrying(
    *, attempts: int = MAX_ATTEMPTS, sleep: Callable[[float], None] | None = None
) -> Retrying:
    """Exponential backoff with jitter (50 ms doubling up to 2 s), ``attempts`` tries."""
    policy = Retrying(
        retry=retry_if_exception_type(TransientStoreError),
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=0.05, max=2.0) + wait_random(0, 0.05),
        before_sleep=_log_retry,
        reraise=True,
    )
    return policy.copy(sleep=sleep) if sleep is not None else policy


def in_transaction(
    log: NotificationLog,
    work: Callable[[LogTransaction], R],
    *,
    retrying: Retrying | None = None,
) -> R:
    """``work(tx)`` inside one transaction; the whole transaction is retried on
    :class:`TransientStoreError`. ``work`` must be safe to run again from scratch."""
    # A copy: Retrying keeps per-run state, and callers may share one policy across threads.
    policy = retrying.copy() if retrying is not None else default_retrying()
    for attempt in policy:
        with attempt:
            with log.transaction() as tx:
                result = work(tx)
            return result
    raise AssertionError("unreachable")  # pragma: no cover
