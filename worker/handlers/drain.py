"""Drain the SES feedback queue: receive a batch, apply it in one transaction, then delete.

The order is the whole point (at-least-once delivery turned into exactly-once effect):

1. *Gather* up to ``batch_size`` messages (``ReceiveMessage`` returns at most 10 per
   call): the first receive long-polls, the next ones stop as soon as the queue has
   nothing visible or ``batch_wait`` seconds have passed since the first message.
2. *Apply* every body with the batch handler (:func:`worker.handlers.ingest.apply_batch`,
   one transaction; bodies it rejects are committed as dead letters inside it). When the
   database refuses the batch's data, the handler isolates the bodies it refuses
   (:mod:`worker.handlers.isolation`): the others commit in parts, each refused body is a
   ``storage_rejected`` dead letter, so one hostile body never holds the batch hostage.
3. Only after it returned, *delete* **all** those messages, dead letters included: every
   one whose effect is committed. Body ``i`` is message ``i`` (the gathered messages are
   distinct), so the rare body the handler reports ``unsettled`` (not even its dead letter
   could be stored) is the one message left on the queue, for SQS's redrive policy.

Failure at any point is safe:

* the handler raises (database down after its retries, a certificate that cannot be
  fetched, a bug): nothing is deleted, the messages come back after their visibility
  timeout, and SQS's redrive policy moves a message that keeps failing to the DLQ;
* the process dies before the commit: the transaction rolls back, same as above;
* it dies after the commit but before (or during) the delete, or a delete fails: the
  messages come back and the ledger's unique (event identity, recipient) key makes the
  second application a no-op (``duplicate``).

Several processes on several hosts can run this at once: SQS hands different messages to
concurrent receivers, and a redelivered one is deduplicated by the ledger. A run is
bounded (``max_run_time``) so a Celery worker stays responsive: no new batch is started
after the deadline, and the batch in hand is finished.

**Pipelined and concurrent** (``DrainLimits.concurrency`` > 1): SQS answers each call in
tens of milliseconds, so one call after another caps a drain at a few hundred bodies per
second. The receives of a batch after its first long poll, and the deletes (10 per call),
go out together through a small bounded thread pool; and while batch ``n`` is applied
(its transaction), batch ``n+1`` is already being gathered by one prefetch thread. The
rule above is untouched: a batch's deletes are issued only after *its* apply returned,
and a prefetched batch that is never applied (the apply raised, the deadline passed, the
process died) is simply left alone: its messages return after their visibility timeout.

The crash drill passes a ``fault`` hook (built from ``INBOXGAP_FAULT_INJECT`` by
:mod:`worker.bootstrap.faults`) that kills the process at a named point.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol

import structlog

from worker.handlers.ingest import IngestResult, PreparedBatch
from worker.handlers.ports import LogTransaction, NotificationLog
from worker.handlers.ports.queue import DeleteOutcome, MessageQueue, ReceivedMessage

__all__ = [
    "ApplyBodies",
    "BatchReport",
    "DrainLimits",
    "DrainObserver",
    "DrainReport",
    "FaultHook",
    "FaultInjectingLog",
    "MessageQueue",
    "StagedApply",
    "delete_messages",
    "drain_batch",
    "drain_queue",
    "gather_batch",
    "no_fault",
]

logger = structlog.get_logger(__name__)

#: Fault-injection switch of the crash drill (``point:probability[,point:probability]``).
FAULT_ENV = "INBOXGAP_FAULT_INJECT"

#: Applies raw bodies in one transaction (``apply_batch`` with its dependencies bound).
ApplyBodies = Callable[[Sequence[str]], IngestResult]


class StagedApply(Protocol):
    """:data:`ApplyBodies` in its two halves (:class:`worker.bootstrap.app.App`): the pure
    ``prepare`` runs in the thread gathering the next batch, ``commit`` is the
    transaction (and the isolation of a refused body, as ``apply_batch`` does)."""

    def prepare(self, bodies: Sequence[str]) -> PreparedBatch: ...

    def commit(self, bodies: Sequence[str], prepared: PreparedBatch) -> IngestResult: ...


class DrainObserver(Protocol):
    """Hooks for metrics (:class:`worker.metrics.PrometheusDrainObserver`)."""

    def received(self, messages: Sequence[ReceivedMessage]) -> None: ...

    def applied(self, bodies: Sequence[str], result: IngestResult, seconds: float) -> None: ...

    def deleted(self, outcome: DeleteOutcome) -> None: ...

    def failed(self, error: BaseException) -> None: ...


class _NullObserver:
    def received(self, messages: Sequence[ReceivedMessage]) -> None:
        pass

    def applied(self, bodies: Sequence[str], result: IngestResult, seconds: float) -> None:
        pass

    def deleted(self, outcome: DeleteOutcome) -> None:
        pass

    def failed(self, error: BaseException) -> None:
        pass


NULL_OBSERVER: DrainObserver = _NullObserver()


@dataclass(frozen=True, slots=True)
class DrainLimits:
    """How a drain run gathers batches and when it stops."""

    #: Messages per batch (one transaction). Received 10 at a time.
    batch_size: int = 500
    #: Seconds to keep gathering after the first message of a batch arrived.
    batch_wait: float = 2.0
    #: Long-poll seconds (0-20) when nothing is in hand.
    poll_wait: int = 10
    #: No new batch is started after this many seconds (the batch in hand is finished).
    max_run_time: float = 50.0
    #: End the run as soon as a long poll comes back empty (else wait until the deadline).
    stop_when_empty: bool = True
    #: SQS calls in flight at once (receives of a batch, deletes); above 1 the next batch
    #: is also gathered while the current one is applied. 1: one call after another.
    concurrency: int = 1

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        if not 1 <= self.concurrency <= 64:
            raise ValueError("concurrency must be within 1..64")
        if not 0 <= self.poll_wait <= 20:
            raise ValueError("poll_wait must be within 0..20 seconds")


@dataclass(frozen=True, slots=True)
class BatchReport:
    batch_id: str
    received: int
    deleted: int
    delete_failed: int
    result: IngestResult
    apply_seconds: float


@dataclass(slots=True)
class DrainReport:
    """What one drain run did (summed over its batches)."""

    batches: int = 0
    received: int = 0
    deleted: int = 0
    delete_failed: int = 0
    result: IngestResult = field(default_factory=IngestResult)
    seconds: float = 0.0
    #: Why the run ended: ``empty`` (a long poll found nothing), ``deadline``, or ``once``.
    stopped: str = ""

    def add(self, batch: BatchReport) -> None:
        self.batches += 1
        self.received += batch.received
        self.deleted += batch.deleted
        self.delete_failed += batch.delete_failed
        self.result = self.result + batch.result

    def summary(self) -> dict[str, object]:
        return {
            "batches": self.batches,
            "received": self.received,
            "deleted": self.deleted,
            "delete_failed": self.delete_failed,
            "seconds": round(self.seconds, 3),
            "stopped": self.stopped,
            **self.result.summary(),
        }


# --------------------------------------------------------------------------- fault hook

#: Called at a named point of a batch (``crash_after_commit``, ``crash_before_commit``):
#: the crash drill's hook, built by :mod:`worker.bootstrap.faults`; a no-op otherwise.
FaultHook = Callable[[str], None]


def no_fault(point: str) -> None:
    """The fault hook of every run but the crash drill's."""


class FaultInjectingLog:
    """A :class:`NotificationLog` that passes the ``crash_before_commit`` fault point after
    the unit of work ran and before its transaction commits (crash drill)."""

    def __init__(self, inner: NotificationLog, fault: FaultHook) -> None:
        self._inner = inner
        self._fault = fault

    @contextmanager
    def transaction(self) -> Iterator[LogTransaction]:
        with self._inner.transaction() as tx:
            yield tx
            self._fault("crash_before_commit")


# --------------------------------------------------------------------------- the drain


def new_batch_id() -> str:
    return uuid.uuid4().hex[:16]


def gather_batch(
    queue: MessageQueue,
    limits: DrainLimits,
    *,
    deadline: float,
    clock: Callable[[], float] = time.monotonic,
    pool: Executor | None = None,
) -> list[ReceivedMessage]:
    """Receive up to ``limits.batch_size`` messages ([] when the long poll found none).

    With a ``pool``, the receives after the first long poll go out up to
    ``limits.concurrency`` at a time. A message received twice while gathering (its
    visibility expired meanwhile) is kept once, with its newest receipt handle (the one
    that deletes it)."""
    messages: dict[str, ReceivedMessage] = {}
    first_at: float | None = None
    while len(messages) < limits.batch_size:
        now = clock()
        if first_at is None:
            wait = int(max(0.0, min(float(limits.poll_wait), deadline - now)))
        else:
            if now - first_at >= limits.batch_wait:
                break
            # Short long-poll: returns at once when something is visible. An empty answer
            # means the queue is drained for now: apply what is in hand.
            wait = 1 if limits.batch_wait - (now - first_at) >= 1 else 0
        room = limits.batch_size - len(messages)
        calls = 1 if first_at is None or pool is None else limits.concurrency
        wanted = [min(10, room - 10 * i) for i in range(min(calls, -(-room // 10)))]
        received = _receive(queue, wanted, wait, pool)
        if not received:
            break
        if first_at is None:
            first_at = clock()
        for message in received:
            messages.pop(message.message_id, None)
            messages[message.message_id] = message
    return list(messages.values())


def _receive(
    queue: MessageQueue, wanted: Sequence[int], wait: int, pool: Executor | None
) -> list[ReceivedMessage]:
    """One receive per entry of ``wanted`` (its max_messages), together when pooled."""
    if len(wanted) == 1 or pool is None:
        return [m for n in wanted for m in queue.receive(max_messages=n, wait_seconds=wait)]
    answers = pool.map(lambda n: queue.receive(max_messages=n, wait_seconds=wait), wanted)
    return [message for answer in answers for message in answer]


def delete_messages(
    queue: MessageQueue, messages: Sequence[ReceivedMessage], pool: Executor | None = None
) -> DeleteOutcome:
    """Delete ``messages``: one call per 10, together when pooled. Raises what a delete
    call raises (after the others were sent)."""
    if pool is None or len(messages) <= 10:
        return queue.delete(messages)
    chunks = [messages[i : i + 10] for i in range(0, len(messages), 10)]
    outcomes = list(pool.map(queue.delete, chunks))
    return DeleteOutcome(
        deleted=sum(outcome.deleted for outcome in outcomes),
        failed=tuple(failure for outcome in outcomes for failure in outcome.failed),
    )


def drain_batch(
    queue: MessageQueue,
    apply: ApplyBodies,
    messages: Sequence[ReceivedMessage],
    *,
    observer: DrainObserver = NULL_OBSERVER,
    clock: Callable[[], float] = time.perf_counter,
    batch_id: str | None = None,
    fault: FaultHook = no_fault,
    pool: Executor | None = None,
) -> BatchReport:
    """Apply ``messages`` in one transaction, then delete them all (but the rare
    unsettled ones, see the module text).

    Raises whatever ``apply`` raises (nothing deleted) and
    :class:`~worker.adapters.sqs.SqsUnavailableError` if the delete cannot be sent
    (committed; the messages come back and are deduplicated)."""
    batch_id = batch_id or new_batch_id()
    with structlog.contextvars.bound_contextvars(batch_id=batch_id):
        bodies = [message.body for message in messages]
        started = clock()
        try:
            result = apply(bodies)
        except Exception as exc:
            observer.failed(exc)
            logger.warning(
                "batch not applied; nothing deleted, messages return after their "
                "visibility timeout",
                batch_size=len(bodies),
                error=f"{type(exc).__name__}: {exc}",
            )
            raise
        seconds = clock() - started
        observer.applied(bodies, result, seconds)
        fault("crash_after_commit")
        settled = _settled(messages, result)
        outcome = delete_messages(queue, settled, pool)
        observer.deleted(outcome)
        if outcome.failed:
            logger.warning(
                "some deletes failed; those messages will be redelivered and deduplicated",
                failed=len(outcome.failed),
                codes=sorted({failure.code for failure in outcome.failed}),
            )
        logger.info(
            "batch applied",
            batch_size=len(bodies),
            apply_seconds=round(seconds, 4),
            deleted=outcome.deleted,
            redelivered=sum(1 for m in messages if m.receive_count > 1),
            **result.summary(),
            dead_lettered_codes=_codes(result),
        )
        return BatchReport(
            batch_id=batch_id,
            received=len(messages),
            deleted=outcome.deleted,
            delete_failed=len(outcome.failed),
            result=result,
            apply_seconds=seconds,
        )


def _settled(
    messages: Sequence[ReceivedMessage], result: IngestResult
) -> Sequence[ReceivedMessage]:
    """The messages whose body is committed or kept as a dead letter (all but the ones
    the handler reports unsettled, by index)."""
    if not result.unsettled:
        return messages
    unsettled = set(result.unsettled)
    logger.warning(
        "bodies neither applied nor kept as dead letters stay on the queue",
        unsettled=len(unsettled),
        message_ids=[messages[i].message_id for i in sorted(unsettled)],
    )
    return [message for index, message in enumerate(messages) if index not in unsettled]


def _codes(result: IngestResult) -> dict[str, int]:
    return dict(Counter(rejection.code for rejection in result.rejections))


def drain_queue(
    queue: MessageQueue,
    apply: ApplyBodies,
    limits: DrainLimits = DrainLimits(),
    *,
    observer: DrainObserver = NULL_OBSERVER,
    clock: Callable[[], float] = time.monotonic,
    max_batches: int | None = None,
    fault: FaultHook = no_fault,
    staged: StagedApply | None = None,
) -> DrainReport:
    """Gather, apply and delete batches until the queue is empty (with
        ``stop_when_empty``), ``max_batches`` were applied, or ``max_run_time`` has passed.
    With ``staged`` (the same work as ``apply``, in halves) and a pipelined run, the next
    batch is also prepared ahead, during the current transaction.

        Errors propagate after the batch in hand was left undeleted (see the module text)."""
    report = DrainReport()
    started = clock()
    deadline = started + limits.max_run_time
    pooled = limits.concurrency > 1
    # Bounded: `concurrency` SQS calls plus the one thread gathering the next batch.
    pool = ThreadPoolExecutor(limits.concurrency, "sqs") if pooled else None
    prefetch = ThreadPoolExecutor(1, "gather") if pooled else None
    ahead: Future[tuple[list[ReceivedMessage], PreparedBatch | None]] | None = None

    def gather() -> list[ReceivedMessage]:
        return gather_batch(queue, limits, deadline=deadline, clock=clock, pool=pool)

    def gather_and_prepare() -> tuple[list[ReceivedMessage], PreparedBatch | None]:
        messages = gather()
        if staged is None or not messages:
            return messages, None
        try:
            return messages, staged.prepare([message.body for message in messages])
        except Exception:
            # Prepared again by ``apply`` in the drain's thread, where the error is
            # reported as any apply failure is (nothing deleted).
            return messages, None

    try:
        while True:
            prepared: PreparedBatch | None = None
            if ahead is not None:
                # Gathered while the previous batch was applied: in hand, so finished
                # even past the deadline.
                (messages, prepared), ahead = ahead.result(), None
            elif clock() >= deadline:
                report.stopped = "deadline"
                break
            else:
                messages = gather()
            if messages:
                observer.received(messages)
                last = max_batches is not None and report.batches + 1 >= max_batches
                if prefetch is not None and not last and clock() < deadline:
                    ahead = prefetch.submit(gather_and_prepare)
                batch_apply = apply
                if staged is not None and prepared is not None:
                    batch_apply = partial(staged.commit, prepared=prepared)
                report.add(
                    drain_batch(
                        queue, batch_apply, messages, observer=observer, fault=fault, pool=pool
                    )
                )
                if last:
                    report.stopped = "once"
                    break
            elif limits.stop_when_empty:
                report.stopped = "empty"
                break
    finally:
        if ahead is not None:
            _leave_prefetched(ahead)
        for executor in (prefetch, pool):
            if executor is not None:
                executor.shutdown(wait=True)
        report.seconds = clock() - started
    return report


def _leave_prefetched(ahead: Future[tuple[list[ReceivedMessage], PreparedBatch | None]]) -> None:
    """Wait for a gather the run no longer needs. Its messages are never applied, so never
    deleted: they return after their visibility timeout."""
    try:
        left = len(ahead.result()[0])
    except Exception:  # the run is already failing; its own error propagates
        left = 0
    if left:
        logger.warning("prefetched batch not applied; left on the queue", size=left)
