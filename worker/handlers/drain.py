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
tens of milliseconds and a call carries at most 10 messages, so one call after another
caps a drain at a few hundred bodies per second. Three stages then overlap: batch ``n+1``
is gathered (up to ``concurrency`` receives in flight, a new one sent as each returns)
and prepared (parsed, classified) in a prefetch thread; batch ``n`` is applied (its
transaction) in the caller's thread; the deletes of batch ``n-1`` (10 per call, up to
``concurrency`` in flight in a second pool) are on their way. The rule above is
untouched: a batch's deletes are sent only after *its* apply returned, a failure sends
none for the batch in hand, and a prefetched batch that is never applied (the apply
raised, the deadline passed, the process died) is left alone: its messages return after
their visibility timeout. The deletes of committed batches are waited for before the run
returns (and before a failure propagates); at most one committed batch's deletes are in
flight while the next batch is applied, and at most two batches are gathered ahead, so a
message is held for a few batches' time (well under a second at 500 per batch and 20 ms
per SQS call), far below the visibility timeout.

The crash drill passes a ``fault`` hook (built from ``INBOXGAP_FAULT_INJECT`` by
:mod:`worker.bootstrap.faults`) that kills the process at a named point.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from queue import Empty, Full, Queue
from typing import Protocol

import structlog

from worker.handlers.drain_steps import (
    NULL_OBSERVER,
    ApplyBodies,
    BatchReport,
    DrainLimits,
    DrainObserver,
    DrainReport,
    FaultHook,
    PendingDeletes,
    apply_messages,
    delete_messages,
    drain_batch,
    gather_batch,
    new_batch_id,
    no_fault,
)
from worker.handlers.ingest import IngestResult, PreparedBatch, quicken_gil_handoff
from worker.handlers.ports import LogTransaction, NotificationLog
from worker.handlers.ports.queue import MessageQueue, ReceivedMessage

__all__ = [
    "NULL_OBSERVER",
    "ApplyBodies",
    "BatchReport",
    "DrainLimits",
    "DrainObserver",
    "DrainReport",
    "FaultHook",
    "FaultInjectingLog",
    "MessageQueue",
    "PendingDeletes",
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


class StagedApply(Protocol):
    """:data:`ApplyBodies` in its two halves (:class:`worker.bootstrap.app.App`): the pure
    ``prepare`` runs in the thread gathering the next batch, ``commit`` is the
    transaction (and the isolation of a refused body, as ``apply_batch`` does)."""

    def prepare(self, bodies: Sequence[str]) -> PreparedBatch: ...

    def commit(self, bodies: Sequence[str], prepared: PreparedBatch) -> IngestResult: ...


class FaultInjectingLog:
    """A :class:`NotificationLog` that passes the ``crash_before_commit`` fault point after
    the unit of work ran and before its transaction commits (crash drill)."""

    def __init__(self, inner: NotificationLog, fault: FaultHook) -> None:
        self._inner = inner
        self._fault = fault

    @property
    def concurrent_writers(self) -> bool:
        return self._inner.concurrent_writers

    @contextmanager
    def transaction(self) -> Iterator[LogTransaction]:
        with self._inner.transaction() as tx:
            yield tx
            self._fault("crash_before_commit")


# --------------------------------------------------------------------------- the drain


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
    if limits.concurrency > 1:
        return _Pipeline(queue, apply, limits, observer, clock, fault, staged).run(max_batches)
    report = DrainReport()
    started = clock()
    deadline = started + limits.max_run_time
    try:
        while True:
            if clock() >= deadline:
                report.stopped = "deadline"
                break
            messages = gather_batch(queue, limits, deadline=deadline, clock=clock)
            if messages:
                observer.received(messages)
                report.add(drain_batch(queue, apply, messages, observer=observer, fault=fault))
                if max_batches is not None and report.batches >= max_batches:
                    report.stopped = "once"
                    break
            elif limits.stop_when_empty:
                report.stopped = "empty"
                break
    finally:
        report.seconds = clock() - started
    return report


#: What the gathering thread hands the drain: a batch (its messages and the future of
#: their preparation), why gathering ended (``empty``, ``deadline``, ``once``), or the
#: error it raised.
_Ahead = tuple[list[ReceivedMessage], "Future[PreparedBatch | None]"] | str | BaseException


class _Pipeline:
    """One pipelined drain run (``concurrency`` > 1). Four things overlap:

    * the *gather* of the next batches (receives through a pool of ``concurrency``
      threads), in one gathering thread that hands each batch over and starts the next;
    * their *prepare* (parse, classify: pure), in one preparing thread;
    * the *transaction* of batch ``n``, in the caller's thread;
    * the *deletes* of batch ``n-1`` (10 per call, a second pool of ``concurrency``),
      sent only once its transaction returned, and waited for before the run returns.

    At most one batch waits to be applied while the next is gathered (or waits to be
    handed over), and at most one committed batch waits for its deletes while another is
    applied (back-pressure), so a message is held for a few batches' time. A batch
    gathered before the deadline is in hand: it is applied even past it, but never after a
    failure (its messages return after their visibility timeout). No batch is gathered
    past ``max_batches``."""

    def __init__(
        self,
        queue: MessageQueue,
        apply: ApplyBodies,
        limits: DrainLimits,
        observer: DrainObserver,
        clock: Callable[[], float],
        fault: FaultHook,
        staged: StagedApply | None,
    ) -> None:
        self.queue, self.apply, self.limits = queue, apply, limits
        self.observer, self.clock, self.fault, self.staged = observer, clock, fault, staged
        self.deadline = clock() + limits.max_run_time
        self.ahead: Queue[_Ahead] = Queue(maxsize=1)
        self.stopping = threading.Event()

    def run(self, max_batches: int | None) -> DrainReport:
        report = DrainReport()
        started = self.clock()
        receives = ThreadPoolExecutor(self.limits.concurrency, "sqs-receive")
        sends = ThreadPoolExecutor(self.limits.concurrency, "sqs-delete")
        preparing = ThreadPoolExecutor(1, "prepare")
        quicken_gil_handoff()  # the writes wait on the GIL otherwise (see there)
        deletes = PendingDeletes(self.queue, sends, self.observer)
        gathering = threading.Thread(
            target=self.gather,
            args=(receives, preparing, max_batches),
            name="gather",
            daemon=True,  # joined by the run; never keeps the interpreter alive
        )
        gathering.start()
        try:
            while True:
                item = self.next_batch(gathering)
                if isinstance(item, str):
                    report.stopped = item
                    break
                if isinstance(item, BaseException):
                    raise item
                messages, prepared = item
                self.observer.received(messages)
                self.commit(messages, prepared.result(), deletes, report)
            deletes.settle(report, keep=0)
        finally:
            self.stopping.set()
            self._leave_ahead(gathering)
            deletes.abandon(report)
            for executor in (preparing, receives, sends):
                executor.shutdown(wait=True)
            report.seconds = self.clock() - started
        return report

    def next_batch(self, gathering: threading.Thread) -> _Ahead:
        while True:
            try:
                return self.ahead.get(timeout=0.1)
            except Empty:
                if not gathering.is_alive() and self.ahead.empty():
                    return RuntimeError("the gathering thread ended without a word")

    def gather(self, receives: Executor, preparing: Executor, max_batches: int | None) -> None:
        """The gathering thread: batch after batch until the queue is empty (with
        ``stop_when_empty``), the deadline, ``max_batches`` or the drain stops."""
        gathered, backlog = 0, False
        try:
            while not self.stopping.is_set():
                if self.clock() >= self.deadline:
                    self.hand_over("deadline")
                    return
                messages = gather_batch(
                    self.queue,
                    self.limits,
                    deadline=self.deadline,
                    clock=self.clock,
                    pool=receives,
                    backlog=backlog,
                )
                if not messages:
                    if self.limits.stop_when_empty:
                        self.hand_over("empty")
                        return
                    continue
                backlog = len(messages) >= self.limits.batch_size
                gathered += 1
                self.hand_over((messages, preparing.submit(self.prepare, messages)))
                if max_batches is not None and gathered >= max_batches:
                    self.hand_over("once")
                    return
        except BaseException as exc:  # handed to the drain's thread, which raises it
            self.hand_over(exc)

    def hand_over(self, item: _Ahead) -> None:
        """Put ``item`` for the drain's thread, waiting while one is already there; dropped
        (its messages left on the queue) once the drain stops."""
        while not self.stopping.is_set():
            try:
                self.ahead.put(item, timeout=0.05)
                return
            except Full:
                continue
        _left_on_queue(item)

    def prepare(self, messages: Sequence[ReceivedMessage]) -> PreparedBatch | None:
        if self.staged is None:
            return None
        try:
            return self.staged.prepare([message.body for message in messages])
        except Exception:
            # Prepared again by ``apply`` in the drain's thread, where the error is
            # reported as any apply failure is (nothing deleted).
            return None

    def commit(
        self,
        messages: list[ReceivedMessage],
        prepared: PreparedBatch | None,
        deletes: PendingDeletes,
        report: DrainReport,
    ) -> None:
        """Apply one batch, then send its deletes (not waited for here)."""
        batch_apply = self.apply
        if self.staged is not None and prepared is not None:
            batch_apply = partial(self.staged.commit, prepared=prepared)
        batch_id = new_batch_id()
        with structlog.contextvars.bound_contextvars(batch_id=batch_id):
            result, seconds = apply_messages(
                batch_apply, messages, self.observer, time.perf_counter
            )
            self.fault("crash_after_commit")
        deletes.submit(batch_id, messages, result, seconds)
        deletes.settle(report, keep=1)

    def _leave_ahead(self, gathering: threading.Thread) -> None:
        """The drain stopped: let the gathering thread end (a receive in flight returns
        within its wait) and leave every batch it handed over but was not applied."""
        while gathering.is_alive():
            try:
                _left_on_queue(self.ahead.get(timeout=0.05))
            except Empty:
                continue
        while not self.ahead.empty():
            _left_on_queue(self.ahead.get_nowait())


def _left_on_queue(item: _Ahead) -> None:
    """A batch gathered but never applied, so never deleted: its messages return after
    their visibility timeout."""
    if isinstance(item, tuple) and item[0]:
        logger.warning("prefetched batch not applied; left on the queue", size=len(item[0]))
