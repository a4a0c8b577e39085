"""The drain use case on fakes: commit first, then delete everything; failures delete
nothing; batches gathered by size or time; runs bounded; the fault hook."""

from __future__ import annotations

import itertools
import signal
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

import pytest

from tests import bodies as b
from tests.fakes import FakeNotificationLog
from tests.support.ingest import NOW
from worker.bootstrap.faults import FAULT_ENV, fault_hook_from_env
from worker.handlers.drain import (
    DrainLimits,
    FaultInjectingLog,
    drain_batch,
    drain_queue,
    gather_batch,
    no_fault,
)
from worker.handlers.ingest import IngestResult, apply_batch
from worker.handlers.ports import TransientStoreError
from worker.handlers.ports.queue import DeleteOutcome, FailedDelete, ReceivedMessage


@dataclass
class FakeQueue:
    """An SQS queue: receive hides messages, delete removes them, ``release`` makes every
    in-flight message visible again (its visibility timeout expired)."""

    visible: list[tuple[str, str]] = field(default_factory=list)
    in_flight: dict[str, str] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    receive_counts: dict[str, int] = field(default_factory=dict)
    fail_deletes: set[str] = field(default_factory=set)
    per_receive: int = 10
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def send(self, *bodies: str) -> list[str]:
        ids = []
        for body in bodies:
            message_id = f"m{next(self._ids)}"
            self.visible.append((message_id, body))
            ids.append(message_id)
        return ids

    def receive(self, *, max_messages: int = 10, wait_seconds: int = 0) -> list[ReceivedMessage]:
        self.calls.append(f"receive:{wait_seconds}")
        take = min(max_messages, self.per_receive, 10)
        got, self.visible = self.visible[:take], self.visible[take:]
        out = []
        for message_id, body in got:
            self.in_flight[message_id] = body
            count = self.receive_counts[message_id] = self.receive_counts.get(message_id, 0) + 1
            out.append(ReceivedMessage(message_id, f"rh-{message_id}-{count}", body, count, 0.0))
        return out

    def delete(self, messages: Sequence[ReceivedMessage]) -> DeleteOutcome:
        self.calls.append(f"delete:{len(messages)}")
        failed = []
        deleted = 0
        for message in messages:
            if message.message_id in self.fail_deletes:
                failed.append(FailedDelete(message.message_id, "InternalError", "no", False))
                continue
            current = self.receive_counts.get(message.message_id)
            assert message.receipt_handle == f"rh-{message.message_id}-{current}"
            self.in_flight.pop(message.message_id, None)
            deleted += 1
        return DeleteOutcome(deleted, tuple(failed))

    def release(self) -> None:
        self.visible.extend(self.in_flight.items())
        self.in_flight.clear()

    @property
    def total(self) -> int:
        return len(self.visible) + len(self.in_flight)


def _apply(log: FakeNotificationLog, calls: list[str] | None = None) -> partial[IngestResult]:
    def recording(bodies: Sequence[str], **kwargs: object) -> IngestResult:
        if calls is not None:
            calls.append(f"apply:{len(bodies)}")
        return apply_batch(bodies, **kwargs)  # type: ignore[arg-type]

    return partial(recording, log=log, now=NOW, feedback_window=timedelta(hours=24))


def _feedback(n: int) -> list[str]:
    out = []
    for i in range(n):
        out.append(b.send(f"msg-{i}", [f"user{i}@acme.example"], notification_id=f"n-{i}"))
        out.append(b.delivery(f"msg-{i}", [f"user{i}@acme.example"]))
    return out


def test_applies_then_deletes_everything_including_dead_letters() -> None:
    queue = FakeQueue()
    queue.send(*_feedback(10), "not json at all", '{"also": "junk"}')
    log = FakeNotificationLog()
    report = drain_queue(queue, _apply(log, queue.calls), DrainLimits(batch_size=500, poll_wait=0))
    assert report.received == 22 and report.deleted == 22
    assert report.result.dead_lettered == 2
    assert report.result.applied == 20
    assert queue.total == 0
    assert report.stopped == "empty"
    # Apply before delete, and one delete per batch.
    kinds = [c.split(":")[0] for c in queue.calls if not c.startswith("receive")]
    assert kinds == ["apply", "delete"]
    snapshot = log.snapshot()
    assert len(snapshot["dead_letters"]) == 2


def test_failure_in_apply_deletes_nothing_and_messages_come_back() -> None:
    queue = FakeQueue()
    queue.send(*_feedback(5))
    log = FakeNotificationLog()
    log.fail_next(100)  # the database stays down through every retry
    fast = partial(
        apply_batch,
        log=log,
        now=NOW,
        feedback_window=timedelta(hours=24),
        retrying=None,
    )
    with pytest.raises(TransientStoreError):
        drain_queue(queue, fast, DrainLimits(poll_wait=0))
    assert not any(c.startswith("delete") for c in queue.calls)
    assert queue.total == 10 and len(queue.in_flight) == 10

    # Visibility timeout expires; the database is back: applied once, then deleted.
    log.fail_next(0)
    queue.release()
    report = drain_queue(queue, _apply(log), DrainLimits(poll_wait=0))
    assert report.deleted == 10 and queue.total == 0
    assert log.notification("n-3")["status"] == "delivered"


def test_failed_delete_is_redelivered_and_deduplicated() -> None:
    queue = FakeQueue()
    ids = queue.send(*_feedback(3))
    queue.fail_deletes = {ids[1]}  # the delivery of msg-0
    log = FakeNotificationLog()
    first = drain_queue(queue, _apply(log), DrainLimits(poll_wait=0))
    assert first.delete_failed == 1 and first.deleted == 5
    before = log.snapshot()

    queue.fail_deletes = set()
    queue.release()
    second = drain_queue(queue, _apply(log), DrainLimits(poll_wait=0))
    assert second.received == 1 and second.deleted == 1
    assert second.result.duplicate == 1 and second.result.applied == 0
    assert log.snapshot() == before
    assert queue.total == 0


def test_gather_stops_at_batch_size() -> None:
    queue = FakeQueue()
    queue.send(*[f"b{i}" for i in range(37)])
    messages = gather_batch(queue, DrainLimits(batch_size=25, poll_wait=3), deadline=1e9)
    assert len(messages) == 25
    assert queue.calls[0] == "receive:3"  # long poll first
    assert all(c == "receive:1" for c in queue.calls[1:])  # then short waits
    assert [len(queue.calls)] == [3]  # 10 + 10 + 5


def test_gather_stops_after_batch_wait() -> None:
    queue = FakeQueue()
    queue.send(*[f"b{i}" for i in range(100)])
    ticks = iter(range(1000))
    messages = gather_batch(
        queue,
        DrainLimits(batch_size=1000, batch_wait=2.0, poll_wait=0),
        deadline=1e9,
        clock=lambda: float(next(ticks)),
    )
    # First receive at t=0 (first message noted at t=1), then t=2, t=3 is past the wait.
    assert len(messages) == 20


def test_gather_keeps_a_redelivered_message_once_with_its_newest_handle() -> None:
    queue = FakeQueue(per_receive=1)
    queue.send("only")
    first = queue.receive()
    queue.release()  # visibility expired while gathering
    queue.visible.append(("extra", "x"))
    messages = gather_batch(queue, DrainLimits(batch_size=10, poll_wait=0), deadline=1e9)
    by_id = {m.message_id: m for m in messages}
    assert len(messages) == 2
    assert by_id[first[0].message_id].receipt_handle.endswith("-2")


def test_empty_queue_ends_the_run_after_one_poll() -> None:
    queue = FakeQueue()
    report = drain_queue(queue, _apply(FakeNotificationLog()), DrainLimits(poll_wait=7))
    assert report.stopped == "empty" and report.batches == 0
    assert queue.calls == ["receive:7"]


def test_run_is_bounded_by_max_run_time() -> None:
    queue = FakeQueue()
    queue.send(*_feedback(50))
    now = [0.0]

    def clock() -> float:
        now[0] += 1.0
        return now[0]

    limits = DrainLimits(batch_size=10, batch_wait=100, poll_wait=0, max_run_time=5)
    report = drain_queue(queue, _apply(FakeNotificationLog()), limits, clock=clock)
    assert report.stopped == "deadline"
    assert 1 <= report.batches < 10
    assert queue.total == 100 - report.deleted
    assert report.deleted == report.received  # the batch in hand was finished


def test_long_poll_never_waits_past_the_deadline() -> None:
    queue = FakeQueue()
    now = [0.0]
    limits = DrainLimits(poll_wait=20, max_run_time=4.5, stop_when_empty=False)

    def clock() -> float:
        now[0] += 1.0
        return now[0]

    drain_queue(queue, _apply(FakeNotificationLog()), limits, clock=clock)
    waits = [int(c.split(":")[1]) for c in queue.calls]
    assert waits and all(w <= 4 for w in waits)


def test_max_batches_once() -> None:
    queue = FakeQueue()
    queue.send(*_feedback(20))
    report = drain_queue(
        queue,
        _apply(FakeNotificationLog()),
        DrainLimits(batch_size=10, poll_wait=0),
        max_batches=1,
    )
    assert report.stopped == "once" and report.batches == 1 and report.deleted == 10


def test_drain_batch_binds_batch_id_in_logs(capsys: pytest.CaptureFixture[str]) -> None:
    import structlog

    queue = FakeQueue()
    queue.send(*_feedback(1))
    messages = queue.receive()
    seen: list[dict[str, object]] = []

    def apply(bodies: Sequence[str]) -> IngestResult:
        seen.append(structlog.contextvars.get_contextvars())
        return IngestResult(applied=len(bodies))

    report = drain_batch(queue, apply, messages, batch_id="b-123")
    assert report.batch_id == "b-123"
    assert seen == [{"batch_id": "b-123"}]
    assert structlog.contextvars.get_contextvars() == {}


# --------------------------------------------------------------------------- fault hook


def fault_point(point: str) -> None:
    """The crash drill's hook as bootstrap builds it from the environment, passed."""
    (fault_hook_from_env() or no_fault)(point)


def test_fault_point_is_inert_without_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    kills: list[tuple[int, int]] = []
    monkeypatch.setattr(
        "worker.bootstrap.faults.os.kill", lambda pid, sig: kills.append((pid, sig))
    )
    monkeypatch.delenv(FAULT_ENV, raising=False)
    fault_point("crash_after_commit")
    monkeypatch.setenv(FAULT_ENV, "crash_after_commit:0")
    fault_point("crash_after_commit")
    monkeypatch.setenv(FAULT_ENV, "crash_before_commit:1")
    fault_point("crash_after_commit")
    assert kills == []


def test_fault_point_kills_at_the_named_point(monkeypatch: pytest.MonkeyPatch) -> None:
    kills: list[int] = []
    monkeypatch.setattr("worker.bootstrap.faults.os.kill", lambda pid, sig: kills.append(sig))
    monkeypatch.setattr("worker.bootstrap.faults.time.sleep", lambda _s: None)
    monkeypatch.setenv(FAULT_ENV, "crash_before_commit:0.0, crash_after_commit:1")
    fault_point("crash_after_commit")
    assert kills == [getattr(signal, "SIGKILL", signal.SIGTERM)]


class _Killed(BaseException):
    """Raised by the patched ``os.kill`` instead of killing the test process."""


def _kill_raises(monkeypatch: pytest.MonkeyPatch, fault: str) -> None:
    """Arm ``fault`` (INBOXGAP_FAULT_INJECT) with ``os.kill`` raising :class:`_Killed`."""

    def kill(_pid: int, _sig: int) -> None:
        raise _Killed

    monkeypatch.setattr("worker.bootstrap.faults.os.kill", kill)
    monkeypatch.setenv(FAULT_ENV, fault)


def test_crash_after_commit_happens_between_apply_and_delete(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue = FakeQueue()
    queue.send(*_feedback(2))
    _kill_raises(monkeypatch, "crash_after_commit:1")
    log = FakeNotificationLog()
    with pytest.raises(_Killed):
        drain_queue(
            queue,
            _apply(log, queue.calls),
            DrainLimits(poll_wait=0),
            fault=fault_hook_from_env() or no_fault,
        )
    assert any(c.startswith("apply") for c in queue.calls)
    assert not any(c.startswith("delete") for c in queue.calls)
    assert log.notification("n-1")["status"] == "delivered"  # committed


def test_crash_before_commit_rolls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    queue = FakeQueue()
    queue.send(*_feedback(2))
    _kill_raises(monkeypatch, "crash_before_commit:1")
    log = FakeNotificationLog()
    with pytest.raises(_Killed):
        hook = fault_hook_from_env() or no_fault
        drain_queue(queue, _apply(FaultInjectingLog(log, hook)), DrainLimits(poll_wait=0))  # type: ignore[arg-type]
    assert log.snapshot()["notifications"] == []
    assert not any(c.startswith("delete") for c in queue.calls)
