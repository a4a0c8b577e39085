"""The pipelined, concurrent drain (``DrainLimits.concurrency`` > 1) on a fake queue: every
delete follows the commit of its own batch, the next batch is gathered while the current
one is applied, deletes go out 10 per call, and a failure deletes nothing uncommitted."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial

import pytest

from tests.fakes import FakeNotificationLog, RefusingLog
from tests.support.ingest import NOW
from tests.unit.handlers import test_isolation as isolation
from tests.unit.handlers.test_drain import FakeQueue, _feedback
from worker.handlers.drain import (
    NULL_OBSERVER,
    DrainLimits,
    DrainReport,
    PendingDeletes,
    delete_messages,
    drain_queue,
    gather_batch,
)
from worker.handlers.ingest import PREFETCH_SWITCH_INTERVAL, IngestResult, apply_batch
from worker.handlers.ports.queue import DeleteOutcome, ReceivedMessage

POOLED = DrainLimits(batch_size=40, batch_wait=60.0, poll_wait=0, concurrency=4)


class ThreadSafeQueue(FakeQueue):
    """The fake queue behind a lock, recording which message ids each call touched."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.effects: list[tuple[str, frozenset[str]]] = []

    def receive(self, *, max_messages: int = 10, wait_seconds: int = 0) -> list[ReceivedMessage]:
        with self.lock:
            got = super().receive(max_messages=max_messages, wait_seconds=wait_seconds)
            if got:
                self.effects.append(("receive", frozenset(m.message_id for m in got)))
            return got

    def delete(self, messages: Sequence[ReceivedMessage]) -> DeleteOutcome:
        with self.lock:
            self.effects.append(("delete", frozenset(m.message_id for m in messages)))
            return super().delete(messages)

    def record(self, kind: str, ids: frozenset[str]) -> None:
        with self.lock:
            self.effects.append((kind, ids))

    def ids(self, kind: str) -> set[str]:
        """Every message id an effect of ``kind`` touched."""
        return {message_id for done, ids in self.effects if done == kind for message_id in ids}


def _bodies_to_ids(queue: ThreadSafeQueue) -> dict[str, str]:
    """Bodies are distinct here, so a body names its message."""
    return {body: message_id for message_id, body in queue.visible}


def _recording_apply(
    queue: ThreadSafeQueue, log: FakeNotificationLog, *, fail_on_call: int | None = None
) -> partial[IngestResult]:
    ids = _bodies_to_ids(queue)
    calls = [0]

    def apply(bodies: Sequence[str], **kwargs: object) -> IngestResult:
        calls[0] += 1
        batch = frozenset(ids[body] for body in bodies)
        if calls[0] == fail_on_call:
            queue.record("failed", batch)
            raise RuntimeError("database gone")
        result = apply_batch(bodies, **kwargs)  # type: ignore[arg-type]
        queue.record("commit", batch)
        return result

    return partial(apply, log=log, now=NOW, feedback_window=timedelta(hours=24))


def test_every_delete_follows_the_commit_of_its_own_messages() -> None:
    queue = ThreadSafeQueue()
    queue.send(*_feedback(60))  # 120 bodies: 3 batches of 40
    log = FakeNotificationLog()
    report = drain_queue(queue, _recording_apply(queue, log), POOLED)
    assert report.received == 120 and report.deleted == 120 and report.batches == 3
    assert queue.total == 0
    committed: set[str] = set()
    for kind, ids in queue.effects:
        if kind == "commit":
            committed |= ids
        elif kind == "delete":
            assert ids <= committed, "a message was deleted before its batch committed"
    assert log.notification("n-59")["status"] == "delivered"


def test_deletes_go_out_ten_per_call() -> None:
    queue = ThreadSafeQueue()
    queue.send(*_feedback(20))
    drain_queue(queue, _recording_apply(queue, FakeNotificationLog()), POOLED)
    deletes = [ids for kind, ids in queue.effects if kind == "delete"]
    assert sorted(len(ids) for ids in deletes) == [10, 10, 10, 10]


def test_next_batch_is_received_before_the_current_one_is_deleted() -> None:
    queue = ThreadSafeQueue()
    queue.send(*_feedback(40))  # 80 bodies: 2 batches
    commit_seen = threading.Event()
    second_received = threading.Event()
    ids = _bodies_to_ids(queue)
    log = FakeNotificationLog()
    received = 0

    def apply(bodies: Sequence[str]) -> IngestResult:
        # The first apply waits until both batches were received: the prefetch of the
        # second overlaps it, or this test would time out in the wait below and fail.
        # (Counted, not "received after this apply started": the prefetch may finish
        # before this thread gets here, which is an overlap all the same.)
        if not commit_seen.is_set():
            commit_seen.set()
            assert second_received.wait(timeout=30), "next batch not gathered during apply"
        queue.record("commit", frozenset(ids[body] for body in bodies))
        return apply_batch(bodies, log=log, now=NOW, feedback_window=timedelta(hours=24))

    original = queue.receive

    def receive(*, max_messages: int = 10, wait_seconds: int = 0) -> list[ReceivedMessage]:
        nonlocal received
        got = original(max_messages=max_messages, wait_seconds=wait_seconds)
        with queue.lock:
            received += len(got)
            if received >= 80:
                second_received.set()
        return got

    queue.receive = receive  # type: ignore[method-assign]
    report = drain_queue(queue, apply, POOLED)
    assert report.deleted == 80 and queue.total == 0
    first_delete = next(i for i, (kind, _) in enumerate(queue.effects) if kind == "delete")
    received_before = sum(
        len(ids) for kind, ids in queue.effects[:first_delete] if kind == "receive"
    )
    assert received_before == 80


def test_a_failing_batch_deletes_nothing_uncommitted() -> None:
    queue = SlowQueue(latency=0.02)  # the first batch's deletes in flight meanwhile
    queue.send(*_feedback(60))  # 3 batches; the second apply fails
    log = FakeNotificationLog()
    with pytest.raises(RuntimeError, match="database gone"):
        drain_queue(queue, _recording_apply(queue, log, fail_on_call=2), POOLED)
    committed = queue.ids("commit")
    deleted = queue.ids("delete")
    failed = queue.ids("failed")
    # The first batch's deletes were sent and returned before the error propagated.
    assert len(committed) == 40 and deleted == committed
    assert failed and not failed & deleted
    assert not set(queue.in_flight) & committed
    # The failed batch and the one prefetched meanwhile stay on the queue (in flight),
    # and come back after their visibility timeout: applied once, then deleted.
    assert len(queue.in_flight) == 80
    queue.release()
    report = drain_queue(queue, _recording_apply(queue, log), POOLED)
    assert report.deleted == 80 and queue.total == 0


def test_pooled_gather_fills_the_batch_without_passing_its_size() -> None:
    queue = ThreadSafeQueue()
    queue.send(*_feedback(50))
    with ThreadPoolExecutor(4) as pool:
        messages = gather_batch(queue, POOLED, deadline=float("inf"), pool=pool)
    assert len(messages) == 40 and len({m.message_id for m in messages}) == 40
    assert len(queue.visible) == 60


def test_delete_messages_sums_outcomes_and_keeps_failures() -> None:
    queue = ThreadSafeQueue()
    ids = queue.send(*_feedback(12))
    queue.fail_deletes = {ids[3], ids[17]}
    messages = queue.receive(max_messages=10) + queue.receive(max_messages=10)
    messages += queue.receive(max_messages=10)
    with ThreadPoolExecutor(3) as pool:
        outcome = delete_messages(queue, messages, pool)
    assert outcome.deleted == 22
    assert sorted(f.message_id for f in outcome.failed) == sorted([ids[3], ids[17]])


class InFlight:
    """Counts the calls of one kind in flight at once (and the most seen)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0

    def __enter__(self) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.now -= 1


class SlowQueue(ThreadSafeQueue):
    """Each call waits ``latency`` seconds outside the lock, as a network call does."""

    def __init__(self, latency: float = 0.01) -> None:
        super().__init__()
        self.latency = latency
        self.receiving, self.deleting = InFlight(), InFlight()
        self.delete_gate = threading.Event()
        self.delete_gate.set()

    def receive(self, *, max_messages: int = 10, wait_seconds: int = 0) -> list[ReceivedMessage]:
        with self.receiving:
            time.sleep(self.latency)
            return super().receive(max_messages=max_messages, wait_seconds=wait_seconds)

    def delete(self, messages: Sequence[ReceivedMessage]) -> DeleteOutcome:
        with self.deleting:
            assert self.delete_gate.wait(timeout=30), "delete gate never opened"
            time.sleep(self.latency)
            return super().delete(messages)


def test_accumulated_receives_commit_once_and_delete_only_after_it() -> None:
    queue = SlowQueue()
    queue.send(*_feedback(100))  # 200 bodies: 2 batches of 100, 10 receives each
    log = FakeNotificationLog()
    limits = DrainLimits(batch_size=100, batch_wait=60.0, poll_wait=0, concurrency=8)
    report = drain_queue(queue, _recording_apply(queue, log), limits)
    commits = [ids for kind, ids in queue.effects if kind == "commit"]
    assert [len(ids) for ids in commits] == [100, 100]
    assert report.batches == 2 and report.deleted == 200 and queue.total == 0
    committed: set[str] = set()
    for kind, ids in queue.effects:
        committed |= ids if kind == "commit" else set()
        assert kind != "delete" or ids <= committed, "deleted before its batch committed"


def test_a_batch_deletes_go_out_concurrently_ten_per_call() -> None:
    queue = SlowQueue(latency=0.05)
    queue.send(*_feedback(40))  # one batch of 80: 8 delete calls
    limits = DrainLimits(batch_size=80, batch_wait=60.0, poll_wait=0, concurrency=8)
    report = drain_queue(queue, _recording_apply(queue, FakeNotificationLog()), limits)
    deletes = [ids for kind, ids in queue.effects if kind == "delete"]
    assert report.deleted == 80 and sorted(len(ids) for ids in deletes) == [10] * 8
    assert queue.deleting.most > 1, "a batch's deletes went out one after another"
    assert queue.deleting.most <= 8


def test_next_batch_is_applied_while_the_previous_deletes_are_in_flight() -> None:
    queue = SlowQueue(latency=0.0)
    queue.send(*_feedback(40))  # 80 bodies: 2 batches of 40
    queue.delete_gate.clear()  # deletes wait until the second batch committed
    log = FakeNotificationLog()
    inner = _recording_apply(queue, log)

    def apply(bodies: Sequence[str]) -> IngestResult:
        result = inner(bodies)
        if sum(1 for kind, _ in queue.effects if kind == "commit") == 2:
            queue.delete_gate.set()
        return result

    report = drain_queue(queue, apply, POOLED)
    assert report.deleted == 80 and report.batches == 2 and queue.total == 0
    kinds = [kind for kind, _ in queue.effects if kind in ("commit", "delete")]
    assert kinds[:2] == ["commit", "commit"], kinds


def test_the_run_returns_after_every_delete_returned() -> None:
    queue = SlowQueue(latency=0.05)
    queue.send(*_feedback(20))
    report = drain_queue(queue, _recording_apply(queue, FakeNotificationLog()), POOLED)
    assert queue.deleting.now == 0
    assert report.deleted == 40 and report.delete_failed == 0 and queue.total == 0


def test_receives_stay_one_at_a_time_under_a_trickle() -> None:
    queue = SlowQueue()
    queue.per_receive = 3  # answers never full: the queue holds little at a time
    queue.send(*_feedback(15))
    limits = DrainLimits(batch_size=60, batch_wait=60.0, poll_wait=0, concurrency=8)
    report = drain_queue(queue, _recording_apply(queue, FakeNotificationLog()), limits)
    assert report.deleted == 30 and queue.receiving.most == 1


def test_receives_grow_to_the_concurrency_under_a_backlog() -> None:
    queue = SlowQueue(latency=0.02)
    queue.send(*_feedback(200))  # 400 bodies, 4 batches of 100
    limits = DrainLimits(batch_size=100, batch_wait=60.0, poll_wait=0, concurrency=4)
    report = drain_queue(queue, _recording_apply(queue, FakeNotificationLog()), limits)
    assert report.deleted == 400 and report.batches == 4
    assert queue.receiving.most == 4


def test_max_batches_gathers_nothing_beyond_them() -> None:
    queue = ThreadSafeQueue()
    queue.send(*_feedback(60))  # 120 bodies
    report = drain_queue(
        queue, _recording_apply(queue, FakeNotificationLog()), POOLED, max_batches=1
    )
    assert report.batches == 1 and report.deleted == 40 and report.stopped == "once"
    assert len(queue.visible) == 80 and not queue.in_flight


def test_a_receive_error_stops_the_run_after_the_committed_deletes() -> None:
    queue = ThreadSafeQueue()
    queue.send(*_feedback(60))
    original, calls = queue.receive, [0]

    def receive(*, max_messages: int = 10, wait_seconds: int = 0) -> list[ReceivedMessage]:
        calls[0] += 1
        if calls[0] > 5:  # the second batch cannot be gathered
            raise ConnectionError("sqs gone")
        return original(max_messages=max_messages, wait_seconds=wait_seconds)

    queue.receive = receive  # type: ignore[method-assign]
    with pytest.raises(ConnectionError, match="sqs gone"):
        drain_queue(queue, _recording_apply(queue, FakeNotificationLog()), POOLED)
    committed = queue.ids("commit")
    deleted = queue.ids("delete")
    assert len(committed) == 40 and deleted == committed


def test_pending_deletes_count_what_a_failing_run_still_deleted() -> None:
    queue = ThreadSafeQueue()
    queue.send(*_feedback(10))
    messages = queue.receive() + queue.receive()
    report = DrainReport()
    with ThreadPoolExecutor(2) as pool:
        pending = PendingDeletes(queue, pool, NULL_OBSERVER)
        pending.submit("b-1", messages, IngestResult(), 0.01)
        assert len(pending) == 1
        pending.abandon(report)
    assert len(pending) == 0 and report.deleted == 20 and queue.total == 0


def test_pipelined_drain_leaves_only_the_unsettled_message_on_the_queue() -> None:
    # Poison isolation (issue 16) through the pipelined run: the body whose dead letter
    # is refused too stays on the queue; the others are deleted after the commit.
    queue = ThreadSafeQueue()
    ids = queue.send(*isolation.batch(30, {6, 25}))
    log = RefusingLog(refuse_dead_letters=True)
    limits = DrainLimits(batch_size=20, batch_wait=60.0, poll_wait=0, concurrency=4)
    report = drain_queue(queue, isolation._drain_apply(log), limits)
    assert report.batches == 2 and report.deleted == 28
    assert sorted(queue.in_flight) == sorted([ids[6], ids[25]])
    assert ids[6] not in queue.ids("delete") and ids[25] not in queue.ids("delete")


def test_pipelined_run_stops_at_its_deadline_and_applies_what_it_had_in_hand() -> None:
    queue = ThreadSafeQueue()
    queue.send(*_feedback(400))  # 800 bodies: 20 batches of 40, far more than the run does
    inner = _recording_apply(queue, FakeNotificationLog())

    def slow_apply(bodies: Sequence[str]) -> IngestResult:
        time.sleep(0.1)
        return inner(bodies)

    limits = DrainLimits(
        batch_size=40, batch_wait=60.0, poll_wait=0, concurrency=4, max_run_time=0.25
    )
    report = drain_queue(queue, slow_apply, limits)
    assert report.stopped == "deadline" and 1 <= report.batches <= 6
    # Every batch gathered was applied and deleted: nothing is left hidden in flight.
    assert report.deleted == 40 * report.batches and not queue.in_flight
    assert len(queue.visible) == 800 - 40 * report.batches


def test_a_pipelined_drain_shortens_the_gil_switch_interval() -> None:
    """Its transaction waits on the database while the preparing thread runs Python: the
    GIL must come back within a short interval (see quicken_gil_handoff)."""
    saved = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        queue = ThreadSafeQueue()
        queue.send(*_feedback(20))
        drain_queue(queue, _recording_apply(queue, FakeNotificationLog()), POOLED)
        assert sys.getswitchinterval() == pytest.approx(PREFETCH_SWITCH_INTERVAL)
    finally:
        sys.setswitchinterval(saved)
