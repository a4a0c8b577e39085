"""The steps of a drain (:mod:`worker.handlers.drain`): its limits and reports, gathering
a batch (one receive after another, or up to ``concurrency`` in flight), applying it in
one transaction, and deleting what it settled (at once, or in flight while the next batch
is applied: :class:`PendingDeletes`)."""

from __future__ import annotations

import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol

import structlog

from worker.handlers.ingest import IngestResult
from worker.handlers.ports.queue import DeleteOutcome, MessageQueue, ReceivedMessage

__all__ = [
    "NULL_OBSERVER",
    "ApplyBodies",
    "BatchReport",
    "DrainLimits",
    "DrainObserver",
    "DrainReport",
    "FaultHook",
    "PendingDeletes",
    "apply_messages",
    "delete_messages",
    "drain_batch",
    "gather_batch",
    "new_batch_id",
    "no_fault",
]

logger = structlog.get_logger("worker.handlers.drain")

#: Applies raw bodies in one transaction (``apply_batch`` with its dependencies bound).
ApplyBodies = Callable[[Sequence[str]], IngestResult]


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
    #: SQS calls in flight at once: up to this many receives, and as many deletes of
    #: committed batches; above 1 the next batch is also gathered (and prepared) while the
    #: current one is applied. 1: one call after another.
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


# --------------------------------------------------------------------------- the steps


def new_batch_id() -> str:
    return uuid.uuid4().hex[:16]


def gather_batch(
    queue: MessageQueue,
    limits: DrainLimits,
    *,
    deadline: float,
    clock: Callable[[], float] = time.monotonic,
    pool: Executor | None = None,
    backlog: bool = False,
) -> list[ReceivedMessage]:
    """Receive up to ``limits.batch_size`` messages ([] when the long poll found none).

    With a ``pool``, the receives after the first long poll go out up to
    ``limits.concurrency`` at a time, each answer making room for the next call; with
    ``backlog`` too (the previous batch came full) there is no lone first long poll. A
    message received twice while gathering (its visibility expired meanwhile) is kept
    once, with its newest receipt handle (the one that deletes it)."""
    if pool is not None:
        return _gather_pooled(queue, limits, deadline, clock, pool, backlog=backlog)
    messages: dict[str, ReceivedMessage] = {}
    first_at: float | None = None
    while len(messages) < limits.batch_size:
        now = clock()
        if first_at is None:
            wait = _first_wait(limits, deadline, now)
        else:
            if now - first_at >= limits.batch_wait:
                break
            wait = _next_wait(limits, now - first_at)
        room = limits.batch_size - len(messages)
        received = queue.receive(max_messages=min(10, room), wait_seconds=wait)
        if not received:
            break
        if first_at is None:
            first_at = clock()
        _keep(messages, received)
    return list(messages.values())


def _first_wait(limits: DrainLimits, deadline: float, now: float) -> int:
    """The long poll that starts a batch, never past the deadline."""
    return int(max(0.0, min(float(limits.poll_wait), deadline - now)))


def _next_wait(limits: DrainLimits, elapsed: float) -> int:
    # Short long-poll: returns at once when something is visible. An empty answer means
    # the queue is drained for now: apply what is in hand.
    return 1 if limits.batch_wait - elapsed >= 1 else 0


def _keep(messages: dict[str, ReceivedMessage], received: Sequence[ReceivedMessage]) -> None:
    for message in received:
        messages.pop(message.message_id, None)  # the newest receipt handle wins
        messages[message.message_id] = message


def _gather_pooled(
    queue: MessageQueue,
    limits: DrainLimits,
    deadline: float,
    clock: Callable[[], float],
    pool: Executor,
    *,
    backlog: bool,
) -> list[ReceivedMessage]:
    """:func:`gather_batch` with up to ``limits.concurrency`` receives in flight: a call
    is sent as soon as one returns, while the batch has room, ``batch_wait`` has not
    passed and no answer came back empty. Every call sent is waited for and its messages
    kept (a message received is never dropped: it would hide until its timeout).

    The calls in flight start at one after a lone first long poll and grow by one with
    every full answer (doubling per round trip), so a trickle costs no more calls than a
    sequential drain; under a ``backlog`` they start at ``concurrency``."""
    messages: dict[str, ReceivedMessage] = {}
    width = limits.concurrency
    if not backlog:
        first = queue.receive(
            max_messages=min(10, limits.batch_size),
            wait_seconds=_first_wait(limits, deadline, clock()),
        )
        if not first:
            return []
        _keep(messages, first)
        width = 2 if len(first) >= min(10, limits.batch_size) else 1
    first_at = clock()
    asked: dict[Future[list[ReceivedMessage]], int] = {}
    drained = False
    try:
        while True:
            elapsed = clock() - first_at
            if not drained and elapsed < limits.batch_wait:
                wait = _next_wait(limits, elapsed)
                room = limits.batch_size - len(messages) - sum(asked.values())
                while room > 0 and len(asked) < width:
                    wanted = min(10, room)
                    asked[pool.submit(_receive_call(queue, wanted, wait))] = wanted
                    room -= wanted
            if not asked:
                break
            done, _ = futures_wait(asked, return_when=FIRST_COMPLETED)
            for future in done:
                received = future.result()
                if len(received) >= asked.pop(future):
                    width = min(limits.concurrency, width + 1)
                drained = drained or not received
                _keep(messages, received)
    finally:
        futures_wait(asked)  # failing: let the calls in flight end before the run does
    if not messages and backlog:
        # Empty without a long poll: ask as a batch's first receive does.
        return _gather_pooled(queue, limits, deadline, clock, pool, backlog=False)
    return list(messages.values())


def _receive_call(
    queue: MessageQueue, max_messages: int, wait: int
) -> Callable[[], list[ReceivedMessage]]:
    return partial(queue.receive, max_messages=max_messages, wait_seconds=wait)


def delete_messages(
    queue: MessageQueue, messages: Sequence[ReceivedMessage], pool: Executor | None = None
) -> DeleteOutcome:
    """Delete ``messages``: one call per 10, together when pooled. Raises what a delete
    call raises (after the others were sent)."""
    if pool is None or len(messages) <= 10:
        return queue.delete(messages)
    return _sum_outcomes(list(pool.map(queue.delete, _tens(messages))))


def _tens(messages: Sequence[ReceivedMessage]) -> list[Sequence[ReceivedMessage]]:
    """DeleteMessageBatch takes 10 entries: one call's worth each."""
    return [messages[i : i + 10] for i in range(0, len(messages), 10)]


def _sum_outcomes(outcomes: Sequence[DeleteOutcome]) -> DeleteOutcome:
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
        result, seconds = apply_messages(apply, messages, observer, clock)
        fault("crash_after_commit")
        outcome = delete_messages(queue, _settled(messages, result), pool)
        return _deleted(batch_id, messages, result, seconds, outcome, observer)


def apply_messages(
    apply: ApplyBodies,
    messages: Sequence[ReceivedMessage],
    observer: DrainObserver,
    clock: Callable[[], float],
) -> tuple[IngestResult, float]:
    """Run the batch's transaction; a failure is reported and raised (nothing deleted)."""
    bodies = [message.body for message in messages]
    started = clock()
    try:
        result = apply(bodies)
    except Exception as exc:
        observer.failed(exc)
        logger.warning(
            "batch not applied; nothing deleted, messages return after their visibility timeout",
            batch_size=len(bodies),
            error=f"{type(exc).__name__}: {exc}",
        )
        raise
    seconds = clock() - started
    observer.applied(bodies, result, seconds)
    return result, seconds


def _deleted(
    batch_id: str,
    messages: Sequence[ReceivedMessage],
    result: IngestResult,
    seconds: float,
    outcome: DeleteOutcome,
    observer: DrainObserver,
) -> BatchReport:
    """Report a committed batch once its deletes returned (batch id bound by the caller)."""
    observer.deleted(outcome)
    if outcome.failed:
        logger.warning(
            "some deletes failed; those messages will be redelivered and deduplicated",
            failed=len(outcome.failed),
            codes=sorted({failure.code for failure in outcome.failed}),
        )
    logger.info(
        "batch applied",
        batch_size=len(messages),
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


@dataclass(slots=True)
class _Committed:
    """A committed batch whose deletes are in flight."""

    batch_id: str
    messages: Sequence[ReceivedMessage]
    result: IngestResult
    seconds: float
    deletes: list[Future[DeleteOutcome]]


class PendingDeletes:
    """The deletes of committed batches, in flight (10 per call, up to the pool's size)
    while the drain gathers and applies the next batches. Only a batch whose transaction
    returned is ever submitted; its report (metrics, ``batch applied`` log line) is made
    when all its deletes have returned, in the drain's thread."""

    def __init__(self, queue: MessageQueue, pool: Executor, observer: DrainObserver) -> None:
        self._queue, self._pool, self._observer = queue, pool, observer
        self._pending: deque[_Committed] = deque()

    def submit(
        self,
        batch_id: str,
        messages: Sequence[ReceivedMessage],
        result: IngestResult,
        seconds: float,
    ) -> None:
        settled = _settled(messages, result)
        deletes = [self._pool.submit(self._queue.delete, chunk) for chunk in _tens(settled)]
        self._pending.append(_Committed(batch_id, messages, result, seconds, deletes))

    def __len__(self) -> int:
        return len(self._pending)

    def settle(self, report: DrainReport, *, keep: int) -> None:
        """Report every batch whose deletes are done, waiting for the oldest ones until at
        most ``keep`` batches are in flight. Raises what a delete call raised."""
        while self._pending and (
            len(self._pending) > keep or all(f.done() for f in self._pending[0].deletes)
        ):
            batch = self._pending.popleft()
            outcome = _sum_outcomes([future.result() for future in batch.deletes])
            with structlog.contextvars.bound_contextvars(batch_id=batch.batch_id):
                report.add(
                    _deleted(
                        batch.batch_id,
                        batch.messages,
                        batch.result,
                        batch.seconds,
                        outcome,
                        self._observer,
                    )
                )

    def abandon(self, report: DrainReport) -> None:
        """The run is failing: wait for the deletes still in flight, count what they
        deleted, and log (not raise) their errors; the run's own error propagates."""
        while self._pending:
            batch = self._pending.popleft()
            outcomes = []
            for future in batch.deletes:
                try:
                    outcomes.append(future.result())
                except Exception as exc:
                    logger.warning("delete failed; messages will be redelivered", error=str(exc))
            outcome = _sum_outcomes(outcomes)
            report.deleted += outcome.deleted
            report.delete_failed += len(outcome.failed)
