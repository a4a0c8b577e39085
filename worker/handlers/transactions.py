"""Run a unit of work in one transaction, retrying the whole of it on transient errors.

The one place that decides what a storage failure means (:func:`classify_store_error`):

* *transient* (:class:`TransientStoreError`: connection lost, serialisation failure,
  deadlock, lock or statement timeout, SQLite busy): the whole unit of work is retried
  with tenacity here, and raised to the caller when it keeps failing;
* *rejected* (:class:`StorageRejectedError`, or a data error the driver or the code raised
  on these values: ``UnicodeEncodeError``, ``ValueError``, ``TypeError``, an overflow, a
  missing key...): retrying the same data fails the same way, so it is raised at once and
  the batch handler isolates the body that causes it (:mod:`worker.handlers.isolation`);
* *fatal* (anything else: schema not ready, time limits, interrupts, memory): raised at
  once, nothing is isolated.

Malformed input never gets here: it became a dead letter before the transaction started.
The adapters map their driver's errors to these port errors
(:meth:`worker.adapters.notification_log.SqlNotificationLog.transaction`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from worker.handlers.ports import (
    LogTransaction,
    NotificationLog,
    StorageRejectedError,
    StoreError,
    StoreErrorKind,
    TransientStoreError,
)

logger = logging.getLogger(__name__)

R = TypeVar("R")

#: Attempts of one unit of work before the transient error is raised to the caller (the
#: Celery task then retries later; the CLI reports it).
MAX_ATTEMPTS = 5

#: Python errors that, raised while a batch is written, come from the values written
#: (an encoding the database cannot take, an out-of-range number, a value the code did
#: not expect). ``UnicodeError`` is a ``ValueError``. Deliberately not ``Exception``: a
#: time limit (Celery's ``SoftTimeLimitExceeded``), ``OSError`` or ``MemoryError`` says
#: nothing about the data and must never turn bodies into dead letters.
_DATA_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    TypeError,
    ArithmeticError,
    LookupError,
    AttributeError,
)


def classify_store_error(exc: BaseException) -> StoreErrorKind:
    """What a failure of a unit of work means: retry it, isolate its data, or give up."""
    if isinstance(exc, TransientStoreError):
        return StoreErrorKind.TRANSIENT
    if isinstance(exc, StorageRejectedError):
        return StoreErrorKind.REJECTED
    if isinstance(exc, StoreError):
        return StoreErrorKind.FATAL
    if isinstance(exc, _DATA_ERRORS):
        return StoreErrorKind.REJECTED
    return StoreErrorKind.FATAL


def _is_transient(exc: BaseException) -> bool:
    return classify_store_error(exc) is StoreErrorKind.TRANSIENT


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
        retry=retry_if_exception(_is_transient),
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
    transient errors (:func:`classify_store_error`). ``work`` must be safe to run again
    from scratch."""
    # A copy: Retrying keeps per-run state, and callers may share one policy across threads.
    policy = retrying.copy() if retrying is not None else default_retrying()
    for attempt in policy:
        with attempt:
            with log.transaction() as tx:
                result = work(tx)
            return result
    raise AssertionError("unreachable")  # pragma: no cover
